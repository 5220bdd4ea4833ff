/*
 * Prints what orch reads from an inventory: `inventory_dump FILE` writes the
 * JSON of `ansible-inventory -i FILE --list`; `inventory_dump FILE PATTERN`
 * writes the hosts PATTERN selects, one a line. Exit 1 with the error on
 * stderr when the file or the pattern is rejected.
 */
#include <stdio.h>
#include <stdlib.h>

#include "inventory.h"

int
main(int argc, char **argv)
{
	struct inventory *inv = NULL;
	char err[1024];
	int r = 1;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: inventory_dump FILE [PATTERN]\n");
		return 2;
	}
	if (inventory_load(&inv, argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (argc == 2) {
		json_t *j = inventory_to_json(inv);

		if (j == NULL || json_dumpf(j, stdout, JSON_INDENT(4) | JSON_SORT_KEYS) < 0) {
			fprintf(stderr, "cannot write the inventory as JSON\n");
			json_decref(j);
			goto out;
		}
		json_decref(j);
		putchar('\n');
	} else {
		size_t n = inventory_host_count(inv);
		unsigned char *sel = calloc(n ? n : 1, 1);

		if (sel == NULL || inventory_match(inv, argv[2], sel, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", sel ? err : "out of memory");
			free(sel);
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			if (sel[i])
				printf("%s\n", inventory_host_name(inv, i));
		}
		free(sel);
	}
	r = 0;
out:
	inventory_free(inv);
	return r;
}
