/* The protocol library both sides share: statuses and message kinds by
 * name, the selector grammar, the escaper for text from a node, and the
 * base64 of a plan on the agent's command line. */
#include <stdlib.h>

#include "harness.h"
#include "base64.h"
#include "escape.h"
#include "protocol.h"
#include "selector.h"

static void statuses_and_message_kinds_round_trip_by_name(void)
{
	enum orch_status st;
	enum orch_message m;

	for (int i = ORCH_OK; i <= ORCH_SKIPPED; i++) {
		CHECK(orch_status_parse(orch_status_name((enum orch_status)i), &st) == 0 && (int)st == i);
	}
	for (int i = ORCH_MSG_RESULT; i <= ORCH_MSG_ERROR; i++) {
		CHECK(orch_message_parse(orch_message_name((enum orch_message)i), &m) == 0 && (int)m == i);
	}
	CHECK_STR(orch_status_name(ORCH_CHANGED), "changed");
	CHECK_STR(orch_message_name(ORCH_MSG_SUMMARY), "summary");
	CHECK(orch_status_parse("OK", &st) == -1);
	CHECK(orch_status_parse("", &st) == -1);
	CHECK(orch_status_parse(NULL, &st) == -1);
	CHECK(orch_message_parse("results", &m) == -1);
}

static int parses(const char *s, struct orch_selector *out)
{
	return orch_selector_parse(out, s, strlen(s)) == 0;
}

static void every_documented_selector_form_parses(void)
{
	struct orch_selector s;

	CHECK(parses("0000:82:00.1", &s) && s.kind == ORCH_SEL_FUNCTION && s.domain == 0 && s.bus == 0x82 &&
	      s.slot == 0 && s.func == 1);
	CHECK(parses("82:1f.7", &s) && s.kind == ORCH_SEL_FUNCTION && s.domain == 0 && s.bus == 0x82 &&
	      s.slot == 0x1f && s.func == 7);
	CHECK(parses("10000:82:00", &s) == 0);
	CHECK(parses("000a:82:00", &s) && s.kind == ORCH_SEL_SLOT && s.domain == 0xa && s.bus == 0x82);
	CHECK(parses("82:00", &s) && s.kind == ORCH_SEL_SLOT && s.domain == 0 && s.bus == 0x82 && s.slot == 0);
	CHECK(parses("10de:1B81", &s) && s.kind == ORCH_SEL_ID && s.vendor == 0x10de && s.device == 0x1b81);
	CHECK(parses("0000:C1:00.0", &s) && s.bus == 0xc1);
}

static void what_is_not_a_selector_is_refused(void)
{
	static const char *const bad[] = {
		"", "82", "82:20", "82:00.8", "0000:82:00.9", "82:00.a", "82:00.", "0000:82:00.0.0",
		"+2:00", "0x82:00", " 82:00", "82:00 ", "82-00", "g2:00", "10de-1b81", "10de:1b8",
		"10de:1b811", "0000:82:0.0", "0000:8:00.0", "82:00.01", "0000:82:00:0",
	};
	struct orch_selector s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (parses(bad[i], &s)) {
			fprintf(stderr, "%s:%d: '%s' parsed as a selector\n", __FILE__, __LINE__, bad[i]);
			harness_failures++;
		}
	}
	/* the length is the caller's: a selector inside a longer text */
	CHECK(orch_selector_parse(&s, "82:00,83:00", 5) == 0 && s.bus == 0x82);
}

static int matches(const char *sel, const char *addr, unsigned vendor, unsigned device)
{
	struct orch_selector s;
	struct orch_pci_address a;

	return parses(sel, &s) && orch_pci_address_parse(&a, addr) == 0 &&
	       orch_selector_matches(&s, &a, vendor, device);
}

static void selectors_pick_functions_slots_and_ids(void)
{
	CHECK(matches("0000:82:00.1", "0000:82:00.1", 0x10de, 0x10f0));
	CHECK(!matches("0000:82:00.1", "0000:82:00.0", 0x10de, 0x1b81));
	CHECK(matches("82:00.1", "0000:82:00.1", 0, 0));
	CHECK(matches("82:00", "0000:82:00.0", 0, 0) && matches("82:00", "0000:82:00.3", 0, 0));
	CHECK(!matches("82:00", "0000:82:01.0", 0, 0));
	CHECK(matches("0001:82:00", "0001:82:00.0", 0, 0));
	CHECK(matches("10de:1b81", "0000:03:00.0", 0x10de, 0x1b81));
	CHECK(!matches("10de:1b81", "0000:03:00.0", 0x10de, 0x1b80));
}

static void a_selector_without_a_domain_is_domain_zero(void)
{
	CHECK(!matches("82:00", "0001:82:00.0", 0, 0));
	CHECK(!matches("82:00.0", "0001:82:00.0", 0, 0));
}

static const char *shown(const char *s, size_t n, size_t max)
{
	static char out[256];

	return orch_escape(out, sizeof(out), s, n, max);
}

#define SHOWN(lit) shown(lit, sizeof(lit) - 1, 0)

static void control_characters_from_a_node_are_written_as_hex(void)
{
	CHECK_STR(SHOWN("a\x1b[2Jb"), "a\\x1b[2Jb");
	CHECK_STR(SHOWN("x\x1b]0;owned\x07y\nok: [node02] forged"), "x\\x1b]0;owned\\x07y\\x0aok: [node02] forged");
	CHECK_STR(SHOWN("del\x7f cr\r"), "del\\x7f cr\\x0d");
	CHECK_STR(SHOWN("nul\0after"), "nul\\x00after");
	/* U+009B, a CSI for terminals that take C1 controls, written as UTF-8 */
	CHECK_STR(SHOWN("c1\xc2\x9b" "31m"), "c1\\xc2\\x9b31m");
	CHECK_STR(SHOWN("col\tumn"), "col\tumn");
}

static void utf8_text_is_kept_and_broken_utf8_escaped(void)
{
	CHECK_STR(SHOWN("boot_id 1a2b… -> 3c4d…"), "boot_id 1a2b… -> 3c4d…");
	CHECK_STR(SHOWN("Grafikkarte für VM é \xf0\x9f\x96\xa5"), "Grafikkarte für VM é \xf0\x9f\x96\xa5");
	CHECK_STR(SHOWN("\xc3\xa0\xff"), "\xc3\xa0\\xff");
	CHECK_STR(SHOWN("over\xc0\xaflong"), "over\\xc0\\xaflong");
	CHECK_STR(SHOWN("surrogate\xed\xa0\x80"), "surrogate\\xed\\xa0\\x80");
	CHECK_STR(SHOWN("lone\x80"), "lone\\x80");
	CHECK_STR(SHOWN("cut\xe2\x80"), "cut\\xe2\\x80");
	CHECK_STR(SHOWN("past\xf4\x90\x80\x80"), "past\\xf4\\x90\\x80\\x80");
}

static void escaped_text_stops_at_its_limit_and_its_buffer(void)
{
	char small[8];

	CHECK_STR(shown("abcdefgh", 8, 4), "abcd...");
	CHECK_STR(shown("abcd", 4, 4), "abcd");
	/* never past the buffer, always terminated, never half a character */
	memset(small, 'X', sizeof(small));
	orch_escape(small, sizeof(small), "\x1b\x1b\x1b", 3, 0);
	CHECK_STR(small, "\\x1b...");
	orch_escape(small, sizeof(small), "ab\xc3\xa9\xc3\xa9\xc3\xa9", 8, 0);
	CHECK(memchr(small, '\0', sizeof(small)) != NULL);
	CHECK_STR(small, "ab\xc3\xa9...");
	orch_escape(small, 1, "abc", 3, 0);
	CHECK_STR(small, "");
}

static void escaped_text_goes_to_a_stream_whole(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	orch_escape_put(f, "ok\x1b[K\xc3\xa9\xff", 8);
	fclose(f);
	CHECK_STR(buf, "ok\\x1b[K\xc3\xa9\\xff");
	free(buf);
}

static void base64_is_rfc4648_and_round_trips_every_byte(void)
{
	static const char *const vectors[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	unsigned char all[256];
	char enc[400];
	unsigned char *dec;
	size_t n;

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		orch_base64_encode(enc, (const unsigned char *)vectors[i][0], strlen(vectors[i][0]));
		CHECK_STR(enc, vectors[i][1]);
		CHECK(orch_base64_len(strlen(vectors[i][0])) == strlen(vectors[i][1]));
		dec = orch_base64_decode(vectors[i][1], &n);
		CHECK(dec != NULL && n == strlen(vectors[i][0]) && memcmp(dec, vectors[i][0], n) == 0);
		free(dec);
	}
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)(255 - i);
	for (size_t len = 250; len <= 256; len++) {
		orch_base64_encode(enc, all, len);
		CHECK(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") == strlen(enc));
		dec = orch_base64_decode(enc, &n);
		CHECK(dec != NULL && n == len && memcmp(dec, all, len) == 0);
		free(dec);
	}
}

static void what_is_not_base64_is_refused(void)
{
	static const char *const bad[] = { "Zg=", "Z===", "====", "Zm9v!A==", "=Zg=", "Zg==Zm8=", "Zm 9v", "Zm9" };
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char *dec = orch_base64_decode(bad[i], &n);

		if (dec != NULL)
			fprintf(stderr, "'%s' decoded\n", bad[i]);
		CHECK(dec == NULL);
		free(dec);
	}
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{"statuses_and_message_kinds_round_trip_by_name", statuses_and_message_kinds_round_trip_by_name},
		{"base64_is_rfc4648_and_round_trips_every_byte", base64_is_rfc4648_and_round_trips_every_byte},
		{"what_is_not_base64_is_refused", what_is_not_base64_is_refused},
		{"every_documented_selector_form_parses", every_documented_selector_form_parses},
		{"what_is_not_a_selector_is_refused", what_is_not_a_selector_is_refused},
		{"selectors_pick_functions_slots_and_ids", selectors_pick_functions_slots_and_ids},
		{"a_selector_without_a_domain_is_domain_zero", a_selector_without_a_domain_is_domain_zero},
		{"control_characters_from_a_node_are_written_as_hex", control_characters_from_a_node_are_written_as_hex},
		{"utf8_text_is_kept_and_broken_utf8_escaped", utf8_text_is_kept_and_broken_utf8_escaped},
		{"escaped_text_stops_at_its_limit_and_its_buffer", escaped_text_stops_at_its_limit_and_its_buffer},
		{"escaped_text_goes_to_a_stream_whole", escaped_text_goes_to_a_stream_whole},
		{NULL, NULL},
	};
	return harness_main(tests, argc, argv);
}
