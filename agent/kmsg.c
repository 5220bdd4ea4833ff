#include "kmsg.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Decodes the text part of a record up to `end` into a new string. */
static char *decode(const char *s, const char *end)
{
	struct sb b;

	sb_init(&b);
	while (s < end) {
		if (s[0] == '\\' && end - s >= 4 && s[1] == 'x' && isxdigit((unsigned char)s[2]) &&
		    isxdigit((unsigned char)s[3])) {
			char hex[3] = { s[2], s[3], 0 };
			char c = (char)strtol(hex, NULL, 16);
			if ((unsigned char)c >= 0x20 && c != 0x7f)
				sb_add(&b, &c, 1);
			s += 4;
			continue;
		}
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			sb_add(&b, s, 1);
		s++;
	}
	return sb_detach(&b);
}

static bool all_digits(const char *s, const char *end)
{
	if (s == end)
		return false;
	for (; s < end; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Calls `fn` with the text of each record in `buf` (either format;
 * continuation lines and malformed records are skipped, \xNN escapes
 * decoded, control bytes dropped). */
static void kmsg_parse(const char *buf, size_t len, void (*fn)(const char *text, void *arg), void *arg)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *text = NULL;

		if (*p == '<') {
			/* klogctl: "<6>[    1.234567] text" */
			const char *gt = memchr(p, '>', (size_t)(eol - p));
			if (gt && all_digits(p + 1, gt)) {
				text = gt + 1;
				if (text < eol && *text == '[') {
					const char *rb = memchr(text, ']', (size_t)(eol - text));
					if (rb)
						text = rb + 1;
				}
				while (text < eol && *text == ' ')
					text++;
			}
		} else if (*p != ' ') {
			/* /dev/kmsg: "prio,seq,usec,flags;text" */
			const char *semi = memchr(p, ';', (size_t)(eol - p));
			const char *c1 = semi ? memchr(p, ',', (size_t)(semi - p)) : NULL;
			if (c1 && all_digits(p, c1))
				text = semi + 1;
		}
		if (text && text < eol) {
			char *t = decode(text, eol);
			if (*t)
				fn(t, arg);
			free(t);
		}
		p = nl ? nl + 1 : end;
	}
}

/* Whether a log line is evidence about the IOMMU, its interrupt remapping or vfio. */
static bool kmsg_is_iommu_line(const char *t)
{
	static const char *const keys[] = {
		"DMAR", "IOMMU", "iommu", "AMD-Vi", "vfio", "VFIO", "remapping",
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strstr(t, keys[i]))
			return true;
	return false;
}

struct collect {
	struct strv *out;
	size_t max;
};

static void collect_line(const char *text, void *arg)
{
	struct collect *c = arg;
	if (c->out->n < c->max && kmsg_is_iommu_line(text))
		strv_push(c->out, text);
}

void kmsg_iommu_lines(const char *buf, size_t len, struct strv *out, size_t max)
{
	struct collect c = { out, max };
	kmsg_parse(buf, len, collect_line, &c);
}
