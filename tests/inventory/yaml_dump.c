/*
 * Prints what orch reads from a data file (group_vars/, host_vars/, a YAML
 * inventory): `yaml_dump FILE...` writes, for each file, one line of JSON
 * (keys sorted) or "error: MESSAGE", then one "warning: MESSAGE" line per
 * warning. Exit 0 unless a file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>

#include "yaml.h"

static int
dump(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL, err[1024];
	size_t len = 0, cap = 0, n;
	struct strvec warnings = { 0 };
	json_t *value = NULL;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			char *grown = realloc(text, cap = cap ? cap * 2 : 65536);

			if (grown == NULL) {
				free(text);
				fclose(f);
				return -1;
			}
			text = grown;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	if (inv_yaml_parse(path, text, len, &value, &warnings, err, sizeof(err)) < 0) {
		printf("error: %s\n", err);
	} else {
		char *s = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));

		printf("%s\n", s ? s : "(cannot write JSON)");
		free(s);
	}
	for (size_t i = 0; i < warnings.n; i++)
		printf("warning: %s\n", warnings.v[i]);
	json_decref(value);
	strvec_clear(&warnings);
	free(text);
	return 0;
}

int
main(int argc, char **argv)
{
	int r = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: yaml_dump FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (dump(argv[i]) < 0)
			r = 1;
	}
	return r;
}
