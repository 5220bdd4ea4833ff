/*
 * The data-file loader (inventory/yaml.c), one behaviour a test. Each
 * expected value is what ansible-core 2.14 gives for the same text
 * (DataLoader, then the JSON `ansible-inventory --list` writes), checked by
 * hand; compare_yaml.py keeps checking it on many more documents.
 */
// ctest: PREFIX inventory.yaml.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "yaml.h"

#define FILE_NAME "vars.yml"

static struct strvec warnings;

/* The value as compact JSON with sorted keys, or "error: MESSAGE". */
static const char *
load_n(const char *text, size_t len)
{
	static char out[8192];
	char err[512];
	json_t *v = NULL;
	char *s;

	strvec_clear(&warnings);
	if (inv_yaml_parse(FILE_NAME, text, len, &v, &warnings, err, sizeof(err)) < 0) {
		CHECK(v == NULL);
		snprintf(out, sizeof(out), "error: %s", err);
		return out;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	snprintf(out, sizeof(out), "%s", s ? s : "(no JSON)");
	free(s);
	json_decref(v);
	return out;
}

static const char *
load(const char *text)
{
	return load_n(text, strlen(text));
}

#define CHECK_LOAD(text, want) CHECK_STR(load(text), want)

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
booleans_follow_yaml_1_1(void)
{
	CHECK_LOAD("[yes, Yes, YES, no, No, NO, on, On, ON, off, Off, OFF, true, True, TRUE, false, False, FALSE]",
		   "[true,true,true,false,false,false,true,true,true,false,false,false,true,true,true,false,false,false]");
	/* PyYAML does not resolve y and n, nor mixed case */
	CHECK_LOAD("[y, Y, n, N, yEs, tRUE, oN]", "[\"y\",\"Y\",\"n\",\"N\",\"yEs\",\"tRUE\",\"oN\"]");
	CHECK_LOAD("a: 'yes'", "{\"a\":\"yes\"}");
}

static void
integers_in_binary_octal_hex_and_with_underscores(void)
{
	CHECK_LOAD("[0b101, -0b11, 0777, -017, 0x1F, 0xff_ff, -0x10, 1_000, +12, -0, 00, 0_7]",
		   "[5,-3,511,-15,31,65535,-16,1000,12,0,0,7]");
	/* 08 is not octal and not decimal either; 0o17 is YAML 1.2 */
	CHECK_LOAD("[08, 0o17, 0x, 1__0]", "[\"08\",\"0o17\",\"0x\",10]");
	CHECK_LOAD("[9223372036854775807, -9223372036854775808]", "[9223372036854775807,-9223372036854775808]");
}

static void
sexagesimal_integers_read_pci_slots_as_numbers(void)
{
	CHECK_LOAD("pci: 82:00", "{\"pci\":4920}");
	CHECK_LOAD("[1:2:3, 190:20:30, -1:30]", "[3723,685230,-90]");
	/* a leading zero, or a part above 59, keeps the text */
	CHECK_LOAD("[01:30, 0:30, 3:60, '82:00']", "[\"01:30\",\"0:30\",\"3:60\",\"82:00\"]");
}

static void
floats_need_a_dot_and_a_signed_exponent(void)
{
	CHECK_LOAD("[1e3, 1.0e3, 1.0e+3, 1.0E-3, .5, 1., +1.5, 1_0.5, 1:30.5, 1.e+5]",
		   "[\"1e3\",\"1.0e3\",1000.0,0.001,0.5,1.0,1.5,10.5,90.5,100000.0]");
	/* only a number before the dot may have a sign */
	CHECK_LOAD("[-.5, -0.5]", "[\"-.5\",-0.5]");
}

static void
infinity_and_nan_are_refused_with_their_position(void)
{
	CHECK_LOAD("a: 1\nb: .inf", "error: vars.yml:2:4: '.inf' is an infinity, which has no JSON form");
	CHECK_LOAD("a: [-.Inf]", "error: vars.yml:1:5: '-.Inf' is an infinity, which has no JSON form");
	CHECK_LOAD("a: .NaN", "error: vars.yml:1:4: '.NaN' is NaN, which has no JSON form");
	/* `.nan` with a sign is not a float */
	CHECK_LOAD("a: -.nan", "{\"a\":\"-.nan\"}");
}

static void
values_a_later_duplicate_key_drops_are_not_refused(void)
{
	CHECK_LOAD("a: .inf\na: 1", "{\"a\":1}");
	CHECK(warnings.n == 1);
}

static void
nulls_are_tilde_null_and_nothing(void)
{
	CHECK_LOAD("[~, null, Null, NULL, nULL, '', None]", "[null,null,null,null,\"nULL\",\"\",\"None\"]");
	CHECK_LOAD("a:\nb: ~", "{\"a\":null,\"b\":null}");
}

static void
timestamps_print_as_isoformat(void)
{
	CHECK_LOAD("[2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43, 2002-12-14T00:00:00Z, "
		   "2001-12-14 21:59:43.1234567 +01:30, 2001-1-1 1:00:00, 2001-12-14 21:59:43 -0]",
		   "[\"2001-12-14\",\"2001-12-14T21:59:43.100000-05:00\",\"2001-12-14T21:59:43\","
		   "\"2002-12-14T00:00:00+00:00\",\"2001-12-14T21:59:43.123456+01:30\",\"2001-01-01T01:00:00\","
		   "\"2001-12-14T21:59:43+00:00\"]");
	/* a date alone needs two-digit month and day */
	CHECK_LOAD("a: 2001-1-1", "{\"a\":\"2001-1-1\"}");
}

static void
impossible_dates_are_errors(void)
{
	CHECK_LOAD("a: 2001-02-29", "error: vars.yml:1:4: '2001-02-29' is not a valid date");
	CHECK_LOAD("a: 2000-02-29", "{\"a\":\"2000-02-29\"}");
	CHECK_LOAD("a: 2001-12-14 10:00:00 +24",
		   "error: vars.yml:1:4: '2001-12-14 10:00:00 +24': the UTC offset is not within 24 hours");
}

static void
explicit_tags_convert_the_text(void)
{
	CHECK_LOAD("[!!str 5, !!str yes, !!int \"0x1F\", !!int \"012\", !!int \"1:30\", !!float \"1\", !!bool \"Yes\", "
		   "!!null \"x\", !!str ~, !!timestamp \"2001-1-1\", !<tag:yaml.org,2002:str> 5, !!python/unicode 5]",
		   "[\"5\",\"yes\",31,10,90,1.0,true,null,\"~\",\"2001-01-01\",\"5\",\"5\"]");
	CHECK_LOAD("%TAG !e! tag:yaml.org,2002:\n---\na: !e!int \"7\"", "{\"a\":7}");
	/* the non-specific tag `!` resolves as if untagged, even quoted */
	CHECK_LOAD("[! 5, ! \"yes\"]", "[5,true]");
	CHECK_LOAD("a: !!python/dict {x: 1}", "{\"a\":{\"x\":1}}");
}

static void
explicit_tags_that_do_not_fit_are_errors(void)
{
	CHECK_LOAD("a: !!int foo", "error: vars.yml:1:4: 'foo' is not an integer");
	CHECK_LOAD("a: !!bool y", "error: vars.yml:1:4: 'y' is not a boolean");
	CHECK_LOAD("a: !!float nope", "error: vars.yml:1:4: 'nope' is not a float");
	CHECK_LOAD("a: !foo bar", "error: vars.yml:1:4: could not determine a constructor for the tag '!foo'");
	CHECK_LOAD("a: !!str [1]", "error: vars.yml:1:4: expected a scalar node, but found sequence");
	CHECK_LOAD("a: !!map [1]", "error: vars.yml:1:4: expected a mapping node, but found sequence");
	CHECK_LOAD("a: =", "error: vars.yml:1:4: could not determine a constructor for the tag "
		   "'tag:yaml.org,2002:value'");
	CHECK_LOAD("a: <<", "error: vars.yml:1:4: could not determine a constructor for the tag "
		   "'tag:yaml.org,2002:merge'");
}

static void
binary_and_set_are_refused(void)
{
	CHECK_LOAD("a: !!binary aGVsbG8=", "error: vars.yml:1:4: !!binary gives bytes, which have no JSON form");
	CHECK_LOAD("a: !!binary aGVsbG8", "error: vars.yml:1:4: failed to decode base64 data: Incorrect padding");
	CHECK_LOAD("a: !!set {x, y}", "error: vars.yml:1:4: !!set gives a set, which has no JSON form");
}

static void
omap_and_pairs_are_lists_of_pairs(void)
{
	CHECK_LOAD("a: !!omap [x: 1, y: 2]", "{\"a\":[[\"x\",1],[\"y\",2]]}");
	CHECK_LOAD("a: !!pairs [x: 1, x: 2]", "{\"a\":[[\"x\",1],[\"x\",2]]}");
	CHECK_LOAD("a: !!omap {x: 1}",
		   "error: vars.yml:1:4: while constructing an ordered map: expected a sequence, but found mapping");
}

static void
unsafe_prints_as_ansible_unsafe(void)
{
	CHECK_LOAD("a: !unsafe \"{{ foo }}\"", "{\"a\":{\"__ansible_unsafe\":\"{{ foo }}\"}}");
	CHECK_LOAD("a: !unsafe 5", "{\"a\":{\"__ansible_unsafe\":\"5\"}}");
	/* wrap_var() copies collections before PyYAML has filled them */
	CHECK_LOAD("a: !unsafe [x, 1, [y], {k: v}]", "{\"a\":[{\"__ansible_unsafe\":\"x\"},1,[],{}]}");
	CHECK_LOAD("a: !unsafe {k: v, n: [1]}", "{\"a\":{\"k\":{\"__ansible_unsafe\":\"v\"},\"n\":[]}}");
}

static void
vault_values_print_as_ansible_vault(void)
{
	CHECK_LOAD("a: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3132\n",
		   "{\"a\":{\"__ansible_vault\":\"$ANSIBLE_VAULT;1.1;AES256\\n3132\\n\"}}");
	CHECK_LOAD("a: !vault-encrypted xyz", "{\"a\":{\"__ansible_vault\":\"xyz\"}}");
	CHECK_LOAD("a: !vault [x]", "error: vars.yml:1:4: expected a scalar node, but found sequence");
	/* an !unsafe list keeps a vault as it is */
	CHECK_LOAD("a: !unsafe [!vault x]", "{\"a\":[{\"__ansible_vault\":\"x\"}]}");
}

static void
vault_encrypted_files_are_refused(void)
{
	CHECK_LOAD("$ANSIBLE_VAULT;1.1;AES256\n3132\n", "error: vars.yml: vault-encrypted file: orch cannot decrypt it");
}

static void
aliases_repeat_the_anchored_value(void)
{
	CHECK_LOAD("a: &x {k: [1, 2]}\nb: *x\nc: [*x]", "{\"a\":{\"k\":[1,2]},\"b\":{\"k\":[1,2]},\"c\":[{\"k\":[1,2]}]}");
}

static void
aliases_do_not_share_the_value_returned(void)
{
	json_t *v = NULL;
	char err[256];
	const char *text = "a: &x {k: 1}\nb: *x";

	CHECK(inv_yaml_parse(FILE_NAME, text, strlen(text), &v, NULL, err, sizeof(err)) == 0);
	CHECK(v != NULL && json_object_get(v, "a") != json_object_get(v, "b"));
	json_decref(v);
}

static void
alias_bombs_are_refused(void)
{
	const char *bomb =
		"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
		"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";

	CHECK_LOAD(bomb, "error: vars.yml:6:4: aliases expand this node to 1111111 values, more than 1000000 beyond "
		   "the document's own");
}

static void
recursive_aliases_are_refused(void)
{
	CHECK_LOAD("a: &x [1, *x]", "error: vars.yml: an alias refers to a collection from inside it; a recursive "
		   "structure has no JSON form");
	CHECK_LOAD("a: &x {b: *x}", "error: vars.yml:1:4: an alias refers to this mapping from inside it; a recursive "
		   "structure has no JSON form");
	/* a mapping merged into itself loses its merge key first */
	CHECK_LOAD("&a {<<: *a}", "{}");
}

static void
undefined_and_repeated_anchors_are_errors(void)
{
	CHECK_LOAD("a: *nope", "error: vars.yml:1:4: found undefined alias 'nope'");
	CHECK_LOAD("a: &x 1\nb: &x 2", "error: vars.yml:2:4: found duplicate anchor 'x'; first occurrence at line 1, "
		   "column 4");
}

static void
merge_keys_merge_in_order(void)
{
	CHECK_LOAD("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  x: 3", "{\"base\":{\"x\":1,\"y\":2},\"m\":{\"x\":3,\"y\":2}}");
	/* Ansible warns about a merged key set again */
	CHECK(warnings.n == 1);
	/* in a list, earlier mappings win */
	CHECK_LOAD("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]", "{\"a\":{\"x\":1},\"b\":{\"x\":2,\"y\":2},"
		   "\"c\":{\"x\":1,\"y\":2}}");
	CHECK_LOAD("a: {<<: {x: 1}, x: 2, '<<': 3}", "{\"a\":{\"<<\":3,\"x\":2}}");
}

static void
merge_keys_take_only_mappings(void)
{
	CHECK_LOAD("a: {<<: 1}", "error: vars.yml:1:9: expected a mapping or list of mappings for merging, but found "
		   "scalar");
	CHECK_LOAD("a: &a {x: 1}\nb: {<<: [*a, 1]}", "error: vars.yml:2:14: expected a mapping for merging, but found "
		   "scalar");
}

static void
duplicate_keys_keep_the_last_value_with_ansibles_warning(void)
{
	CHECK_LOAD("a: 1\nb: 2\na: 3", "{\"a\":3,\"b\":2}");
	CHECK(warnings.n == 1);
	CHECK_STR(warnings.n ? warnings.v[0] : "", "vars.yml:3:1: While constructing a mapping from vars.yml, line 1, "
		  "column 1, found a duplicate dict key (a). Using last defined value only.");
	CHECK_LOAD("x:\n  {a: 1, a: 1}", "{\"x\":{\"a\":1}}");
	CHECK_STR(warnings.n ? warnings.v[0] : "", "vars.yml:2:10: While constructing a mapping from vars.yml, line 2, "
		  "column 3, found a duplicate dict key (a). Using last defined value only.");
	CHECK_LOAD("a: 1", "{\"a\":1}");
	CHECK(warnings.n == 0);
}

static void
keys_that_are_not_strings_print_as_json_dumps_writes_them(void)
{
	CHECK_LOAD("{null: a, 1.5: b, .inf: c, 2: d, false: e, 1.0e+20: f, 0.0001: g, 1.0e-5: h}",
		   "{\"0.0001\":\"g\",\"1.5\":\"b\",\"1e+20\":\"f\",\"1e-05\":\"h\",\"2\":\"d\",\"Infinity\":\"c\","
		   "\"false\":\"e\",\"null\":\"a\"}");
	/* 1, 1.0 and true are one key in Python: the first spelling stays */
	CHECK_LOAD("{1: a, true: b, 1.0: c}", "{\"1\":\"c\"}");
	CHECK(warnings.n == 2);
	CHECK_STR(warnings.n ? warnings.v[0] : "", "vars.yml:1:8: While constructing a mapping from vars.yml, line 1, "
		  "column 1, found a duplicate dict key (True). Using last defined value only.");
	/* 1 and "1" are two keys printed alike: a JSON reader keeps the later,
	 * and orch says so */
	CHECK_LOAD("{1: a, \"1\": b}", "{\"1\":\"b\"}");
	CHECK_STR(warnings.n ? warnings.v[0] : "", "vars.yml:1:8: key '1' is written \"1\" by ansible-inventory, as an "
		  "earlier key of this mapping: a JSON reader takes the later value");
	/* what the earlier one holds is still printed: a date key fails there */
	CHECK_LOAD("\"1\": {2001-01-01: x}\n1: y", "error: vars.yml:1:7: a date as a key has no JSON form (json.dumps "
		   "refuses it)");
}

static void
collections_as_keys_are_errors(void)
{
	CHECK_LOAD("? [a, b]\n: c", "error: vars.yml:1:3: found unacceptable key: a sequence cannot be a key (unhashable)");
	CHECK_LOAD("{{a: 1}: b}", "error: vars.yml:1:2: found unacceptable key: a mapping cannot be a key (unhashable)");
}

static void
dates_as_keys_are_refused(void)
{
	CHECK_LOAD("{2001-01-01: a}", "error: vars.yml:1:2: a date as a key has no JSON form (json.dumps refuses it)");
}

static void
several_documents_are_an_error(void)
{
	CHECK_LOAD("--- 1\n--- 2", "error: vars.yml:2:1: expected a single document in the stream, but found another "
		   "document");
	CHECK_LOAD("a: 1\n...\n", "{\"a\":1}");
}

static void
empty_documents_are_null(void)
{
	CHECK_LOAD("", "null");
	CHECK_LOAD("# only a comment\n", "null");
	CHECK_LOAD("---\n", "null");
}

static void
a_byte_order_mark_is_skipped(void)
{
	CHECK_LOAD("\xef\xbb\xbf" "a: 1\nb: 2", "{\"a\":1,\"b\":2}");
	CHECK_LOAD("\xef\xbb\xbf{\"a\": 1e3}", "{\"a\":\"1e3\"}");
}

static void
invalid_utf8_is_refused_with_its_position(void)
{
	CHECK_LOAD("a: 1\nb: x\xff", "error: vars.yml:2:5: not valid UTF-8 (byte 0xff)");
	CHECK_LOAD("a: \"\xc3\"", "error: vars.yml:1:5: not valid UTF-8 (byte 0xc3)");
	CHECK_LOAD("a: \xc3\xa9", "{\"a\":\"\xc3\xa9\"}");
}

static void
tabs_cannot_indent(void)
{
	CHECK_LOAD("a:\n\tb: 1", "error: vars.yml:2:1: syntax error while loading YAML: found character that cannot "
		   "start any token (while scanning for the next token at line 2, column 1)");
	CHECK_LOAD("a: [1,\t2]\nb: x\ty", "{\"a\":[1,2],\"b\":\"x\\ty\"}");
}

static void
integers_beyond_64_bits_are_refused(void)
{
	CHECK_LOAD("a: 9223372036854775808", "error: vars.yml:1:4: integer '9223372036854775808' does not fit in 64 bits");
	CHECK_LOAD("a: 0x1_0000_0000_0000_0000", "error: vars.yml:1:4: integer '0x1_0000_0000_0000_0000' does not fit "
		   "in 64 bits");
	CHECK_LOAD("{\"a\": 99999999999999999999}", "error: vars.yml:1:7: an integer beyond 64 bits");
}

static void
json_is_read_first(void)
{
	/* json.loads: duplicate keys silently, 1e3 is a float, tabs separate */
	CHECK_LOAD("{\"a\": 1, \"a\": 2}", "{\"a\":2}");
	CHECK(warnings.n == 0);
	CHECK_LOAD("{\"a\":\t1e3, \"b\": -0, \"c\": \"\\/\\u00e9\\ud83d\\ude00\"}",
		   "{\"a\":1000.0,\"b\":0,\"c\":\"/\xc3\xa9\xf0\x9f\x98\x80\"}");
	CHECK_LOAD("{\"a\": NaN}", "error: vars.yml:1:7: NaN has no JSON form");
	CHECK_LOAD("[1, -Infinity]", "error: vars.yml:1:5: -Infinity has no JSON form");
	CHECK_LOAD("{\"a\": 1e400}", "error: vars.yml:1:7: a number too large for a float (Python reads it as Infinity)");
	/* not JSON (a comment), so YAML: NaN is a string there */
	CHECK_LOAD("{\"a\": NaN} # c", "{\"a\":\"NaN\"}");
	CHECK_LOAD("\"yes\"", "\"yes\"");
	CHECK_LOAD("yes", "true");
}

static void
json_lone_surrogates_are_refused(void)
{
	CHECK_LOAD("{\"a\": \"x\\ud800\"}", "error: vars.yml:1:9: a lone surrogate escape in a JSON string is not text");
	/* a vault cannot encode it: json.loads fails, and YAML refuses the escape */
	CHECK_LOAD("{\"v\": {\"__ansible_vault\": \"\\ud800\"}}", "error: vars.yml:1:30: syntax error while loading "
		   "YAML: found invalid Unicode character escape code (while parsing a quoted scalar at line 1, column 27)");
	/* YAML refuses it itself */
	CHECK_LOAD("a: \"\\ud800\"", "error: vars.yml:1:7: syntax error while loading YAML: found invalid Unicode "
		   "character escape code (while parsing a quoted scalar at line 1, column 4)");
}

static void
json_objects_with_ansible_keys_become_vault_and_unsafe(void)
{
	CHECK_LOAD("{\"x\": {\"__ansible_vault\": \"abc\", \"other\": 1}}", "{\"x\":{\"__ansible_vault\":\"abc\"}}");
	CHECK_LOAD("{\"x\": {\"__ansible_unsafe\": [1, \"s\", {\"__ansible_unsafe\": \"y\"}]}}",
		   "{\"x\":[1,{\"__ansible_unsafe\":\"s\"},{\"__ansible_unsafe\":\"y\"}]}");
	CHECK_LOAD("{\"x\": {\"__ansible_vault\": 5}}", "{\"x\":{\"__ansible_vault\":\"5\"}}");
	CHECK_LOAD("{\"x\": {\"__ansible_vault\": [1]}}", "error: vars.yml:1:7: __ansible_vault is not a string");
}

static void
syntax_errors_name_line_and_column(void)
{
	CHECK_LOAD("a: 1\nb: [1, 2\n", "error: vars.yml:3:1: syntax error while loading YAML: did not find expected ',' "
		   "or ']' (while parsing a flow sequence at line 2, column 4)");
	CHECK_LOAD("a: b: c", "error: vars.yml:1:5: syntax error while loading YAML: mapping values are not allowed in "
		   "this context");
	CHECK_LOAD("a: x\x01", "error: vars.yml:1:5: syntax error while loading YAML: control characters are not "
		   "allowed");
}

static void
nesting_deeper_than_the_limit_is_refused(void)
{
	char deep[2 * 600 + 1];

	memset(deep, '[', 600);
	memset(deep + 600, ']', 600);
	deep[1200] = '\0';
	CHECK(strstr(load(deep), "nested deeper than 512 levels") != NULL);
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	deep[200] = '\0';
	CHECK(starts_with(load(deep), "[[["));
}

static void
nul_characters_stay_in_values(void)
{
	CHECK_STR(load_n("a: \"x\\0y\"", 9), "{\"a\":\"x\\u0000y\"}");
	CHECK_LOAD("{\"a\\u0000\": 1}", "error: vars.yml:1:1: a key with a NUL character");
}

/* Quadratic work would take minutes here (ctest's TIMEOUT fails it):
 * 200,000 refusals in one JSON array, 50,000 keys printed like earlier
 * ones, a mapping of 100,000 keys. */
static void
large_documents_are_read_in_linear_time(void)
{
	size_t n = 200000, cap = n * 16 + 64, o = 0;
	char *text = malloc(cap);

	if (text == NULL)
		return;
	o += (size_t)snprintf(text + o, cap - o, "[");
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, cap - o, "%sNaN", i ? ", " : "");
	snprintf(text + o, cap - o, "]");
	CHECK_STR(load(text), "error: vars.yml:1:2: NaN has no JSON form");
	o = (size_t)snprintf(text, cap, "{");
	for (size_t i = 0; i < 50000; i++)
		o += (size_t)snprintf(text + o, cap - o, "%zu: a, \"%zu\": b, ", i, i);
	snprintf(text + o, cap - o, "x: y}");
	CHECK(starts_with(load(text), "{\"0\":\"b\",\"1\":\"b\","));
	CHECK(warnings.n == 50000);
	o = 0;
	for (size_t i = 0; i < 100000; i++)
		o += (size_t)snprintf(text + o, cap - o, "host%zu.example.com:\n", i);
	CHECK(starts_with(load(text), "{\"host0.example.com\":null,"));
	free(text);
}

static void
key_types_are_pythons(void)
{
	static const char *const cases[][2] = {
		{ "pve", "str" }, { "yes", "bool" }, { "Off", "bool" }, { "y", "str" }, { "82:00", "int" },
		{ "0x1F", "int" }, { "08", "str" }, { "1e3", "str" }, { "1.0e+3", "float" }, { ".inf", "float" },
		{ "~", "NoneType" }, { "", "NoneType" }, { "2001-12-14", "date" }, { "2001-12-14 21:59:43", "datetime" },
		{ "<<", "merge" }, { "=", "str" }, { "node[01:03]", "str" }, { "10.0.0.1", "str" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(inv_yaml_key_type(cases[i][0], strlen(cases[i][0])), cases[i][1]);
}

static const struct test_case tests[] = {
	{ "booleans_follow_yaml_1_1", booleans_follow_yaml_1_1 },
	{ "integers_in_binary_octal_hex_and_with_underscores", integers_in_binary_octal_hex_and_with_underscores },
	{ "sexagesimal_integers_read_pci_slots_as_numbers", sexagesimal_integers_read_pci_slots_as_numbers },
	{ "floats_need_a_dot_and_a_signed_exponent", floats_need_a_dot_and_a_signed_exponent },
	{ "infinity_and_nan_are_refused_with_their_position", infinity_and_nan_are_refused_with_their_position },
	{ "values_a_later_duplicate_key_drops_are_not_refused", values_a_later_duplicate_key_drops_are_not_refused },
	{ "nulls_are_tilde_null_and_nothing", nulls_are_tilde_null_and_nothing },
	{ "timestamps_print_as_isoformat", timestamps_print_as_isoformat },
	{ "impossible_dates_are_errors", impossible_dates_are_errors },
	{ "explicit_tags_convert_the_text", explicit_tags_convert_the_text },
	{ "explicit_tags_that_do_not_fit_are_errors", explicit_tags_that_do_not_fit_are_errors },
	{ "binary_and_set_are_refused", binary_and_set_are_refused },
	{ "omap_and_pairs_are_lists_of_pairs", omap_and_pairs_are_lists_of_pairs },
	{ "unsafe_prints_as_ansible_unsafe", unsafe_prints_as_ansible_unsafe },
	{ "vault_values_print_as_ansible_vault", vault_values_print_as_ansible_vault },
	{ "vault_encrypted_files_are_refused", vault_encrypted_files_are_refused },
	{ "aliases_repeat_the_anchored_value", aliases_repeat_the_anchored_value },
	{ "aliases_do_not_share_the_value_returned", aliases_do_not_share_the_value_returned },
	{ "alias_bombs_are_refused", alias_bombs_are_refused },
	{ "recursive_aliases_are_refused", recursive_aliases_are_refused },
	{ "undefined_and_repeated_anchors_are_errors", undefined_and_repeated_anchors_are_errors },
	{ "merge_keys_merge_in_order", merge_keys_merge_in_order },
	{ "merge_keys_take_only_mappings", merge_keys_take_only_mappings },
	{ "duplicate_keys_keep_the_last_value_with_ansibles_warning",
	  duplicate_keys_keep_the_last_value_with_ansibles_warning },
	{ "keys_that_are_not_strings_print_as_json_dumps_writes_them",
	  keys_that_are_not_strings_print_as_json_dumps_writes_them },
	{ "collections_as_keys_are_errors", collections_as_keys_are_errors },
	{ "dates_as_keys_are_refused", dates_as_keys_are_refused },
	{ "several_documents_are_an_error", several_documents_are_an_error },
	{ "empty_documents_are_null", empty_documents_are_null },
	{ "a_byte_order_mark_is_skipped", a_byte_order_mark_is_skipped },
	{ "invalid_utf8_is_refused_with_its_position", invalid_utf8_is_refused_with_its_position },
	{ "tabs_cannot_indent", tabs_cannot_indent },
	{ "integers_beyond_64_bits_are_refused", integers_beyond_64_bits_are_refused },
	{ "json_is_read_first", json_is_read_first },
	{ "json_lone_surrogates_are_refused", json_lone_surrogates_are_refused },
	{ "json_objects_with_ansible_keys_become_vault_and_unsafe", json_objects_with_ansible_keys_become_vault_and_unsafe },
	{ "syntax_errors_name_line_and_column", syntax_errors_name_line_and_column },
	{ "nesting_deeper_than_the_limit_is_refused", nesting_deeper_than_the_limit_is_refused },
	{ "nul_characters_stay_in_values", nul_characters_stay_in_values },
	{ "large_documents_are_read_in_linear_time", large_documents_are_read_in_linear_time },
	{ "key_types_are_pythons", key_types_are_pythons },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	int r = harness_main(tests, argc, argv);

	strvec_clear(&warnings);
	return r;
}
