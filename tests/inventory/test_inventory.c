/*
 * The inventory library, one behaviour a test. What Ansible does with each
 * input was checked against ansible-core 2.14 (Debian 12); the comparison
 * tests in this directory keep checking it on the samples.
 */
// ctest: PREFIX inventory.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "inventory.h"

#define FILE_NAME "t.ini"

static struct inventory *
parse(const char *text)
{
	struct inventory *inv = NULL;
	char err[512];

	if (inventory_parse(&inv, FILE_NAME, text, strlen(text), err, sizeof(err)) < 0) {
		fprintf(stderr, "unexpected parse error: %s\n", err);
		harness_failures++;
		return NULL;
	}
	return inv;
}

/* The message of a parse that must fail, "" when it succeeded. */
static const char *
parse_error(const char *text)
{
	static char err[512];
	struct inventory *inv = NULL;

	if (inventory_parse(&inv, FILE_NAME, text, strlen(text), err, sizeof(err)) == 0) {
		inventory_free(inv);
		return "";
	}
	CHECK(inv == NULL);
	return err;
}

#define CHECK_ERROR(text, want) CHECK_STR(parse_error(text), want)

static size_t
host_index(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inventory_host_count(inv); i++) {
		if (strcmp(inventory_host_name(inv, i), name) == 0)
			return i;
	}
	return SIZE_MAX;
}

/* "a b c": the host names in inventory order */
static const char *
hosts(const struct inventory *inv)
{
	static char buf[4096];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; inv && i < inventory_host_count(inv); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "", inventory_host_name(inv, i));
	return buf;
}

static const char *
var(const struct inventory *inv, const char *host, const char *key)
{
	size_t i = host_index(inv, host);

	return i == SIZE_MAX ? "(no such host)" : inventory_host_var(inv, i, key);
}

/* the variable's JSON value, compact */
static const char *
var_json(const struct inventory *inv, const char *host, const char *key)
{
	static char buf[1024];
	size_t i = host_index(inv, host);
	const json_t *j;
	char *s;

	if (i == SIZE_MAX || (j = inventory_host_var_json(inv, i, key)) == NULL)
		return "(unset)";
	s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
	snprintf(buf, sizeof(buf), "%s", s ? s : "(null)");
	free(s);
	return buf;
}

/* the hosts PATTERN selects, "a b", or "error: ..." */
static const char *
match(const struct inventory *inv, const char *pattern)
{
	static char buf[4096];
	size_t n = inventory_host_count(inv), o = 0;
	unsigned char *sel = malloc(n ? n : 1);
	char err[256];

	memset(sel, 0xaa, n ? n : 1);
	buf[0] = '\0';
	if (inventory_match(inv, pattern, sel, err, sizeof(err)) < 0) {
		snprintf(buf, sizeof(buf), "error: %s", err);
	} else {
		for (size_t i = 0; i < n; i++) {
			CHECK(sel[i] == 0 || sel[i] == 1);
			if (sel[i] == 1)
				o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? " " : "",
						      inventory_host_name(inv, i));
		}
	}
	free(sel);
	return buf;
}

/* one group's entry of the --list JSON, compact, or "(absent)" */
static const char *
list_group(const struct inventory *inv, const char *group)
{
	static char buf[2048];
	json_t *j = inventory_to_json(inv), *g;
	char *s;

	CHECK(j != NULL);
	g = json_object_get(j, group);
	s = g ? json_dumps(g, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	snprintf(buf, sizeof(buf), "%s", s ? s : "(absent)");
	free(s);
	json_decref(j);
	return buf;
}

static void
ranges_keep_zero_padding(void)
{
	struct inventory *inv = parse("[nodes]\nnode[01:03]\npve[008:011].lab\n");

	CHECK_STR(hosts(inv), "node01 node02 node03 pve008.lab pve009.lab pve010.lab pve011.lab");
	inventory_free(inv);
}

static void
ranges_take_a_step(void)
{
	struct inventory *inv = parse("n[1:10:3]\nm[01:09:4]\nk[5:1:-2]\n");

	/* a negative step counts down, like Python's range() */
	CHECK_STR(hosts(inv), "n1 n4 n7 n10 m01 m05 m09 k5 k3");
	inventory_free(inv);
}

static void
ranges_of_letters(void)
{
	struct inventory *inv = parse("h[a:c]\nx[y:B:2]\n");

	/* string.ascii_letters order: a..z then A..Z */
	CHECK_STR(hosts(inv), "ha hb hc xy xA");
	inventory_free(inv);
}

static void
ranges_combine_in_one_name(void)
{
	struct inventory *inv = parse("db[1:2]-[a:b].example.com\n");

	CHECK_STR(hosts(inv), "db1-a.example.com db1-b.example.com db2-a.example.com db2-b.example.com");
	inventory_free(inv);
}

static void
reversed_range_expands_to_no_host(void)
{
	/* Ansible accepts it: range(3, 2) is empty */
	struct inventory *inv = parse("n[3:1]\nok\n");

	CHECK_STR(hosts(inv), "ok");
	inventory_free(inv);
}

static void
host_port_becomes_ansible_port(void)
{
	struct inventory *inv = parse("web1:2222\n[::1]:2200\nn[1:2]:2022 x=1\nweb1:9999\nplain\n");

	CHECK_STR(hosts(inv), "web1 ::1 n1 n2 plain");
	/* the port of the first line naming a host is the one kept */
	CHECK_STR(var(inv, "web1", "ansible_port"), "2222");
	CHECK_STR(var_json(inv, "web1", "ansible_port"), "2222");
	CHECK_STR(var(inv, "::1", "ansible_port"), "2200");
	CHECK_STR(var(inv, "n2", "ansible_port"), "2022");
	CHECK(var(inv, "plain", "ansible_port") == NULL);
	inventory_free(inv);
}

static void
ipv6_address_without_brackets_has_no_port(void)
{
	struct inventory *inv = parse("fe80::1\n");

	CHECK_STR(hosts(inv), "fe80::1");
	CHECK(var(inv, "fe80::1", "ansible_port") == NULL);
	inventory_free(inv);
}

static void
quoting_follows_shlex(void)
{
	struct inventory *inv = parse("h a=\"x y\" b='c d' c=e\\ f d=\"q\\\"q\" e='s\\n' f=\"'03#pa'\" g=\"\"\n"
				      "\"host with space\" k=1\n");

	CHECK_STR(var(inv, "h", "a"), "x y");
	CHECK_STR(var(inv, "h", "b"), "c d");
	CHECK_STR(var(inv, "h", "c"), "e f");
	CHECK_STR(var(inv, "h", "d"), "q\"q");
	/* single quotes keep backslashes */
	CHECK_STR(var(inv, "h", "e"), "s\\n");
	/* the inner quotes make a Python string: '#' survives and the value stays a string */
	CHECK_STR(var(inv, "h", "f"), "03#pa");
	CHECK_STR(var_json(inv, "h", "f"), "\"03#pa\"");
	CHECK_STR(var(inv, "h", "g"), "");
	CHECK(host_index(inv, "host with space") != SIZE_MAX);
	inventory_free(inv);
}

static void
comments_with_hash_and_semicolon(void)
{
	struct inventory *inv = parse("# a comment\n; another\n  # indented\n[web] # trailing\n"
				      "w1 a=1 # b=2\nw2#not-a-host\n[web:vars]\nv = x # kept: vars values are whole\n");

	CHECK_STR(hosts(inv), "w1 w2");
	CHECK_STR(var(inv, "w1", "a"), "1");
	CHECK(var(inv, "w1", "b") == NULL);
	CHECK_STR(var(inv, "w1", "v"), "x # kept: vars values are whole");
	inventory_free(inv);
}

static void
values_are_typed_like_python_literals(void)
{
	struct inventory *inv = parse("h i=22 f=1.5 t=True n=None l=[1,2] d=\"{'a':[None]}\" s=yes q=\"'22'\" "
				      "z=01 x=0x10 u=1_000 neg=-5 tup=\"(1,)\"\n"
				      "[all:vars]\nvi=8080\nvs=\"quoted\"\nvw=two words\n");

	CHECK_STR(var_json(inv, "h", "i"), "22");
	CHECK_STR(var_json(inv, "h", "f"), "1.5");
	CHECK_STR(var_json(inv, "h", "t"), "true");
	CHECK_STR(var_json(inv, "h", "n"), "null");
	CHECK_STR(var_json(inv, "h", "l"), "[1,2]");
	CHECK_STR(var_json(inv, "h", "d"), "{\"a\":[null]}");
	CHECK_STR(var_json(inv, "h", "s"), "\"yes\"");
	CHECK_STR(var_json(inv, "h", "q"), "\"22\"");
	/* a leading zero is a SyntaxError in Python 3: the text stays a string */
	CHECK_STR(var_json(inv, "h", "z"), "\"01\"");
	CHECK_STR(var_json(inv, "h", "x"), "16");
	CHECK_STR(var_json(inv, "h", "u"), "1000");
	CHECK_STR(var_json(inv, "h", "neg"), "-5");
	CHECK_STR(var_json(inv, "h", "tup"), "[1]");
	/* ansible-core 2.14 evaluates [group:vars] values the same way */
	CHECK_STR(var_json(inv, "h", "vi"), "8080");
	CHECK_STR(var_json(inv, "h", "vs"), "\"quoted\"");
	CHECK_STR(var_json(inv, "h", "vw"), "\"two words\"");
	inventory_free(inv);
}

static void
values_keep_their_string_form(void)
{
	struct inventory *inv = parse("h t=True p=22 l=[1,2] s=\"'x y'\" hex=0x10\n");

	CHECK_STR(var(inv, "h", "t"), "True");
	CHECK_STR(var(inv, "h", "p"), "22");
	CHECK_STR(var(inv, "h", "l"), "[1,2]");
	CHECK_STR(var(inv, "h", "s"), "x y");
	CHECK_STR(var(inv, "h", "hex"), "0x10");
	inventory_free(inv);
}

static void
precedence_all_parent_child_host(void)
{
	struct inventory *inv = parse("[all:vars]\nv=all\na=all\n"
				      "[parent:children]\nchild\n"
				      "[parent:vars]\nv=parent\np=parent\na=parent\n"
				      "[child]\nh1 v=host\nh2\n"
				      "[child:vars]\nv=child\nc=child\n");

	CHECK_STR(var(inv, "h1", "v"), "host");
	CHECK_STR(var(inv, "h2", "v"), "child");
	CHECK_STR(var(inv, "h2", "p"), "parent");
	CHECK_STR(var(inv, "h2", "a"), "parent");
	CHECK_STR(var(inv, "h2", "c"), "child");
	inventory_free(inv);
}

static void
precedence_deeper_group_wins_over_declaration_order(void)
{
	/* depth counts from `all`: top (1) < mid (2) < leaf (3), whatever the order */
	struct inventory *inv = parse("[leaf]\nh\n[leaf:vars]\nv=leaf\n"
				      "[top:vars]\nv=top\n[mid:vars]\nv=mid\n"
				      "[top:children]\nmid\n[mid:children]\nleaf\n"
				      "[other]\nh\n[other:vars]\nv=other\n");

	CHECK_STR(var(inv, "h", "v"), "leaf");
	inventory_free(inv);
}

static void
precedence_siblings_by_name(void)
{
	struct inventory *inv = parse("[zeta]\nh\n[alpha]\nh\n[zeta:vars]\nv=zeta\n[alpha:vars]\nv=alpha\n");

	/* same depth: the later name in sort order wins */
	CHECK_STR(var(inv, "h", "v"), "zeta");
	inventory_free(inv);
}

static void
precedence_group_priority_before_name(void)
{
	struct inventory *inv = parse("[zeta]\nh\n[alpha]\nh\n[zeta:vars]\nv=zeta\n"
				      "[alpha:vars]\nv=alpha\nansible_group_priority=10\n");

	CHECK_STR(var(inv, "h", "v"), "alpha");
	/* the priority is not a variable */
	CHECK(var(inv, "h", "ansible_group_priority") == NULL);
	inventory_free(inv);
}

static void
host_lines_repeat_and_override(void)
{
	struct inventory *inv = parse("[a]\nh x=1 y=1\n[b]\nh x=2\n");

	CHECK_STR(hosts(inv), "h");
	CHECK_STR(var(inv, "h", "x"), "2");
	CHECK_STR(var(inv, "h", "y"), "1");
	inventory_free(inv);
}

static void
hosts_keep_file_order(void)
{
	struct inventory *inv = parse("zz\n[g2]\nbb\naa\n[g1]\ncc\nzz\nbb\n[g2:children]\ng1\n");

	CHECK_STR(hosts(inv), "zz bb aa cc");
	inventory_free(inv);
}

static void
ungrouped_holds_hosts_of_no_group(void)
{
	struct inventory *inv = parse("lone\nboth\n[g]\nboth\n[all]\nonly_all\n");

	CHECK_STR(list_group(inv, "ungrouped"), "{\"hosts\":[\"lone\",\"only_all\"]}");
	CHECK_STR(list_group(inv, "g"), "{\"hosts\":[\"both\"]}");
	CHECK_STR(list_group(inv, "all"), "{\"children\":[\"ungrouped\",\"g\"]}");
	inventory_free(inv);
}

static void
children_may_be_declared_later(void)
{
	struct inventory *inv = parse("[pve:children]\npve8\npve9\n[pve9]\nc\n[pve8]\na\nb\n[pve:vars]\nx=1\n");

	CHECK_STR(list_group(inv, "pve"), "{\"children\":[\"pve9\",\"pve8\"]}");
	CHECK_STR(list_group(inv, "all"), "{\"children\":[\"ungrouped\",\"pve\"]}");
	CHECK_STR(var(inv, "a", "x"), "1");
	CHECK_STR(match(inv, "pve"), "c a b");
	inventory_free(inv);
}

static void
empty_groups_are_listed_as_children_only(void)
{
	struct inventory *inv = parse("[empty]\n[parent:children]\nempty\n[alone]\n");

	CHECK_STR(list_group(inv, "empty"), "(absent)");
	CHECK_STR(list_group(inv, "alone"), "(absent)");
	CHECK_STR(list_group(inv, "parent"), "{\"children\":[\"empty\"]}");
	CHECK_STR(list_group(inv, "all"), "{\"children\":[\"ungrouped\",\"parent\",\"alone\"]}");
	inventory_free(inv);
}

static void
host_named_like_a_group_gives_it_its_vars(void)
{
	/* InventoryData.set_variable() looks among groups first */
	struct inventory *inv = parse("[web]\nweb x=1\nother\n");

	CHECK(var(inv, "web", "x") && strcmp(var(inv, "web", "x"), "1") == 0);
	CHECK_STR(var(inv, "other", "x"), "1");
	inventory_free(inv);
}

static void
crlf_and_form_feed_end_lines(void)
{
	struct inventory *inv = parse("[g]\r\na x=1\r\nb\fc\r\n");

	CHECK_STR(hosts(inv), "a b c");
	CHECK_STR(var(inv, "a", "x"), "1");
	/* a form feed ends a line for Python's splitlines(): errors count it */
	CHECK_ERROR("a\fb c\n", "t.ini:2: expected key=value host variable assignment, got 'c'");
	inventory_free(inv);
}

static void
vars_are_listed_sorted_by_key(void)
{
	struct inventory *inv = parse("h b=2 a=1\n[all:vars]\nc=3\na=0\n");
	const char *k, *v;

	CHECK(inventory_host_var_count(inv, 0) == 3);
	inventory_host_var_at(inv, 0, 0, &k, &v);
	CHECK_STR(k, "a");
	CHECK_STR(v, "1");
	inventory_host_var_at(inv, 0, 2, &k, &v);
	CHECK_STR(k, "c");
	CHECK_STR(v, "3");
	inventory_free(inv);
}

static void
error_unknown_section_type(void)
{
	CHECK_ERROR("[g]\nh\n[g:foo]\n", "t.ini:3: section '[g:foo]' has unknown type 'foo'");
}

static void
error_undefined_child_group(void)
{
	CHECK_ERROR("[p:children]\nc1\nmissing\n[c1]\nh\n",
		    "t.ini:3: section '[p:children]' includes undefined group 'missing'");
	/* [g:vars] alone does not define g */
	CHECK_ERROR("[p:children]\nc\n[c:vars]\nx=1\n", "t.ini:2: section '[p:children]' includes undefined group 'c'");
}

static void
error_vars_of_undefined_group(void)
{
	CHECK_ERROR("h\n[nowhere:vars]\nx=1\n", "t.ini:2: section '[nowhere:vars]' is not valid for undefined group 'nowhere'");
}

static void
error_vars_line_without_equals(void)
{
	CHECK_ERROR("[g]\nh\n[g:vars]\nx=1\njustaword\n", "t.ini:5: expected key=value, got 'justaword'");
}

static void
error_host_var_without_equals(void)
{
	CHECK_ERROR("h1\nh2 a=1 oops\n", "t.ini:2: expected key=value host variable assignment, got 'oops'");
}

static void
error_unterminated_quote(void)
{
	CHECK_ERROR("h1\nh2 a=\"open\n",
		    "t.ini:2: error parsing host definition 'h2 a=\"open': No closing quotation");
	CHECK_ERROR("h x=a\\\n", "t.ini:1: error parsing host definition 'h x=a\\': No escaped character");
}

static void
error_bad_ranges(void)
{
	CHECK_ERROR("\n\nn[1:x]\n",
		    "t.ini:3: invalid host range in 'n[1:x]': invalid literal for int() with base 10: 'x'");
	CHECK_ERROR("n[01:5]\n",
		    "t.ini:1: invalid host range in 'n[01:5]': host range must specify equal-length begin and end formats");
	CHECK_ERROR("n[c:a]\n", "t.ini:1: invalid host range in 'n[c:a]': host range must have begin <= end");
	CHECK_ERROR("n[1:5:0]\n", "t.ini:1: invalid host range in 'n[1:5:0]': range() arg 3 must not be zero");
	CHECK_ERROR("n[1]\n",
		    "t.ini:1: invalid host range in 'n[1]': host range must be begin:end or begin:end:step");
	CHECK_ERROR("n[1:]\n", "t.ini:1: invalid host range in 'n[1:]': host range must specify end value");
	CHECK_ERROR("n[1:2\n",
		    "t.ini:1: invalid host range in 'n[1:2': not enough values to unpack (expected 3, got 2)");
	CHECK_ERROR("n[1:99999999]\n",
		    "t.ini:1: invalid host range in 'n[1:99999999]': host range expands to more than 100000 hosts");
	CHECK_ERROR("n[1:1000][1:1000]\n",
		    "t.ini:1: invalid host range in 'n[1:1000][1:1000]': host range expands to more than 100000 hosts");
}

static void
error_empty_host_name(void)
{
	CHECK_ERROR("[g]\nok\n'' x=1\n", "t.ini:3: empty host name");
}

static void
error_section_with_spaces(void)
{
	CHECK_ERROR("[ web ]\n",
		    "t.ini:1: invalid section entry '[ web ]': make sure that there are no spaces in the section "
		    "entry, and that there are no other invalid characters");
}

static void
error_group_name_in_children(void)
{
	CHECK_ERROR("[p:children]\ntwo words\n", "t.ini:2: expected group name, got 'two words'");
}

static void
error_group_loops(void)
{
	CHECK_ERROR("[a:children]\na\n", "t.ini:2: group 'a' cannot be a child of itself");
	CHECK_ERROR("[a:children]\nb\n[b:children]\na\n",
		    "t.ini:4: adding group 'a' as child to 'b' creates a recursive dependency loop");
}

static void
error_port_separator_without_port(void)
{
	CHECK_ERROR("h:\n",
		    "t.ini:1: invalid host pattern 'h:': ending in ':' is not allowed, this character is reserved to provide a port");
}

static void
error_yaml_document(void)
{
	CHECK_ERROR("---\nall:\n", "t.ini:1: invalid host pattern '---': '---' is normally a sign this is a YAML file");
}

static void
error_bad_group_priority(void)
{
	CHECK_ERROR("[g]\nh\n[g:vars]\nansible_group_priority=high\n",
		    "t.ini:4: invalid ansible_group_priority 'high' for group 'g': not an integer");
}

static void
error_invalid_utf8_outside_comments(void)
{
	struct inventory *inv = parse("# caf\xe9 in latin-1 is fine in a comment\nh\n");

	CHECK_STR(hosts(inv), "h");
	inventory_free(inv);
	CHECK_ERROR("# ok\nh x=caf\xe9\n", "t.ini:2: invalid UTF-8");
}

static void
error_load_names_the_file(void)
{
	struct inventory *inv = NULL;
	char err[256];

	CHECK(inventory_load(&inv, "/nonexistent/orch-inventory.ini", err, sizeof(err)) == -1);
	CHECK(inv == NULL);
	CHECK_STR(err, "/nonexistent/orch-inventory.ini: cannot open: No such file or directory");
}

static const char *const pattern_inventory =
	"[pve8]\nnode1\nnode2\n[pve9]\nnode3\nnode4\n[gpu]\nnode2\nnode3\n"
	"[lab:children]\npve8\n[edge]\nedge-1.example.com\n";

static void
patterns_names_groups_and_all(void)
{
	struct inventory *inv = parse(pattern_inventory);

	CHECK_STR(match(inv, "node3"), "node3");
	CHECK_STR(match(inv, "pve9"), "node3 node4");
	CHECK_STR(match(inv, "lab"), "node1 node2");
	CHECK_STR(match(inv, "all"), "node1 node2 node3 node4 edge-1.example.com");
	CHECK_STR(match(inv, "*"), "node1 node2 node3 node4 edge-1.example.com");
	CHECK_STR(match(inv, ""), "node1 node2 node3 node4 edge-1.example.com");
	inventory_free(inv);
}

static void
patterns_globs_and_regex(void)
{
	struct inventory *inv = parse(pattern_inventory);

	/* "node[12]" would be the subscript 12 of "node": Ansible reads it so */
	CHECK_STR(match(inv, "node[!34]"), "node1 node2");
	CHECK_STR(match(inv, "*.example.com"), "edge-1.example.com");
	CHECK_STR(match(inv, "pve*"), "node1 node2 node3 node4");
	CHECK_STR(match(inv, "~node[34]"), "node3 node4");
	CHECK_STR(match(inv, "~(edge|node1)"), "node1 edge-1.example.com");
	CHECK_STR(match(inv, "~node("), "error: invalid host list pattern '~node('");
	inventory_free(inv);
}

static void
patterns_union_intersection_exclusion(void)
{
	struct inventory *inv = parse(pattern_inventory);

	CHECK_STR(match(inv, "pve8,edge"), "node1 node2 edge-1.example.com");
	CHECK_STR(match(inv, "pve8:edge"), "node1 node2 edge-1.example.com");
	CHECK_STR(match(inv, "pve8:pve9:&gpu"), "node2 node3");
	CHECK_STR(match(inv, "all:!gpu"), "node1 node4 edge-1.example.com");
	CHECK_STR(match(inv, "!gpu"), "node1 node4 edge-1.example.com");
	CHECK_STR(match(inv, "pve*,!node4, &gpu"), "node2 node3");
	inventory_free(inv);
}

static void
patterns_subscripts(void)
{
	struct inventory *inv = parse(pattern_inventory);

	CHECK_STR(match(inv, "pve9[0]"), "node3");
	CHECK_STR(match(inv, "pve9[-1]"), "node4");
	/* all.get_hosts() order: node3 node4 node2 edge-1 node1 (lab's pve8 is a level deeper) */
	CHECK_STR(match(inv, "all[1:2]"), "node2 node4");
	CHECK_STR(match(inv, "all[3:]"), "node1 edge-1.example.com");
	CHECK_STR(match(inv, "pve9[5]"), "error: no hosts matched the subscripted pattern 'pve9[5]'");
	inventory_free(inv);
}

static void
patterns_that_match_nothing_are_errors(void)
{
	struct inventory *inv = parse(pattern_inventory);

	CHECK_STR(match(inv, "pve7"), "error: could not match supplied host pattern 'pve7'");
	CHECK_STR(match(inv, "pve8,nod*x"), "error: could not match supplied host pattern 'nod*x'");
	CHECK_STR(match(inv, "all:!nosuch"), "error: could not match supplied host pattern 'nosuch'");
	inventory_free(inv);
}

static void
patterns_leave_selection_alone_on_error(void)
{
	struct inventory *inv = parse(pattern_inventory);
	unsigned char sel[5] = { 7, 7, 7, 7, 7 };
	char err[128];

	CHECK(inventory_match(inv, "nosuch", sel, err, sizeof(err)) == -1);
	CHECK(sel[0] == 7 && sel[4] == 7);
	inventory_free(inv);
}

static void
list_json_matches_ansible_shape(void)
{
	struct inventory *inv = parse("h0 a=1\n[web]\nw[1:2]:2222\n[web:vars]\nhttp=8080\n[db:children]\nweb\n");
	json_t *j = inventory_to_json(inv);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	CHECK_STR(s, "{\"_meta\":{\"hostvars\":{\"h0\":{\"a\":1},\"w1\":{\"ansible_port\":2222,\"http\":8080},"
		     "\"w2\":{\"ansible_port\":2222,\"http\":8080}}},\"all\":{\"children\":[\"ungrouped\",\"db\"]},"
		     "\"db\":{\"children\":[\"web\"]},\"ungrouped\":{\"hosts\":[\"h0\"]},\"web\":{\"hosts\":[\"w1\",\"w2\"]}}");
	free(s);
	json_decref(j);
	inventory_free(inv);
}

static void
large_inventory_parses(void)
{
	size_t cap = 10000 * 48, o = 0;
	char *text = malloc(cap);
	struct inventory *inv;

	o += (size_t)snprintf(text + o, cap - o, "[nodes]\n");
	for (int i = 0; i < 10000; i++)
		o += (size_t)snprintf(text + o, cap - o, "node%05d ansible_host=10.%d.%d.1\n", i, i / 256, i % 256);
	inv = parse(text);
	CHECK(inv && inventory_host_count(inv) == 10000);
	if (inv) {
		CHECK_STR(var(inv, "node09999", "ansible_host"), "10.39.15.1");
		CHECK_STR(inventory_host_name(inv, 9999), "node09999");
	}
	inventory_free(inv);
	free(text);
}

static const struct test_case tests[] = {
	{ "ranges_keep_zero_padding", ranges_keep_zero_padding },
	{ "ranges_take_a_step", ranges_take_a_step },
	{ "ranges_of_letters", ranges_of_letters },
	{ "ranges_combine_in_one_name", ranges_combine_in_one_name },
	{ "reversed_range_expands_to_no_host", reversed_range_expands_to_no_host },
	{ "host_port_becomes_ansible_port", host_port_becomes_ansible_port },
	{ "ipv6_address_without_brackets_has_no_port", ipv6_address_without_brackets_has_no_port },
	{ "quoting_follows_shlex", quoting_follows_shlex },
	{ "comments_with_hash_and_semicolon", comments_with_hash_and_semicolon },
	{ "values_are_typed_like_python_literals", values_are_typed_like_python_literals },
	{ "values_keep_their_string_form", values_keep_their_string_form },
	{ "precedence_all_parent_child_host", precedence_all_parent_child_host },
	{ "precedence_deeper_group_wins_over_declaration_order", precedence_deeper_group_wins_over_declaration_order },
	{ "precedence_siblings_by_name", precedence_siblings_by_name },
	{ "precedence_group_priority_before_name", precedence_group_priority_before_name },
	{ "host_lines_repeat_and_override", host_lines_repeat_and_override },
	{ "hosts_keep_file_order", hosts_keep_file_order },
	{ "ungrouped_holds_hosts_of_no_group", ungrouped_holds_hosts_of_no_group },
	{ "children_may_be_declared_later", children_may_be_declared_later },
	{ "empty_groups_are_listed_as_children_only", empty_groups_are_listed_as_children_only },
	{ "host_named_like_a_group_gives_it_its_vars", host_named_like_a_group_gives_it_its_vars },
	{ "crlf_and_form_feed_end_lines", crlf_and_form_feed_end_lines },
	{ "vars_are_listed_sorted_by_key", vars_are_listed_sorted_by_key },
	{ "error_unknown_section_type", error_unknown_section_type },
	{ "error_undefined_child_group", error_undefined_child_group },
	{ "error_vars_of_undefined_group", error_vars_of_undefined_group },
	{ "error_vars_line_without_equals", error_vars_line_without_equals },
	{ "error_host_var_without_equals", error_host_var_without_equals },
	{ "error_unterminated_quote", error_unterminated_quote },
	{ "error_bad_ranges", error_bad_ranges },
	{ "error_empty_host_name", error_empty_host_name },
	{ "error_section_with_spaces", error_section_with_spaces },
	{ "error_group_name_in_children", error_group_name_in_children },
	{ "error_group_loops", error_group_loops },
	{ "error_port_separator_without_port", error_port_separator_without_port },
	{ "error_yaml_document", error_yaml_document },
	{ "error_bad_group_priority", error_bad_group_priority },
	{ "error_invalid_utf8_outside_comments", error_invalid_utf8_outside_comments },
	{ "error_load_names_the_file", error_load_names_the_file },
	{ "patterns_names_groups_and_all", patterns_names_groups_and_all },
	{ "patterns_globs_and_regex", patterns_globs_and_regex },
	{ "patterns_union_intersection_exclusion", patterns_union_intersection_exclusion },
	{ "patterns_subscripts", patterns_subscripts },
	{ "patterns_that_match_nothing_are_errors", patterns_that_match_nothing_are_errors },
	{ "patterns_leave_selection_alone_on_error", patterns_leave_selection_alone_on_error },
	{ "list_json_matches_ansible_shape", list_json_matches_ansible_shape },
	{ "large_inventory_parses", large_inventory_parses },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return harness_main(tests, argc, argv);
}
