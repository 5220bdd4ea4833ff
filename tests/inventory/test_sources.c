/*
 * Inventory sources on disk, one behaviour a test: vars files beside each
 * source, the yaml plugin, directories, several sources, and the refusals
 * with their messages. Each test builds its tree in a fresh temporary
 * directory and reads it with paths relative to it, as a user names them.
 * What Ansible does with each tree was checked against ansible-core 2.14;
 * compare_trees.py keeps checking it on random trees.
 */
// ctest: PREFIX inventory.
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "inventory.h"

static char root[64];
static char last_err[4096];

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* a fresh tree as the working directory */
static void
tree(void)
{
	if (root[0]) {
		CHECK(chdir("/") == 0);
		nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	snprintf(root, sizeof(root), "/tmp/orch-inv-XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	CHECK(chdir(root) == 0);
}

/* writes TEXT at PATH (relative), making its directories */
static void
put(const char *path, const char *text)
{
	char dir[512];
	FILE *f;

	for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(p - path), path);
		mkdir(dir, 0755);
	}
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* reads the sources named in the NULL-terminated list; NULL on refusal,
 * with the message in last_err */
static struct inventory *
load_v(const char *first, va_list ap)
{
	const char *paths[8];
	size_t n = 0;
	struct inventory *inv = NULL;

	for (const char *p = first; p && n < 8; p = va_arg(ap, const char *))
		paths[n++] = p;
	last_err[0] = '\0';
	if (inventory_load_sources(&inv, paths, n, last_err, sizeof(last_err)) < 0) {
		CHECK(inv == NULL);
		return NULL;
	}
	return inv;
}

static struct inventory *
load(const char *first, ...)
{
	struct inventory *inv;
	va_list ap;

	va_start(ap, first);
	inv = load_v(first, ap);
	va_end(ap);
	if (inv == NULL) {
		fprintf(stderr, "unexpected refusal: %s\n", last_err);
		harness_failures++;
	}
	return inv;
}

/* the message of a load that must fail, "" when it succeeded */
static const char *
refusal(const char *first, ...)
{
	struct inventory *inv;
	va_list ap;

	va_start(ap, first);
	inv = load_v(first, ap);
	va_end(ap);
	if (inv) {
		inventory_free(inv);
		return "";
	}
	return last_err;
}

static size_t
host_index(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; inv && i < inventory_host_count(inv); i++) {
		if (strcmp(inventory_host_name(inv, i), name) == 0)
			return i;
	}
	return SIZE_MAX;
}

static const char *
var(const struct inventory *inv, const char *host, const char *key)
{
	size_t i = host_index(inv, host);
	const char *v;

	if (i == SIZE_MAX)
		return "(no such host)";
	v = inventory_host_var(inv, i, key);
	return v ? v : "(unset)";
}

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

static const char *
origin(const struct inventory *inv, const char *host, const char *key)
{
	size_t i = host_index(inv, host);
	const char *o = i == SIZE_MAX ? NULL : inventory_host_var_origin(inv, i, key);

	return o ? o : "(unset)";
}

/* every warning, joined by " | " */
static const char *
warnings(const struct inventory *inv)
{
	static char buf[8192];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t k = 0; inv && k < inventory_warning_count(inv); k++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", k ? " | " : "", inventory_warning(inv, k));
	return buf;
}

/* "a b c": host names in inventory order */
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

/* one group's entry of the --list JSON, compact */
static const char *
list_group(const struct inventory *inv, const char *group)
{
	static char buf[2048];
	json_t *j = inventory_to_json(inv), *g;
	char *s;

	g = json_object_get(j, group);
	s = g ? json_dumps(g, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	snprintf(buf, sizeof(buf), "%s", s ? s : "(absent)");
	free(s);
	json_decref(j);
	return buf;
}

/* ---- vars files ---- */

static void
group_vars_in_every_file_form(void)
{
	struct inventory *inv;

	tree();
	put("inv/hosts.ini", "[a]\nh1\n[b]\nh2\n[c]\nh3\n[d]\nh4\n");
	put("inv/group_vars/a", "{\"v\": \"extensionless\"}");
	put("inv/group_vars/b.yml", "{\"v\": \"yml\"}");
	put("inv/group_vars/c.yaml", "{\"v\": \"yaml\"}");
	put("inv/group_vars/d.json", "{\"v\": \"json\"}");
	inv = load("inv/hosts.ini", NULL);
	CHECK_STR(var(inv, "h1", "v"), "extensionless");
	CHECK_STR(var(inv, "h2", "v"), "yml");
	CHECK_STR(var(inv, "h3", "v"), "yaml");
	CHECK_STR(var(inv, "h4", "v"), "json");
	CHECK_STR(origin(inv, "h2", "v"), "inv/group_vars/b.yml");
	inventory_free(inv);
}

static void
host_vars_beside_a_file_in_the_working_directory(void)
{
	struct inventory *inv;

	tree();
	put("hosts", "h1 a=inline\n");
	put("host_vars/h1.yml", "{\"a\": \"file\"}");
	inv = load("hosts", NULL);
	CHECK_STR(var(inv, "h1", "a"), "file");
	CHECK_STR(origin(inv, "h1", "a"), "host_vars/h1.yml");
	inventory_free(inv);
}

static void
vars_file_first_existing_name_only(void)
{
	struct inventory *inv;

	tree();
	/* find_vars_files() stops at the first of NAME, NAME.yml, NAME.yaml, NAME.json */
	put("hosts.ini", "[pve]\nn1\n");
	put("group_vars/pve.yml", "{\"x\": \"yml\", \"y\": \"only in yml\"}");
	put("group_vars/pve.json", "{\"x\": \"json\"}");
	inv = load("hosts.ini", NULL);
	CHECK_STR(var(inv, "n1", "x"), "yml");
	CHECK_STR(var(inv, "n1", "y"), "only in yml");
	CHECK_STR(warnings(inv), "group_vars/pve.json: not read: Ansible reads group_vars/pve.yml instead "
				 "(the first of NAME, NAME.yml, NAME.yaml, NAME.json)");
	inventory_free(inv);
}

static void
vars_directory_merged_in_sorted_order(void)
{
	struct inventory *inv;

	tree();
	put("hosts.ini", "[pve]\nn1\n");
	put("group_vars/pve/b.json", "{\"x\": \"b\", \"from_b\": 1}");
	put("group_vars/pve/a.yml", "{\"x\": \"a\", \"y\": \"a\"}");
	put("group_vars/pve/c/d", "{\"y\": \"c/d\"}");
	put("group_vars/pve/.hidden.yml", "{\"x\": \"hidden\"}");
	put("group_vars/pve/e.yml~", "{\"x\": \"backup\"}");
	put("group_vars/pve/notes.txt", "{\"x\": \"txt\"}");
	put("group_vars/pve/x.d/f.yml", "{\"x\": \"x.d\"}");
	inv = load("hosts.ini", NULL);
	CHECK_STR(var(inv, "n1", "x"), "b");
	CHECK_STR(var(inv, "n1", "y"), "c/d");
	CHECK_STR(var(inv, "n1", "from_b"), "1");
	CHECK_STR(origin(inv, "n1", "y"), "group_vars/pve/c/d");
	CHECK_STR(warnings(inv),
		  "group_vars/pve/notes.txt: not read: a vars file must have no extension or end in .yml, .yaml or .json (a directory: no extension) | "
		  "group_vars/pve/x.d: not read: a vars file must have no extension or end in .yml, .yaml or .json (a directory: no extension)");
	inventory_free(inv);
}

static void
precedence_inventory_vars_under_every_vars_file(void)
{
	struct inventory *inv;

	tree();
	/* VARIABLE_PRECEDENCE: all_inventory, groups_inventory, all_plugins_inventory,
	 * groups_plugins_inventory; then the host's inventory vars, then host_vars */
	put("hosts.ini", "[parent:children]\nchild\n[child]\nh1 hv=inline\n"
			 "[all:vars]\na=all_inv\nb=all_inv\nc=all_inv\nd=all_inv\n"
			 "[parent:vars]\nb=parent_inv\nc=parent_inv\n[child:vars]\nc=child_inv\nd=child_inv\n");
	put("group_vars/all.yml", "{\"d\": \"all_file\", \"e\": \"all_file\", \"f\": \"all_file\"}");
	put("group_vars/parent.yml", "{\"e\": \"parent_file\", \"f\": \"parent_file\"}");
	put("group_vars/child.yml", "{\"f\": \"child_file\", \"hv\": \"child_file\"}");
	put("host_vars/h1.yml", "{\"g\": \"host_file\"}");
	inv = load("hosts.ini", NULL);
	CHECK_STR(var(inv, "h1", "a"), "all_inv");
	CHECK_STR(var(inv, "h1", "b"), "parent_inv");
	CHECK_STR(var(inv, "h1", "c"), "child_inv");
	CHECK_STR(var(inv, "h1", "d"), "all_file");     /* group_vars/all over [child:vars] */
	CHECK_STR(var(inv, "h1", "e"), "parent_file");
	CHECK_STR(var(inv, "h1", "f"), "child_file");
	CHECK_STR(var(inv, "h1", "hv"), "inline");      /* host inventory vars over any group_vars */
	CHECK_STR(var(inv, "h1", "g"), "host_file");
	CHECK_STR(origin(inv, "h1", "c"), "hosts.ini");
	inventory_free(inv);
}

static void
precedence_host_vars_over_inline_host_vars(void)
{
	struct inventory *inv;

	tree();
	put("hosts.ini", "h1 ansible_port=22 x=1\n");
	put("host_vars/h1", "{\"ansible_port\": 2222}");
	inv = load("hosts.ini", NULL);
	CHECK_STR(var_json(inv, "h1", "ansible_port"), "2222");
	CHECK_STR(origin(inv, "h1", "ansible_port"), "host_vars/h1");
	CHECK_STR(origin(inv, "h1", "x"), "hosts.ini");
	inventory_free(inv);
}

static void
precedence_later_source_vars_files_over_earlier_ones(void)
{
	struct inventory *inv;

	tree();
	/* sources are the outer loop: the second's group_vars/parent beats the
	 * first's group_vars/child */
	put("one/hosts.ini", "[parent:children]\nchild\n[child]\nh1\n");
	put("one/group_vars/child.yml", "{\"x\": \"one/child\"}");
	put("two/hosts.ini", "[parent]\n");
	put("two/group_vars/parent.yml", "{\"x\": \"two/parent\"}");
	inv = load("one/hosts.ini", "two/hosts.ini", NULL);
	CHECK_STR(var(inv, "h1", "x"), "two/parent");
	inventory_free(inv);
}

static void
vars_file_of_unknown_group_or_host_is_warned_and_not_read(void)
{
	struct inventory *inv;

	tree();
	put("hosts.ini", "[pve]\nn1\n");
	put("group_vars/pvee.yml", "[\"not even a mapping\"]");
	put("host_vars/n2.yml", "{\"x\": 1}");
	inv = load("hosts.ini", NULL);
	CHECK_STR(var(inv, "n1", "x"), "(unset)");
	CHECK_STR(warnings(inv), "group_vars/pvee.yml: not read: no group 'pvee' in the inventory | "
				 "host_vars/n2.yml: not read: no host 'n2' in the inventory");
	inventory_free(inv);
}

static void
vars_file_of_group_without_hosts_is_not_read(void)
{
	struct inventory *inv;

	tree();
	/* Ansible reads vars files host by host: a group with no host is never read */
	put("hosts.ini", "[empty]\n[pve]\nn1\n");
	put("group_vars/empty.yml", "[1]");
	inv = load("hosts.ini", NULL);
	CHECK(inv != NULL);
	inventory_free(inv);
}

static void
vars_file_empty_or_false_is_ignored(void)
{
	struct inventory *inv;

	tree();
	put("hosts.ini", "[a]\nh1\n[b]\nh1\n[c]\nh1\n");
	put("group_vars/a.yml", "");
	put("group_vars/b.json", "[]");
	put("group_vars/c.json", "0");
	inv = load("hosts.ini", NULL);
	CHECK(inv != NULL && inventory_host_var_count(inv, 0) == 0);
	inventory_free(inv);
}

static void
vars_file_keys_that_are_not_identifiers_are_kept(void)
{
	struct inventory *inv;

	tree();
	put("hosts.ini", "h1\n");
	put("host_vars/h1.json", "{\"my-var\": 1, \"1x\": 2, \"a b\": 3}");
	inv = load("hosts.ini", NULL);
	CHECK_STR(var(inv, "h1", "my-var"), "1");
	CHECK_STR(var(inv, "h1", "1x"), "2");
	CHECK_STR(var(inv, "h1", "a b"), "3");
	inventory_free(inv);
}

static void
vars_file_values_keep_their_types(void)
{
	struct inventory *inv;

	tree();
	put("hosts.ini", "h1\n");
	put("host_vars/h1.json", "{\"t\": true, \"f\": false, \"n\": null, \"i\": 22, \"r\": 1.5, \"s\": \"it's\","
				 " \"l\": [1, \"a\", true, null], \"d\": {\"k\": \"v\", \"q\": \"x\\\"'\"}, \"e\": 1e20}");
	inv = load("hosts.ini", NULL);
	/* str() of the value, as Python shows it */
	CHECK_STR(var(inv, "h1", "t"), "True");
	CHECK_STR(var(inv, "h1", "f"), "False");
	CHECK_STR(var(inv, "h1", "n"), "None");
	CHECK_STR(var(inv, "h1", "i"), "22");
	CHECK_STR(var(inv, "h1", "r"), "1.5");
	CHECK_STR(var(inv, "h1", "s"), "it's");
	CHECK_STR(var(inv, "h1", "l"), "[1, 'a', True, None]");
	CHECK_STR(var(inv, "h1", "d"), "{'k': 'v', 'q': 'x\"\\''}");
	CHECK_STR(var(inv, "h1", "e"), "1e+20");
	CHECK_STR(var_json(inv, "h1", "t"), "true");
	CHECK_STR(var_json(inv, "h1", "i"), "22");
	CHECK_STR(var_json(inv, "h1", "l"), "[1,\"a\",true,null]");
	inventory_free(inv);
}

static void
vars_file_yaml_values_typed_as_ansible_types_them(void)
{
	struct inventory *inv;

	tree();
	put("hosts.ini", "h1\n");
	put("host_vars/h1.yml", "a: yes\nb: 0o17\nc: 1_000\nd: ~\ne: '22'\nf: off\n"
				"v: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3132\n");
	inv = load("hosts.ini", NULL);
	CHECK_STR(var_json(inv, "h1", "a"), "true");
	CHECK_STR(var(inv, "h1", "a"), "True");
	CHECK_STR(var_json(inv, "h1", "b"), "\"0o17\"");     /* YAML 1.1 has no 0o */
	CHECK_STR(var_json(inv, "h1", "c"), "1000");
	CHECK_STR(var_json(inv, "h1", "d"), "null");
	CHECK_STR(var_json(inv, "h1", "e"), "\"22\"");
	CHECK_STR(var(inv, "h1", "f"), "False");
	/* a !vault value is read, not refused: only orch's own variables may not be one */
	CHECK_STR(var_json(inv, "h1", "v"), "{\"__ansible_vault\":\"$ANSIBLE_VAULT;1.1;AES256\\n3132\\n\"}");
	CHECK_STR(origin(inv, "h1", "v"), "host_vars/h1.yml");
	inventory_free(inv);
}

static void
unsafe_values_are_strings_printed_as_ansible_prints_them(void)
{
	struct inventory *inv;

	tree();
	put("hosts.yml", "all:\n  hosts:\n    h1:\n      a: !unsafe '10de:1b81'\n      l: [!unsafe 'x', 1]\n");
	inv = load("hosts.yml", NULL);
	CHECK_STR(var(inv, "h1", "a"), "10de:1b81");
	CHECK_STR(var(inv, "h1", "l"), "['x', 1]");
	CHECK_STR(var_json(inv, "h1", "a"), "{\"__ansible_unsafe\":\"10de:1b81\"}");
	inventory_free(inv);
	/* int() takes it as it takes a str: group a ranks after b */
	put("h.yml", "a:\n  hosts: {h1: }\n  vars:\n    ansible_group_priority: !unsafe '5'\n    x: a\n"
		     "b:\n  hosts: {h1: }\n  vars:\n    x: b\n");
	inv = load("h.yml", NULL);
	CHECK_STR(var(inv, "h1", "x"), "a");
	inventory_free(inv);
}

static void
duplicate_key_in_a_vars_file_is_warned(void)
{
	struct inventory *inv;

	tree();
	put("hosts.ini", "[pve]\nn1\n");
	put("group_vars/pve.yml", "a: 1\na: 2\n");
	inv = load("hosts.ini", NULL);
	CHECK_STR(var(inv, "n1", "a"), "2");
	CHECK_STR(warnings(inv), "group_vars/pve.yml:2:1: While constructing a mapping from group_vars/pve.yml, line 1, "
				 "column 1, found a duplicate dict key (a). Using last defined value only.");
	inventory_free(inv);
}

static void
group_vars_that_is_a_file_is_warned(void)
{
	struct inventory *inv;

	tree();
	put("hosts.ini", "h1\n");
	put("group_vars", "x: 1\n");
	inv = load("hosts.ini", NULL);
	CHECK_STR(warnings(inv), "group_vars: Found group_vars that is not a directory, skipping");
	inventory_free(inv);
}

static void
error_vars_file_not_a_mapping(void)
{
	tree();
	put("hosts.ini", "[pve]\nn1\n");
	put("group_vars/pve.yml", "[1, 2]");
	CHECK_STR(refusal("hosts.ini", NULL), "group_vars/pve.yml: a vars file must hold a mapping of variables, not a list");
}

static void
error_vars_file_vault_encrypted(void)
{
	tree();
	put("hosts.ini", "[pve]\nn1\n");
	put("group_vars/pve/vault.yml", "$ANSIBLE_VAULT;1.1;AES256\n6162636465\n");
	CHECK_STR(refusal("hosts.ini", NULL),
		  "group_vars/pve/vault.yml: vault-encrypted file ($ANSIBLE_VAULT header): orch cannot decrypt it");
}

static void
error_vars_file_unparsable_names_file(void)
{
	const char *e;

	tree();
	put("hosts.ini", "h1\n");
	put("host_vars/h1.yml", "{\"a\": [1,\n");
	e = refusal("hosts.ini", NULL);
	CHECK(strncmp(e, "host_vars/h1.yml:", 17) == 0);
}

/* ---- origins ---- */

struct seen {
	char buf[4096];
	size_t o;
};

static void
record(const char *key, const char *origin, void *ctx)
{
	struct seen *s = ctx;

	s->o += (size_t)snprintf(s->buf + s->o, sizeof(s->buf) - s->o, "%s@%s ", key, origin);
}

static void
each_var_reports_every_key_and_file_once(void)
{
	struct inventory *inv;
	struct seen s = { "", 0 };

	tree();
	put("inv/hosts.ini", "[pve]\nn1 a=1\nn2 a=2\n[pve:vars]\nb=1\n");
	put("inv/group_vars/pve/x.yml", "{\"b\": 2, \"c\": 3}");
	put("inv/group_vars/pve/y.yml", "{\"b\": 4}");
	put("inv/host_vars/n1.yml", "{\"a\": 5}");
	inv = load("inv/hosts.ini", NULL);
	inventory_each_var(inv, record, &s);
	CHECK_STR(s.buf, "b@inv/hosts.ini b@inv/group_vars/pve/y.yml c@inv/group_vars/pve/x.yml a@inv/hosts.ini "
			 "a@inv/host_vars/n1.yml ");
	CHECK_STR(origin(inv, "n1", "b"), "inv/group_vars/pve/y.yml");
	CHECK_STR(origin(inv, "n2", "a"), "inv/hosts.ini");
	CHECK_STR(origin(inv, "n2", "nope"), "(unset)");
	inventory_free(inv);
}

/* ---- the yaml plugin ---- */

static void
yaml_inventory_groups_hosts_vars_children(void)
{
	struct inventory *inv;

	tree();
	put("hosts.yml", "{\"all\": {\"vars\": {\"a\": 1}, \"children\": {\"pve\": {\"hosts\": {\"n1\": {\"ansible_host\": \"10.0.0.1\"},"
			 " \"n2\": null}, \"vars\": {\"passthrough\": \"10de:1b81\"}, \"children\": {\"gpu\": {\"hosts\": {\"n2\": {}}}}}}},"
			 " \"lone\": {\"hosts\": {\"x\": {\"y\": [1]}}}}");
	inv = load("hosts.yml", NULL);
	CHECK_STR(hosts(inv), "n1 n2 x");
	CHECK_STR(var(inv, "n1", "ansible_host"), "10.0.0.1");
	CHECK_STR(var(inv, "n2", "passthrough"), "10de:1b81");
	CHECK_STR(var_json(inv, "n2", "a"), "1");
	CHECK_STR(var(inv, "x", "y"), "[1]");
	CHECK_STR(list_group(inv, "pve"), "{\"children\":[\"gpu\"],\"hosts\":[\"n1\",\"n2\"]}");
	CHECK_STR(list_group(inv, "all"), "{\"children\":[\"ungrouped\",\"pve\",\"lone\"]}");
	CHECK_STR(origin(inv, "n1", "ansible_host"), "hosts.yml");
	inventory_free(inv);
}

static void
yaml_host_ranges_and_ports(void)
{
	struct inventory *inv;

	tree();
	put("hosts.json", "{\"pve\": {\"hosts\": {\"pve[01:03]:2222\": null, \"[::1]:22\": null}}}");
	inv = load("hosts.json", NULL);
	CHECK_STR(hosts(inv), "pve01 pve02 pve03 ::1");
	CHECK_STR(var_json(inv, "pve02", "ansible_port"), "2222");
	inventory_free(inv);
}

static void
yaml_string_section_stands_for_one_key(void)
{
	struct inventory *inv;

	tree();
	put("hosts.yaml", "{\"pve\": {\"hosts\": \"n1\", \"vars\": \"flag\", \"children\": \"gpu\"}}");
	inv = load("hosts.yaml", NULL);
	CHECK_STR(hosts(inv), "n1");
	CHECK_STR(var_json(inv, "n1", "flag"), "null");
	CHECK_STR(list_group(inv, "pve"), "{\"children\":[\"gpu\"],\"hosts\":[\"n1\"]}");
	inventory_free(inv);
}

static void
yaml_unexpected_keys_are_warned(void)
{
	struct inventory *inv;

	tree();
	put("hosts", "{\"pve\": {\"host\": {\"n1\": null}, \"hosts\": {\"n2\": null}, \"var\": \"x\"}, \"bad\": 5}");
	inv = load("hosts", NULL);
	CHECK_STR(hosts(inv), "n2");
	CHECK_STR(warnings(inv),
		  "hosts: Skipping unexpected key (host) in group (pve), only \"vars\", \"children\" and \"hosts\" are valid | "
		  "hosts: Skipping key (var) in group (pve) as it is not a mapping, it is a str | "
		  "hosts: Skipping 'bad' as this is not a valid group definition");
	inventory_free(inv);
}

static void
yaml_child_named_like_a_host_adds_the_host(void)
{
	struct inventory *inv;

	tree();
	/* a child that is no group definition is looked up as a group, then a host */
	put("hosts.yml", "{\"all\": {\"hosts\": {\"h1\": null}}, \"g\": {\"children\": {\"h1\": 5}}}");
	inv = load("hosts.yml", NULL);
	CHECK_STR(list_group(inv, "g"), "{\"hosts\":[\"h1\"]}");
	inventory_free(inv);
}

static void
yaml_empty_file_is_read_by_the_ini_plugin(void)
{
	struct inventory *inv;

	tree();
	/* the yaml plugin rejects an empty file; the ini plugin reads it as nothing */
	put("empty.yml", "");
	inv = load("empty.yml", NULL);
	CHECK(inv != NULL && inventory_host_count(inv) == 0);
	inventory_free(inv);
}

static void
error_yaml_section_not_a_mapping(void)
{
	const char *e;

	tree();
	put("hosts.yml", "{\"pve\": {\"hosts\": [\"n1\", \"n2\"]}}");
	e = refusal("hosts.yml", NULL);
	CHECK(strstr(e, "hosts.yml: no inventory plugin can read it (auto plugin: no root 'plugin' key found, "
			"not a YAML inventory plugin config file; yaml plugin: hosts.yml: Invalid \"hosts\" entry for "
			"\"pve\" group, requires a dictionary, found \"list\" instead.; ini plugin: hosts.yml:1: ") == e);
}

static void
error_yaml_child_unknown(void)
{
	tree();
	put("hosts.json", "{\"g\": {\"children\": {\"nothing\": \"x\"}}}");
	CHECK(strstr(refusal("hosts.json", NULL), "yaml plugin: hosts.json: nothing is not a known group nor host;") != NULL);
}

static void
error_yaml_host_vars_not_a_mapping(void)
{
	tree();
	put("hosts.json", "{\"g\": {\"hosts\": {\"h1\": \"x\"}}}");
	CHECK(strstr(refusal("hosts.json", NULL),
		     "yaml plugin: hosts.json: Invalid data from file, expected dictionary and got:\n\nx;") != NULL);
}

static void
error_yaml_host_pattern_or_group_name_not_a_string(void)
{
	tree();
	/* YAML resolves 1 to an int, yes to a bool: not names for Ansible */
	put("a.yml", "all:\n  hosts:\n    1:\n    h2:\n");
	CHECK(strstr(refusal("a.yml", NULL),
		     "; yaml plugin: a.yml: Host pattern 1 must be a string. Enclose integers/floats in quotation marks.;") != NULL);
	put("b.yml", "g:\n  children:\n    yes:\n");
	CHECK(strstr(refusal("b.yml", NULL), "; yaml plugin: b.yml: Unable to add group yes: Invalid group name supplied, "
					     "expected a string but got <class 'bool'> for yes;") != NULL);
	/* quoted, it is a name */
	put("c.yml", "all:\n  hosts:\n    '1':\n");
	CHECK_STR(refusal("c.yml", NULL), "");
}

static void
error_inventory_plugin_configuration(void)
{
	tree();
	put("proxmox.yml", "{\"plugin\": \"community.general.proxmox\", \"url\": \"https://pve:8006\"}");
	CHECK_STR(refusal("proxmox.yml", NULL),
		  "proxmox.yml: configuration of the inventory plugin 'community.general.proxmox' (its 'plugin' key): "
		  "orch cannot run inventory plugins");
}

/* ---- directories, several sources, refusals ---- */

static void
directory_reads_its_files_sorted_and_recursively(void)
{
	struct inventory *inv;

	tree();
	put("inv/b.yml", "{\"g\": {\"hosts\": {\"from_b\": null}}}");
	put("inv/a.json", "{\"g\": {\"hosts\": {\"from_a\": null}}}");
	put("inv/sub/c", "[g]\nfrom_sub_c\n");
	put("inv/hosts.ini", "[g]\nfrom_ini\n");
	put("inv/README.md", "# notes\n");
	put("inv/.hidden.yml", "{\"g\": {\"hosts\": {\"hidden\": null}}}");
	put("inv/group_vars/g.yml", "{\"x\": 1}");
	put("inv/sub/group_vars/g.yml", "{\"x\": 2}");
	inv = load("inv", NULL);
	CHECK_STR(hosts(inv), "from_a from_b from_sub_c");
	CHECK_STR(var(inv, "from_b", "x"), "1");
	CHECK_STR(origin(inv, "from_b", "x"), "inv/group_vars/g.yml");
	CHECK_STR(warnings(inv),
		  "inv/README.md: skipped: Ansible ignores names ending in '.md' in an inventory directory (INVENTORY_IGNORE_EXTS) | "
		  "inv/hosts.ini: skipped: Ansible ignores names ending in '.ini' in an inventory directory (INVENTORY_IGNORE_EXTS) | "
		  "inv/sub/group_vars: not read: group_vars/ is only read beside an inventory source given to orch");
	inventory_free(inv);
}

static void
several_sources_merge_in_order(void)
{
	struct inventory *inv;

	tree();
	put("a.ini", "[pve]\nn1 x=a\n[pve:vars]\ny=a\n");
	put("b.yml", "{\"pve\": {\"hosts\": {\"n2\": null, \"n1\": {\"x\": \"b\"}}, \"vars\": {\"y\": \"b\"}}}");
	inv = load("a.ini", "b.yml", NULL);
	CHECK_STR(hosts(inv), "n1 n2");
	CHECK_STR(var(inv, "n1", "x"), "b");
	CHECK_STR(var(inv, "n1", "y"), "b");
	CHECK_STR(origin(inv, "n1", "y"), "b.yml");
	inventory_free(inv);
}

static void
shebang_file_that_is_not_executable_is_read(void)
{
	struct inventory *inv;

	tree();
	/* the script plugin fails to run it; the ini plugin reads #! as a comment */
	put("hosts", "#!/bin/sh\n[pve]\nn1\n");
	chmod("hosts", 0644);
	inv = load("hosts", NULL);
	CHECK_STR(hosts(inv), "n1");
	inventory_free(inv);
}

static void
error_inventory_script(void)
{
	tree();
	put("inv/dyn.py", "#!/usr/bin/python3\nprint('{}')\n");
	chmod("inv/dyn.py", 0755);
	CHECK_STR(refusal("inv", NULL),
		  "inv/dyn.py: an inventory script (executable, starts with '#!'): orch does not run inventory scripts");
}

static void
error_toml_inventory(void)
{
	tree();
	put("hosts.toml", "[pve.hosts]\nn1 = {}\n");
	CHECK(strncmp(refusal("hosts.toml", NULL), "hosts.toml: a TOML inventory: orch does not read TOML inventories (ini plugin: hosts.toml:2: ", 90) == 0);
}

static void
error_vault_encrypted_inventory(void)
{
	tree();
	put("hosts.yml", "$ANSIBLE_VAULT;1.1;AES256\n6162636465\n");
	CHECK_STR(refusal("hosts.yml", NULL), "hosts.yml: vault-encrypted file ($ANSIBLE_VAULT header): orch cannot decrypt it");
}

static void
error_file_no_plugin_reads(void)
{
	tree();
	put("inv/hosts", "[pve\nn1\n");
	/* each plugin's reason, with the file and line it names */
	CHECK(strstr(refusal("inv", NULL), "inv/hosts: no inventory plugin can read it (yaml plugin: inv/hosts:3:1: ") == last_err);
	CHECK(strstr(last_err, "; ini plugin: inv/hosts:1: invalid host range in '[pve': not enough values to unpack "
			       "(expected 3, got 2))") != NULL);
}

static void
error_in_an_ini_file_is_the_ini_plugins_message(void)
{
	tree();
	/* only the ini plugin wants a .ini file: its message, file and line */
	put("hosts.ini", "[pve]\nn1\n[pve:children]\nnope\n");
	CHECK_STR(refusal("hosts.ini", NULL), "hosts.ini:4: section '[pve:children]' includes undefined group 'nope'");
}

static void
error_symbolic_link_loop_in_a_directory(void)
{
	tree();
	put("inv/hosts.yml", "{\"g\": {\"hosts\": {\"h1\": null}}}");
	CHECK(symlink("..", "inv/loop") == 0);
	CHECK(strstr(refusal("inv", NULL), ": directories nested too deep (a symbolic link loop?)") != NULL);
	CHECK(strncmp(last_err, "inv/loop/inv/loop/", 18) == 0);
}

static void
error_directory_with_nothing_to_read(void)
{
	tree();
	put("inv/hosts.ini", "[pve]\nn1\n");
	CHECK_STR(refusal("inv", NULL), "inv: no inventory file Ansible reads in this directory (it skips inv/hosts.ini by "
					"its extension, INVENTORY_IGNORE_EXTS: name the file itself as a source)");
	put("empty/.keep", "");
	CHECK_STR(refusal("empty", NULL), "empty: no inventory file Ansible reads in this directory");
}

static void
error_missing_source(void)
{
	tree();
	CHECK_STR(refusal("nope.ini", NULL), "nope.ini: cannot open: No such file or directory");
	CHECK_STR(refusal("h1,h2", NULL), "h1,h2: no such file; orch does not read comma-separated host lists");
}

static void
error_ungrouped_child_of_a_group_with_hosts_elsewhere(void)
{
	tree();
	put("hosts.ini", "[p]\nh\n[p:children]\nungrouped\n[ungrouped]\nh\n");
	CHECK_STR(refusal("hosts.ini", NULL),
		  "hosts.ini:4: group 'ungrouped' is a child of another group and host 'h' is in other groups too: "
		  "Ansible then takes the host out of groups in an order that changes from run to run");
}

static void
host_taken_out_of_ungrouped_loses_its_vars_through_a_child(void)
{
	struct inventory *inv;

	tree();
	/* the reconcile takes h out of `ungrouped` (it is in db too); Ansible's
	 * flat group list of h no longer holds `ungrouped`, though db, a child
	 * of it, does */
	put("hosts.ini", "[ungrouped]\nh\n[db]\nh\n[ungrouped:children]\ndb\n[ungrouped:vars]\nu=1\n[db:vars]\nd=2\n");
	put("group_vars/ungrouped.yml", "f: 1\n");
	inv = load("hosts.ini", NULL);
	CHECK_STR(var(inv, "h", "u"), "(unset)");
	CHECK_STR(var(inv, "h", "f"), "(unset)");
	CHECK_STR(var(inv, "h", "d"), "2");
	inventory_free(inv);
	/* no host has `ungrouped` now: Ansible never reads its vars file */
	put("group_vars/ungrouped.yml", "[1]\n");
	inv = load("hosts.ini", NULL);
	inventory_free(inv);
}

static void
host_back_under_ungrouped_by_the_reconcile_gets_its_vars_again(void)
{
	struct inventory *inv;

	tree();
	/* n1 leaves `ungrouped` (it is in db too); then the host db, in `all`
	 * only, is put in `ungrouped`, which takes the group db first: db's hosts
	 * have `ungrouped` as an ancestor again */
	put("hosts.ini", "[db]\nn1\n[ungrouped]\nn1\n[all]\ndb\n[ungrouped:vars]\nu=1\n");
	inv = load("hosts.ini", NULL);
	CHECK_STR(var(inv, "n1", "u"), "1");
	CHECK_STR(list_group(inv, "ungrouped"), "{\"children\":[\"db\"]}");
	inventory_free(inv);
}

static const struct test_case tests[] = {
	{ "group_vars_in_every_file_form", group_vars_in_every_file_form },
	{ "host_vars_beside_a_file_in_the_working_directory", host_vars_beside_a_file_in_the_working_directory },
	{ "vars_file_first_existing_name_only", vars_file_first_existing_name_only },
	{ "vars_directory_merged_in_sorted_order", vars_directory_merged_in_sorted_order },
	{ "precedence_inventory_vars_under_every_vars_file", precedence_inventory_vars_under_every_vars_file },
	{ "precedence_host_vars_over_inline_host_vars", precedence_host_vars_over_inline_host_vars },
	{ "precedence_later_source_vars_files_over_earlier_ones", precedence_later_source_vars_files_over_earlier_ones },
	{ "vars_file_of_unknown_group_or_host_is_warned_and_not_read",
	  vars_file_of_unknown_group_or_host_is_warned_and_not_read },
	{ "vars_file_of_group_without_hosts_is_not_read", vars_file_of_group_without_hosts_is_not_read },
	{ "vars_file_empty_or_false_is_ignored", vars_file_empty_or_false_is_ignored },
	{ "vars_file_keys_that_are_not_identifiers_are_kept", vars_file_keys_that_are_not_identifiers_are_kept },
	{ "vars_file_values_keep_their_types", vars_file_values_keep_their_types },
	{ "vars_file_yaml_values_typed_as_ansible_types_them", vars_file_yaml_values_typed_as_ansible_types_them },
	{ "group_vars_that_is_a_file_is_warned", group_vars_that_is_a_file_is_warned },
	{ "error_vars_file_not_a_mapping", error_vars_file_not_a_mapping },
	{ "error_vars_file_vault_encrypted", error_vars_file_vault_encrypted },
	{ "error_vars_file_unparsable_names_file", error_vars_file_unparsable_names_file },
	{ "each_var_reports_every_key_and_file_once", each_var_reports_every_key_and_file_once },
	{ "yaml_inventory_groups_hosts_vars_children", yaml_inventory_groups_hosts_vars_children },
	{ "yaml_host_ranges_and_ports", yaml_host_ranges_and_ports },
	{ "yaml_string_section_stands_for_one_key", yaml_string_section_stands_for_one_key },
	{ "yaml_unexpected_keys_are_warned", yaml_unexpected_keys_are_warned },
	{ "yaml_child_named_like_a_host_adds_the_host", yaml_child_named_like_a_host_adds_the_host },
	{ "yaml_empty_file_is_read_by_the_ini_plugin", yaml_empty_file_is_read_by_the_ini_plugin },
	{ "error_yaml_section_not_a_mapping", error_yaml_section_not_a_mapping },
	{ "error_yaml_child_unknown", error_yaml_child_unknown },
	{ "error_yaml_host_vars_not_a_mapping", error_yaml_host_vars_not_a_mapping },
	{ "error_inventory_plugin_configuration", error_inventory_plugin_configuration },
	{ "directory_reads_its_files_sorted_and_recursively", directory_reads_its_files_sorted_and_recursively },
	{ "several_sources_merge_in_order", several_sources_merge_in_order },
	{ "shebang_file_that_is_not_executable_is_read", shebang_file_that_is_not_executable_is_read },
	{ "error_inventory_script", error_inventory_script },
	{ "error_toml_inventory", error_toml_inventory },
	{ "error_vault_encrypted_inventory", error_vault_encrypted_inventory },
	{ "error_file_no_plugin_reads", error_file_no_plugin_reads },
	{ "error_directory_with_nothing_to_read", error_directory_with_nothing_to_read },
	{ "error_missing_source", error_missing_source },
	{ "error_ungrouped_child_of_a_group_with_hosts_elsewhere", error_ungrouped_child_of_a_group_with_hosts_elsewhere },
	{ "host_taken_out_of_ungrouped_loses_its_vars_through_a_child",
	  host_taken_out_of_ungrouped_loses_its_vars_through_a_child },
	{ "host_back_under_ungrouped_by_the_reconcile_gets_its_vars_again",
	  host_back_under_ungrouped_by_the_reconcile_gets_its_vars_again },
	{ "error_in_an_ini_file_is_the_ini_plugins_message", error_in_an_ini_file_is_the_ini_plugins_message },
	{ "error_symbolic_link_loop_in_a_directory", error_symbolic_link_loop_in_a_directory },
	{ "unsafe_values_are_strings_printed_as_ansible_prints_them", unsafe_values_are_strings_printed_as_ansible_prints_them },
	{ "duplicate_key_in_a_vars_file_is_warned", duplicate_key_in_a_vars_file_is_warned },
	{ "error_yaml_host_pattern_or_group_name_not_a_string", error_yaml_host_pattern_or_group_name_not_a_string },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	int r = harness_main(tests, argc, argv);

	if (root[0]) {
		if (chdir("/") == 0)
			nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	return r;
}
