/*
 * ansible-core 2.14's `yaml` inventory plugin (plugins/inventory/yaml.py)
 * on data already loaded by inv_yaml_parse(): top-level keys are groups,
 * each a mapping of `hosts`, `vars` and `children`. Its checks, the order it
 * makes them in and its warnings are kept, because a file it rejects half
 * way is handed to the ini plugin next with what it added still in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "inventory_private.h"
#include "yaml.h"

/* The Python type name Ansible's messages show for V. */
static const char *
py_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "dict";
	case JSON_ARRAY:
		return "list";
	case JSON_STRING:
		return "str";
	case JSON_INTEGER:
		return "int";
	case JSON_REAL:
		return "float";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	case JSON_NULL:
		return "NoneType";
	}
	return "object";
}

static int
mapping_or_none(const json_t *v)
{
	return json_is_object(v) || json_is_null(v);
}

/* set_variable(ENTITY, KEY, VALUE) with the value's str() as its text */
static int
set_var(struct parser *p, const char *entity, const char *key, json_t *value)
{
	char *text = py_str(value);
	int r;

	if (text == NULL)
		return inv_perr(p, "out of memory");
	r = inv_set_entity_var(p, entity, key, text, value);
	free(text);
	return r;
}

/* InventoryData.add_child(): a group of that name, else a host of it. */
static int
add_child(struct parser *p, size_t g, const char *child)
{
	size_t c = inventory_find_group(p->inv, child), h;

	if (c != NOT_FOUND)
		return inv_add_child_group(p, g, c);
	if ((h = inventory_find_host(p->inv, child)) != NOT_FOUND) {
		if (inv_add_host_to_group(p->inv, h, g) < 0)
			return inv_perr(p, "out of memory");
		return 0;
	}
	return inv_perr(p, "%s is not a known group nor host", child);
}

static int
parse_hosts(struct parser *p, size_t g, json_t *hosts)
{
	const char *pattern;
	json_t *hv;

	json_object_foreach(hosts, pattern, hv) {
		struct strvec names = { 0 };
		char *port = NULL, why[1024];
		const char *key;
		json_t *value;
		int r = -1;

		if (expand_hostpattern(pattern, &names, &port, why, sizeof(why)) < 0) {
			/* a pattern may fail after some of its names (too many) */
			strvec_clear(&names);
			free(port);
			return inv_perr(p, "%s", why);
		}
		/* `group_data[key][host_pattern] or {}` */
		if (!inv_json_truthy(hv)) {
			hv = NULL;
		} else if (!json_is_object(hv)) {
			char *text = py_str(hv);

			inv_perr(p, "Invalid data from file, expected dictionary and got:\n\n%s", text ? text : "");
			free(text);
			goto next;
		}
		for (size_t i = 0; i < names.n; i++) {
			if (inv_add_host(p, names.v[i], g, port) < 0)
				goto next;
			if (hv == NULL)
				continue;
			json_object_foreach(hv, key, value) {
				if (set_var(p, names.v[i], key, value) < 0)
					goto next;
			}
		}
		r = 0;
next:
		free(port);
		strvec_clear(&names);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int parse_group(struct parser *p, const char *name, json_t *data);

static const char *const sections[] = { "vars", "children", "hosts" };

static int
parse_group_data(struct parser *p, size_t g, json_t *data)
{
	const char *name = p->inv->groups[g].name, *key;
	json_t *v;

	/* every section is checked before any is read */
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		v = json_object_get(data, sections[i]);
		if (v && !json_is_string(v) && !mapping_or_none(v))
			return inv_perr(p, "Invalid \"%s\" entry for \"%s\" group, requires a dictionary, found \"%s\" instead.",
					sections[i], name, py_type(v));
	}
	json_object_foreach(data, key, v) {
		json_t *section = v, *one = NULL;
		const char *k;
		json_t *kv;
		int r = 0, is_section = 0;

		for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
			is_section |= strcmp(key, sections[i]) == 0;
		/* a string stands for a mapping of that one key to None */
		if (is_section && json_is_string(v)) {
			if ((one = json_object()) == NULL || json_object_set_new(one, json_string_value(v), json_null()) < 0) {
				json_decref(one);
				return inv_perr(p, "out of memory");
			}
			section = one;
		}
		if (!mapping_or_none(section)) {
			if (inv_warn(p->inv, "%s: Skipping key (%s) in group (%s) as it is not a mapping, it is a %s", p->file,
				     key, name, py_type(section)) < 0)
				return inv_perr(p, "out of memory");
			continue;
		}
		if (json_is_null(section))
			continue;
		if (strcmp(key, "vars") == 0) {
			json_object_foreach(section, k, kv) {
				if ((r = set_var(p, name, k, kv)) < 0)
					break;
			}
		} else if (strcmp(key, "children") == 0) {
			json_object_foreach(section, k, kv) {
				if ((r = parse_group(p, k, kv)) < 0 || (r = add_child(p, g, k)) < 0)
					break;
			}
		} else if (strcmp(key, "hosts") == 0) {
			r = parse_hosts(p, g, section);
		} else if (inv_warn(p->inv,
				    "%s: Skipping unexpected key (%s) in group (%s), only \"vars\", \"children\" and \"hosts\" are valid",
				    p->file, key, name) < 0) {
			r = inv_perr(p, "out of memory");
		}
		json_decref(one);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* _parse_group(): a mapping or nothing makes the group; anything else is
 * skipped with a warning (and its name may still be added as a child). */
static int
parse_group(struct parser *p, const char *name, json_t *data)
{
	size_t g;

	if (!mapping_or_none(data)) {
		if (inv_warn(p->inv, "%s: Skipping '%s' as this is not a valid group definition", p->file, name) < 0)
			return inv_perr(p, "out of memory");
		return 0;
	}
	if (*name == '\0')
		return inv_perr(p, "Unable to add group : Invalid empty/false group name provided: ");
	if ((g = inventory_find_group(p->inv, name)) == NOT_FOUND && (g = inv_group_add(p->inv, name)) == NOT_FOUND)
		return inv_perr(p, "out of memory");
	if (json_is_object(data))
		return parse_group_data(p, g, data);
	return 0;
}

/*
 * Group names and host patterns must be str: a key YAML resolves to an int,
 * a float, a bool, None or a date is an error of the plugin
 * (InventoryData.add_group, _parse_host). The loaded data no longer tells
 * (its keys are the text json.dumps gives them), so the text is composed
 * again with libyaml and its plain keys typed as PyYAML types them.
 */

/* The Python type of key node N when it is not a str, else NULL. */
static const char *
key_type(yaml_node_t *n)
{
	const char *tag = (const char *)n->tag, *t;

	if (n->type != YAML_SCALAR_NODE)
		return "dict";
	if (strcmp(tag, YAML_STR_TAG) != 0)
		return strcmp(tag, "!unsafe") == 0 ? NULL : tag;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return NULL;
	t = inv_yaml_key_type((const char *)n->data.scalar.value, n->data.scalar.length);
	if (strcmp(t, "str") == 0 || strcmp(t, "merge") == 0)
		return NULL;
	if (strcmp(t, "date") == 0)
		return "datetime.date";
	if (strcmp(t, "datetime") == 0)
		return "datetime.datetime";
	return t;
}

static int
is_null_node(yaml_node_t *n)
{
	const char *t;

	return n->type == YAML_SCALAR_NODE && (t = key_type(n)) != NULL && strcmp(t, "NoneType") == 0;
}

static int
check_group_keys(struct parser *p, yaml_document_t *doc, yaml_node_t *map, int child, unsigned depth)
{
	if (map->type != YAML_MAPPING_NODE || depth > 64)
		return 0;
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(doc, pair->key), *v = yaml_document_get_node(doc, pair->value);
		const char *type, *name;

		if (k == NULL || v == NULL)
			continue;
		name = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?";
		if ((type = key_type(k)) != NULL) {
			if (v->type == YAML_MAPPING_NODE || is_null_node(v))
				return inv_perr(p, "Unable to add group %s: Invalid group name supplied, expected a string but got <class '%s'> for %s",
						name, type, name);
			if (child)
				return inv_perr(p, "%s is not a known group nor host", name);
			continue;
		}
		if (v->type != YAML_MAPPING_NODE)
			continue;
		for (yaml_node_pair_t *sp = v->data.mapping.pairs.start; sp < v->data.mapping.pairs.top; sp++) {
			yaml_node_t *sk = yaml_document_get_node(doc, sp->key), *sv = yaml_document_get_node(doc, sp->value);

			if (sk == NULL || sv == NULL || sk->type != YAML_SCALAR_NODE || sv->type != YAML_MAPPING_NODE ||
			    key_type(sk) != NULL)
				continue;
			if (strcmp((const char *)sk->data.scalar.value, "children") == 0 &&
			    check_group_keys(p, doc, sv, 1, depth + 1) < 0)
				return -1;
			if (strcmp((const char *)sk->data.scalar.value, "hosts") != 0)
				continue;
			for (yaml_node_pair_t *hp = sv->data.mapping.pairs.start; hp < sv->data.mapping.pairs.top; hp++) {
				yaml_node_t *hk = yaml_document_get_node(doc, hp->key);

				if (hk && key_type(hk) != NULL)
					return inv_perr(p, "Host pattern %s must be a string. Enclose integers/floats in quotation marks.",
							hk->type == YAML_SCALAR_NODE ? (const char *)hk->data.scalar.value : "?");
			}
		}
	}
	return 0;
}

/* 0 when every group name and host pattern of TEXT is a str (or TEXT is
 * not YAML libyaml composes: the loader has judged it already). */
static int
check_keys_are_strings(struct parser *p, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int r = 0;

	if (!yaml_parser_initialize(&parser))
		return inv_perr(p, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_parser_delete(&parser);
		return 0;
	}
	if ((root = yaml_document_get_root_node(&doc)) != NULL)
		r = check_group_keys(p, &doc, root, 0, 0);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return r;
}

int
inv_parse_yaml_inventory(struct inventory *inv, const char *file, const char *text, size_t len, const json_t *data,
			 char *err, size_t errlen)
{
	struct parser p = { 0 };
	const char *name;
	json_t *gd, *plugin;

	p.inv = inv;
	p.file = file;
	p.err = err;
	p.errlen = errlen;
	if (!inv_json_truthy(data))
		return inv_perr(&p, "Parsed empty YAML file");
	if (!json_is_object(data))
		return inv_perr(&p, "YAML inventory has invalid structure, it should be a dictionary, got: %s",
				py_type(data));
	if ((plugin = json_object_get(data, "plugin")) != NULL && inv_json_truthy(plugin))
		return inv_perr(&p, "Plugin configuration YAML file, not YAML inventory");
	if (check_keys_are_strings(&p, text, len) < 0)
		return -1;
	json_object_foreach((json_t *)data, name, gd) {
		if (parse_group(&p, name, gd) < 0)
			return -1;
	}
	return 0;
}
