/* libFuzzer entry point for the data-file loader (inventory/yaml.c): any
 * bytes as a group_vars file. A refusal names the file; a value is JSON
 * through and through (no internal marker left, every key UTF-8), and its
 * JSON text reads back as the same value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_keys(const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			check_keys(item);
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, item) {
			if (!utf8_valid(key, strlen(key)))
				abort();
			check_keys(item);
		}
	} else if (json_is_string(v) && !utf8_valid(json_string_value(v), json_string_length(v))) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strvec warnings = { 0 };
	json_t *v = NULL, *again = NULL;
	char err[512], *text;

	if (inv_yaml_parse("fuzz.yml", (const char *)data, size, &v, &warnings, err, sizeof(err)) < 0) {
		if (v != NULL || strncmp(err, "fuzz.yml:", 9) != 0)
			abort();
		strvec_clear(&warnings);
		return 0;
	}
	for (size_t i = 0; i < warnings.n; i++) {
		if (strncmp(warnings.v[i], "fuzz.yml:", 9) != 0)
			abort();
	}
	strvec_clear(&warnings);
	if (v == NULL)
		abort();
	check_keys(v);
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
	if (text == NULL)
		abort();
	/* Ansible's own keys make json.loads rebuild objects: skip those */
	if (strstr(text, "\"__ansible_") == NULL) {
		if (inv_yaml_parse("fuzz.json", text, strlen(text), &again, NULL, err, sizeof(err)) < 0 ||
		    !json_equal(v, again))
			abort();
		json_decref(again);
	}
	free(text);
	json_decref(v);
	return 0;
}
