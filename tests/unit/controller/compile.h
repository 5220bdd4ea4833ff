/* What the controller's plan tests share: an inventory from INI text or from
 * files in a fresh directory, and plan_compile() on one of its hosts. */
#ifndef ORCH_TEST_COMPILE_H
#define ORCH_TEST_COMPILE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "harness.h"
#include "inventory/inventory.h"
#include "plan.h"

/* The inventory of INI text, named "hosts.ini" in messages; aborts when it
 * does not parse (the tests give inventories that do). */
static inline struct inventory *
ini(const char *text)
{
	struct inventory *inv = NULL;
	char err[512];

	if (inventory_parse(&inv, "hosts.ini", text, strlen(text), err, sizeof(err)) != 0) {
		fprintf(stderr, "test inventory does not parse: %s\n", err);
		exit(2);
	}
	return inv;
}

/* A fresh directory for files of a test, removed by tree_remove(). */
static char tree_root[64];

static inline void
tree_make(void)
{
	snprintf(tree_root, sizeof(tree_root), "/tmp/orch-unit.XXXXXX");
	if (mkdtemp(tree_root) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
}

/* Writes text to tree_root/rel, making its directories. */
static inline void
tree_file(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tree_root, rel);
	for (char *s = strchr(path + strlen(tree_root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

/* The inventory of tree_root/rel with its group_vars/ and host_vars/. */
static inline struct inventory *
tree_inventory(const char *rel)
{
	struct inventory *inv = NULL;
	char path[512], err[512];
	const char *paths[] = {path};

	snprintf(path, sizeof(path), "%s/%s", tree_root, rel);
	if (inventory_load_sources(&inv, paths, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "test inventory does not load: %s\n", err);
		exit(2);
	}
	return inv;
}

static inline int
tree_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void
tree_remove(void)
{
	nftw(tree_root, tree_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The index of host name in inv; aborts when there is none. */
static inline size_t
host(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inventory_host_count(inv); i++) {
		if (strcmp(inventory_host_name(inv, i), name) == 0)
			return i;
	}
	fprintf(stderr, "no host '%s' in the test inventory\n", name);
	exit(2);
}

/* The options of `orch COMMAND hosts.ini` with its defaults. */
static inline struct options
command(enum orch_command cmd)
{
	struct options o = {
		.command = cmd, .forks = DEFAULT_FORKS, .serial = DEFAULT_SERIAL,
		.reboot_timeout = DEFAULT_REBOOT_TIMEOUT, .timeout = DEFAULT_TIMEOUT,
		.run_timeout = DEFAULT_RUN_TIMEOUT,
	};
	return o;
}

/* Compiles host name of inv for opts: its plan (NULL on failure), err
 * holding the message. */
static inline int
compile(struct host_plan *hp, const struct inventory *inv, const char *name, const struct options *opts,
	char *err, size_t errlen)
{
	memset(hp, 0, sizeof(*hp));
	err[0] = '\0';
	return plan_compile(hp, inv, host(inv, name), opts, err, errlen);
}

/* Checks that got is the JSON text want, printing both when not. */
#define CHECK_JSON(got, want)                                                         \
	do {                                                                          \
		json_error_t e_;                                                      \
		json_t *w_ = json_loads((want), 0, &e_);                              \
		if (w_ == NULL) {                                                     \
			fprintf(stderr, "%s:%d: bad expected JSON: %s\n", __FILE__, __LINE__, e_.text); \
			harness_failures++;                                           \
		} else if (!json_equal((got), w_)) {                                  \
			char *g_ = (got) ? json_dumps((got), JSON_SORT_KEYS) : NULL;  \
			char *s_ = json_dumps(w_, JSON_SORT_KEYS);                    \
			fprintf(stderr, "%s:%d: got  %s\n%*s want %s\n", __FILE__, __LINE__, \
			        g_ ? g_ : "(null)", (int)strlen(__FILE__) + 6, "", s_); \
			free(g_);                                                     \
			free(s_);                                                     \
			harness_failures++;                                           \
		}                                                                     \
		json_decref(w_);                                                      \
	} while (0)

#endif
