#include "selector.h"

#include <string.h>

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads exactly width hex digits at *p into *out and moves *p past them. */
static int
hex_field(const char **p, const char *end, size_t width, unsigned *out)
{
	unsigned v = 0;

	if ((size_t)(end - *p) < width)
		return -1;
	for (size_t i = 0; i < width; i++) {
		int d = hex_digit((*p)[i]);

		if (d < 0)
			return -1;
		v = v * 16 + (unsigned)d;
	}
	*p += width;
	*out = v;
	return 0;
}

static int
expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

/* [DDDD:]BB:SS[.F] from p to end: a slot, or a function with its ".F". */
static int
parse_address(const char *p, const char *end, int with_domain, struct orch_selector *out)
{
	out->domain = 0;
	if (with_domain && (hex_field(&p, end, 4, &out->domain) != 0 || expect(&p, end, ':') != 0))
		return -1;
	if (hex_field(&p, end, 2, &out->bus) != 0 || expect(&p, end, ':') != 0 ||
	    hex_field(&p, end, 2, &out->slot) != 0)
		return -1;
	out->kind = ORCH_SEL_SLOT;
	if (p < end) {
		/* One digit 0-7: a function number is octal-sized, not hex. */
		if (expect(&p, end, '.') != 0 || p + 1 != end || *p < '0' || *p > '7')
			return -1;
		out->func = (unsigned)(*p - '0');
		out->kind = ORCH_SEL_FUNCTION;
	}
	return out->slot <= 0x1f ? 0 : -1;
}

int
orch_selector_parse(struct orch_selector *out, const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	memset(out, 0, sizeof(*out));
	switch (n) {
	case 12:   /* 0000:82:00.0 */
	case 10:   /* 0000:82:00 */
		return parse_address(s, end, 1, out);
	case 7:    /* 82:00.0 */
	case 5:    /* 82:00 */
		return parse_address(s, end, 0, out);
	case 9:    /* 10de:1b81 */
		out->kind = ORCH_SEL_ID;
		if (hex_field(&p, end, 4, &out->vendor) != 0 || expect(&p, end, ':') != 0 ||
		    hex_field(&p, end, 4, &out->device) != 0)
			return -1;
		return 0;
	default:
		return -1;
	}
}

int
orch_pci_address_parse(struct orch_pci_address *out, const char *s)
{
	struct orch_selector sel;

	if (strlen(s) != 12 || orch_selector_parse(&sel, s, 12) != 0)
		return -1;
	*out = (struct orch_pci_address){sel.domain, sel.bus, sel.slot, sel.func};
	return 0;
}

int
orch_selector_matches(const struct orch_selector *sel, const struct orch_pci_address *addr,
		      unsigned vendor, unsigned device)
{
	switch (sel->kind) {
	case ORCH_SEL_FUNCTION:
		return addr->domain == sel->domain && addr->bus == sel->bus && addr->slot == sel->slot &&
		       addr->func == sel->func;
	case ORCH_SEL_SLOT:
		return addr->domain == sel->domain && addr->bus == sel->bus && addr->slot == sel->slot;
	case ORCH_SEL_ID:
		return vendor == sel->vendor && device == sel->device;
	}
	return 0;
}
