/* libFuzzer entry point for the inventory parser: any bytes as an INI file,
 * then everything a caller reads from a parsed inventory, so the merge, the
 * JSON and the pattern matcher run on whatever the parser accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory *inv = NULL;
	char err[256];
	unsigned char *sel;
	json_t *j;
	size_t n;

	if (inventory_parse(&inv, "fuzz.ini", (const char *)data, size, err, sizeof(err)) < 0) {
		/* every error names the file and a line */
		if (strncmp(err, "fuzz.ini:", 9) != 0)
			abort();
		return 0;
	}
	n = inventory_host_count(inv);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < inventory_host_var_count(inv, i); k++) {
			const char *key, *value;

			inventory_host_var_at(inv, i, k, &key, &value);
			if (key == NULL || value == NULL || inventory_host_var(inv, i, key) != value)
				abort();
		}
	}
	j = inventory_to_json(inv);
	json_decref(j);
	if ((sel = malloc(n ? n : 1)) != NULL) {
		/* the host names and the first line's words as patterns */
		for (size_t i = 0; i < n && i < 4; i++)
			inventory_match(inv, inventory_host_name(inv, i), sel, err, sizeof(err));
		inventory_match(inv, "all:!*[0]:&~.", sel, err, sizeof(err));
		free(sel);
	}
	inventory_free(inv);
	return 0;
}
