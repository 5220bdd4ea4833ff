/* Small helpers the agent's modules share: growable strings, files read
 * whole, paths under the node root. */
#ifndef ORCH_AGENT_UTIL_H
#define ORCH_AGENT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A growable string. `s` is never NULL after sb_init and always
 * NUL-terminated; `len` excludes the NUL. */
struct sb {
	char *s;
	size_t len, cap;
};

void sb_init(struct sb *b);
void sb_release(struct sb *b);
void sb_add(struct sb *b, const char *s, size_t n);
void sb_adds(struct sb *b, const char *s);
void sb_addf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the string to the caller; `b` is released (sb_init it to reuse). */
char *sb_detach(struct sb *b);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A list of owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};
void strv_push(struct strv *l, const char *s);
void strv_push_own(struct strv *l, char *s);
bool strv_has(const struct strv *l, const char *s);
void strv_sort(struct strv *l);
/* The strings joined with `sep` into a new string ("" for none). */
char *strv_join(const struct strv *l, const char *sep);
void strv_release(struct strv *l);

/* Reads a whole file (at most `max` bytes; more is an error, EFBIG).
 * Returns 0 and a NUL-terminated buffer in *out, or -1 with errno set. */
int read_file(const char *path, size_t max, char **out, size_t *lenp);
/* The first line of a small file with trailing whitespace stripped, or NULL. */
char *read_line(const char *path);
/* Whether the path exists (lstat). */
bool path_exists(const char *path);
bool is_dir(const char *path);
/* mkdir -p with `mode` for the directories it creates. */
int mkdir_p(const char *path, mode_t mode);
/* Basename of a symlink's target, or NULL if `path` is not a symlink. */
char *link_basename(const char *path);

bool starts_with(const char *s, const char *prefix);
/* Compares two kernel release strings the way versions sort. */
int kver_cmp(const char *a, const char *b);
/* The numeric major.minor of a kernel release ("6.8.12-4-pve" -> 608). */
int kver_num(const char *rel);

#endif
