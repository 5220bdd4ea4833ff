#include "escape.h"

#include <string.h>

/* The length of the UTF-8 character at s (n bytes left) that may be shown
 * as it is, or 0 when its first byte must be escaped. */
static size_t
printable_length(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned cp;

	if (c == '\t' || (c >= 0x20 && c < 0x7f))
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;   /* C0, DEL, a continuation byte, or never UTF-8 */
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF, and the C1 controls
	 * (U+009B is a CSI to some terminals) */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

/* The next piece of s[0..n) as it is shown: *used bytes of s become the
 * returned length of bytes in piece. */
static size_t
next_piece(const char *s, size_t n, size_t *used, char piece[5])
{
	size_t len = printable_length((const unsigned char *)s, n);
	static const char hex[] = "0123456789abcdef";

	if (len > 0) {
		memcpy(piece, s, len);
		*used = len;
		return len;
	}
	piece[0] = '\\';
	piece[1] = 'x';
	piece[2] = hex[(unsigned char)s[0] >> 4];
	piece[3] = hex[(unsigned char)s[0] & 0xf];
	*used = 1;
	return 4;
}

void
orch_escape_put(FILE *f, const char *s, size_t n)
{
	char piece[5];
	size_t i = 0, run, len;

	while (s != NULL && i < n) {
		/* what is shown as it is goes out in one write */
		for (run = 0; i + run < n && (len = printable_length((const unsigned char *)s + i + run, n - i - run)) > 0;)
			run += len;
		fwrite(s + i, 1, run, f);
		i += run;
		if (i < n) {
			fwrite(piece, 1, next_piece(s + i, n - i, &len, piece), f);
			i += len;
		}
	}
}

char *
orch_escape(char *out, size_t outlen, const char *s, size_t n, size_t max)
{
	char piece[5];
	size_t o = 0, i = 0, used, len;

	if (outlen == 0)
		return out;
	for (; s != NULL && i < n; i += used) {
		if (max > 0 && i >= max)
			break;
		len = next_piece(s + i, n - i, &used, piece);
		if (o + len + 4 > outlen)   /* room for "..." and the NUL */
			break;
		memcpy(out + o, piece, len);
		o += len;
	}
	if (s != NULL && i < n && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
