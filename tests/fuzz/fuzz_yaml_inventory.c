/* libFuzzer entry point for the yaml inventory plugin (inventory/
 * yaml_plugin.c) and what follows it: any bytes as hosts.yml, loaded,
 * read by the plugin, reconciled, merged, printed as JSON. A refusal names
 * the file; every host of an accepted inventory has a text for each of its
 * variables and a JSON value of its --list entry. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory *inv = inv_new();
	const char *file;
	json_t *v = NULL, *list;
	char err[1024];

	/* inventory_load_sources() names the first source in the reconcile's
	 * messages; the harness does the same. */
	if (inv == NULL || (inv->filename = strdup("hosts.yml")) == NULL ||
	    (file = inv_intern(inv, "hosts.yml")) == NULL)
		abort();
	if (inv_yaml_parse(file, (const char *)data, size, &v, NULL, err, sizeof(err)) < 0)
		goto out;
	if (inv_parse_yaml_inventory(inv, file, (const char *)data, size, v, err, sizeof(err)) < 0 ||
	    inv_finish(inv, err, sizeof(err)) < 0) {
		if (strncmp(err, "hosts.yml", 9) != 0)
			abort();
		goto out;
	}
	if (inv_merge_vars(inv) < 0)
		abort();
	for (size_t h = 0; h < inventory_host_count(inv); h++) {
		for (size_t j = 0; j < inventory_host_var_count(inv, h); j++) {
			const char *key, *value;

			inventory_host_var_at(inv, h, j, &key, &value);
			if (key == NULL || value == NULL || inventory_host_var_json(inv, h, key) == NULL ||
			    inventory_host_var_origin(inv, h, key) != file)
				abort();
		}
	}
	if ((list = inventory_to_json(inv)) == NULL)
		abort();
	json_decref(list);
out:
	json_decref(v);
	inventory_free(inv);
	return 0;
}
