/* modprobe's effective configuration, computed as kmod computes it
 * (libkmod/libkmod.c default_config_paths, libkmod-config.c): the .conf
 * files of the modprobe.d directories merged into one list sorted by file
 * name, a name in a higher-priority directory hiding the same name in the
 * others, then the module options of the kernel command line. Every entry
 * keeps its file and line, so a step can say where a setting comes from and
 * rewrite that line. Pure: reads files under a root, changes nothing. */
#ifndef ORCH_AGENT_MODPROBE_H
#define ORCH_AGENT_MODPROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum mp_cmd { MP_ALIAS, MP_BLACKLIST, MP_OPTIONS, MP_INSTALL, MP_REMOVE, MP_SOFTDEP, MP_WEAKDEP };

/* The entry came from the kernel command line, not from a file. */
#define MP_CMDLINE ((size_t)-1)

struct mp_entry {
	enum mp_cmd cmd;
	char *module;     /* normalised: '-' -> '_' (kmod's underscores()) */
	char *spelled;    /* the module name as the line writes it */
	char *args;       /* the rest of the logical line (options, softdep spec, command, alias target) */
	size_t file;      /* index into files, or MP_CMDLINE */
	unsigned line;    /* first physical line of the logical line (1-based) */
	unsigned nlines;  /* physical lines it spans (backslash continuations) */
};

struct mp_file {
	char *path;       /* node path, e.g. "/etc/modprobe.d/vfio.conf" */
	char *text;       /* its content */
};

struct modprobe_config {
	struct mp_file *files;     /* the effective files, in the order kmod reads them */
	size_t nfiles;
	struct mp_entry *e;        /* every entry, in that order; command-line options last */
	size_t n;
	struct strv hidden;        /* "/lib/modprobe.d/x.conf (hidden by /etc/modprobe.d/x.conf)" */
};

/* A file as it will be: `content` stands in for node file `path` (NULL:
 * the file is absent), so a step can evaluate what it is about to write. */
struct mp_override {
	const char *path;
	const char *content;
};

/* Loads the configuration under `root` ("" for the real root) with
 * `cmdline` (the kernel command line modprobe will see; NULL: none) and the
 * overrides. Never fails: unreadable files are left out, as kmod does. */
void modprobe_load(struct modprobe_config *out, const char *root, const char *cmdline,
                   const struct mp_override *ov, size_t nov);
void modprobe_release(struct modprobe_config *c);

/* Parses one file's text and appends it (and its entries) to c. */
void modprobe_add_file(struct modprobe_config *c, const char *path, const char *text);
/* Appends the `module.param=value` options and `modprobe.blacklist=` of a
 * kernel command line, as kmod_config_parse_kcmdline does. */
void modprobe_add_cmdline(struct modprobe_config *c, const char *cmdline);

/* Normalises a module name in place ('-' -> '_'); returns s. */
char *modprobe_norm(char *s);

/* "path:line" of an entry ("the kernel command line" for one from it); new string. */
char *modprobe_where(const struct modprobe_config *c, const struct mp_entry *e);

/* One parameter of an options line, as the kernel's parse_args splits it. */
struct mp_param {
	char *raw;        /* the token as written */
	char *name;       /* normalised ('-' -> '_') */
	char *value;      /* unquoted; NULL when the token has no '=' */
};
/* Splits an options text into parameters; free with mp_params_release. */
size_t mp_params(const char *args, struct mp_param **out);
void mp_params_release(struct mp_param *p, size_t n);

/* The value the module gets for `param` (the last one wins), as a new
 * string, or NULL when nothing sets it; *where (optional) is its entry. A
 * parameter given without '=' reads as "" here. */
char *modprobe_param(const struct modprobe_config *c, const char *module, const char *param,
                     const struct mp_entry **where);
/* Whether entry e (an options line) sets `param`; its last value in *value (new string). */
bool modprobe_entry_param(const struct mp_entry *e, const char *param, char **value);
/* The first `blacklist` entry of module, or NULL. */
const struct mp_entry *modprobe_blacklist(const struct modprobe_config *c, const char *module);
/* The softdep kmod uses for module: the first whose pattern matches. */
const struct mp_entry *modprobe_softdep(const struct modprobe_config *c, const char *module);
/* The install command kmod runs instead of loading module: the first match. */
const struct mp_entry *modprobe_install(const struct modprobe_config *c, const char *module);
/* Whether a softdep entry's pre: list names `dep`. */
bool modprobe_softdep_pre_has(const struct mp_entry *e, const char *dep);

/* A kernel boolean parameter's value (kstrtobool: 1/y/Y/on true, 0/n/N/off
 * false; "" true, as a bare flag). Returns 1, 0, or -1 when it is none. */
int mp_bool(const char *v);

/* One line to disable in a file. */
struct mp_disable {
	const struct mp_entry *e;
	const char *why;           /* the note after "disabled by orch" */
	const char *replacement;   /* a line to put under it (what orch keeps of it), or NULL */
};
/* The text of file `f` with each entry of `d` commented out in place:
 * "# disabled by orch (WHY): <line>", continuation lines "# " too, and the
 * replacement line right under it. New string. */
char *modprobe_disable(const struct modprobe_config *c, size_t f, const struct mp_disable *d, size_t n);

#endif
