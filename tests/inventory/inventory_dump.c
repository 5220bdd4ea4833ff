/*
 * Prints what orch reads from inventory sources: `inventory_dump SOURCE...`
 * writes the JSON of `ansible-inventory -i SOURCE... --list`;
 * `inventory_dump -l PATTERN SOURCE...` writes the hosts PATTERN selects,
 * one a line. Warnings go to stderr, one a line, each "warning: ...". Exit 1
 * with the error on stderr when a source or the pattern is rejected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"

int
main(int argc, char **argv)
{
	struct inventory *inv = NULL;
	const char *pattern = NULL;
	char err[4096];
	int first = 1, r = 1;

	if (argc > 2 && strcmp(argv[1], "-l") == 0) {
		pattern = argv[2];
		first = 3;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: inventory_dump [-l PATTERN] SOURCE...\n");
		return 2;
	}
	if (inventory_load_sources(&inv, (const char *const *)argv + first, (size_t)(argc - first), err,
				   sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (size_t k = 0; k < inventory_warning_count(inv); k++)
		fprintf(stderr, "warning: %s\n", inventory_warning(inv, k));
	if (pattern == NULL) {
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

		if (sel == NULL || inventory_match(inv, pattern, sel, err, sizeof(err)) < 0) {
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
