#include "base64.h"

#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
orch_base64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void
orch_base64_encode(char *out, const unsigned char *in, size_t n)
{
	size_t i = 0;

	for (; i + 2 < n; i += 3) {
		*out++ = alphabet[in[i] >> 2];
		*out++ = alphabet[(in[i] & 3) << 4 | in[i + 1] >> 4];
		*out++ = alphabet[(in[i + 1] & 15) << 2 | in[i + 2] >> 6];
		*out++ = alphabet[in[i + 2] & 63];
	}
	if (i < n) {
		*out++ = alphabet[in[i] >> 2];
		if (i + 1 < n) {
			*out++ = alphabet[(in[i] & 3) << 4 | in[i + 1] >> 4];
			*out++ = alphabet[(in[i + 1] & 15) << 2];
		} else {
			*out++ = alphabet[(in[i] & 3) << 4];
			*out++ = '=';
		}
		*out++ = '=';
	}
	*out = '\0';
}

static int
value(char c)
{
	const char *p = c != '\0' ? strchr(alphabet, c) : NULL;

	return p != NULL ? (int)(p - alphabet) : -1;
}

unsigned char *
orch_base64_decode(const char *in, size_t *n)
{
	size_t len = strlen(in), used = 0;
	unsigned char *out;

	if (len % 4 != 0 || (out = malloc(len / 4 * 3 + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < len; i += 4) {
		int a = value(in[i]), b = value(in[i + 1]), c = value(in[i + 2]), d = value(in[i + 3]);
		int last = i + 4 == len;

		/* '=' only as the padding of the last group */
		if (a < 0 || b < 0 || (c < 0 && !(last && in[i + 2] == '=' && in[i + 3] == '=')) ||
		    (d < 0 && !(last && in[i + 3] == '='))) {
			free(out);
			return NULL;
		}
		out[used++] = (unsigned char)(a << 2 | b >> 4);
		if (c >= 0)
			out[used++] = (unsigned char)((b & 15) << 4 | c >> 2);
		if (c >= 0 && d >= 0)
			out[used++] = (unsigned char)((c & 3) << 6 | d);
	}
	out[used] = '\0';
	*n = used;
	return out;
}
