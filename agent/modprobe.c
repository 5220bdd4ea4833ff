#include "modprobe.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmdline.h"

/* kmod's default_config_paths, highest priority first. /usr/lib/modprobe.d
 * (kmod 32's DISTCONFDIR) sits before /lib; on a merged-/usr node both are
 * one directory and the duplicate names drop out as kmod drops them. */
static const char *const modprobe_dirs[] = {
	"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d",
	NULL,
};

#define MAX_CONF (1u << 20)

char *modprobe_norm(char *s)
{
	for (char *p = s; p && *p; p++)
		if (*p == '-')
			*p = '_';
	return s;
}

static struct mp_entry *add_entry(struct modprobe_config *c, enum mp_cmd cmd, const char *module, const char *args,
                                  size_t file, unsigned line, unsigned nlines)
{
	struct mp_entry *e;

	c->e = xrealloc(c->e, (c->n + 1) * sizeof(*c->e));
	e = &c->e[c->n++];
	e->cmd = cmd;
	e->spelled = xstrdup(module);
	e->module = modprobe_norm(xstrdup(module));
	e->args = xstrdup(args ? args : "");
	for (char *p = e->args; *p; p++)
		if (*p == '\t')
			*p = ' ';
	e->file = file;
	e->line = line;
	e->nlines = nlines;
	return e;
}

/* One logical line as kmod's freadline_wrapped reads it: a backslash before
 * a newline joins the next physical line, before anything else it is
 * dropped and the character kept. Returns the end of the logical line in
 * `text` and counts the physical lines in *nlines. */
static const char *logical_line(const char *text, struct sb *out, unsigned *nlines)
{
	const char *p = text;

	*nlines = 1;
	for (; *p && *p != '\n'; p++) {
		if (*p == '\\') {
			if (p[1] == '\n') {
				(*nlines)++;
				p++;
				continue;
			}
			if (p[1] == '\0')
				continue;
			p++;
		}
		sb_add(out, p, 1);
	}
	return *p == '\n' ? p + 1 : p;
}

static const struct {
	const char *name;
	enum mp_cmd cmd;
	bool needs_args;
} commands[] = {
	{ "alias", MP_ALIAS, true },       { "blacklist", MP_BLACKLIST, false }, { "options", MP_OPTIONS, true },
	{ "install", MP_INSTALL, true },   { "remove", MP_REMOVE, true },         { "softdep", MP_SOFTDEP, true },
	{ "weakdep", MP_WEAKDEP, true },
};

void modprobe_add_file(struct modprobe_config *c, const char *path, const char *text)
{
	size_t fi = c->nfiles;
	unsigned lineno = 1;

	c->files = xrealloc(c->files, (c->nfiles + 1) * sizeof(*c->files));
	c->files[fi].path = xstrdup(path);
	c->files[fi].text = xstrdup(text);
	c->nfiles++;
	for (const char *p = text; *p;) {
		struct sb l;
		unsigned n;
		char *save = NULL, *cmd, *mod, *rest;

		sb_init(&l);
		p = logical_line(p, &l, &n);
		/* only a '#' in the first column is a comment; anything else
		 * that is not a command is a bad line kmod ignores */
		if (l.len && l.s[0] != '#' && (cmd = strtok_r(l.s, "\t ", &save)) != NULL) {
			mod = strtok_r(NULL, "\t ", &save);
			rest = save && *save ? save : NULL;
			for (size_t k = 0; mod && k < sizeof(commands) / sizeof(commands[0]); k++) {
				if (strcmp(cmd, commands[k].name) != 0)
					continue;
				if (commands[k].needs_args && !rest)
					break;
				if (commands[k].cmd == MP_ALIAS || commands[k].cmd == MP_BLACKLIST) {
					/* alias NAME MODULE; blacklist MODULE: one word each */
					char *w = rest ? strtok_r(NULL, "\t ", &save) : NULL;
					if (commands[k].cmd == MP_ALIAS && !w)
						break;
					rest = w;
				}
				add_entry(c, commands[k].cmd, mod, rest, fi, lineno, n);
				break;
			}
		}
		lineno += n;
		sb_release(&l);
	}
}

void modprobe_add_cmdline(struct modprobe_config *c, const char *cmdline)
{
	struct strv t = { 0 };

	if (!cmdline)
		return;
	cmdline_split(cmdline, &t);
	for (size_t i = 0; i < t.n; i++) {
		char *tok = t.v[i], *dot = strchr(tok, '.'), *eq = strchr(tok, '=');
		/* module.param[=value]: no '=' or quote in the module part, no
		 * second '.' before the '=' */
		if (!dot || dot == tok || (eq && eq < dot) || memchr(tok, '"', (size_t)(dot - tok)))
			continue;
		char *dot2 = strchr(dot + 1, '.');
		if (dot2 && (!eq || dot2 < eq))
			continue;
		char *mod = xstrndup(tok, (size_t)(dot - tok));
		if (strcmp(mod, "modprobe") == 0 && starts_with(dot + 1, "blacklist=")) {
			char *list = xstrdup(dot + 1 + strlen("blacklist=")), *save = NULL;
			for (char *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save))
				add_entry(c, MP_BLACKLIST, m, NULL, MP_CMDLINE, 0, 0);
			free(list);
		} else {
			add_entry(c, MP_OPTIONS, mod, dot + 1, MP_CMDLINE, 0, 0);
		}
		free(mod);
	}
	strv_release(&t);
}

static const struct mp_override *find_override(const struct mp_override *ov, size_t nov, const char *path)
{
	for (size_t i = 0; i < nov; i++)
		if (strcmp(ov[i].path, path) == 0)
			return &ov[i];
	return NULL;
}

static bool conf_name(const char *n)
{
	size_t len = strlen(n);
	return n[0] != '.' && len >= 6 && strcmp(n + len - 5, ".conf") == 0;
}

static int cmp_base(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/'), *y = strrchr(*(char *const *)b, '/');
	return strcmp(x, y);
}

void modprobe_load(struct modprobe_config *out, const char *root, const char *cmdline,
                   const struct mp_override *ov, size_t nov)
{
	struct strv paths = { 0 }, names = { 0 };

	memset(out, 0, sizeof(*out));
	for (size_t d = 0; modprobe_dirs[d]; d++) {
		struct strv here = { 0 };
		char *dir = xasprintf("%s%s", root, modprobe_dirs[d]);
		DIR *dh = opendir(dir);
		struct dirent *ent;

		while (dh && (ent = readdir(dh))) {
			char *full;
			struct stat st;
			if (!conf_name(ent->d_name))
				continue;
			full = xasprintf("%s/%s", dir, ent->d_name);
			/* kmod stats through symlinks and skips directories */
			if (stat(full, &st) == 0 && !S_ISDIR(st.st_mode))
				strv_push(&here, ent->d_name);
			free(full);
		}
		if (dh)
			closedir(dh);
		free(dir);
		for (size_t i = 0; i < nov; i++) {
			const char *slash = strrchr(ov[i].path, '/');
			size_t dl = strlen(modprobe_dirs[d]);
			if (ov[i].content && strncmp(ov[i].path, modprobe_dirs[d], dl) == 0 && ov[i].path + dl == slash &&
			    conf_name(slash + 1) && !strv_has(&here, slash + 1))
				strv_push(&here, slash + 1);
		}
		strv_sort(&here);
		for (size_t i = 0; i < here.n; i++) {
			char *path = xasprintf("%s/%s", modprobe_dirs[d], here.v[i]);
			const struct mp_override *o = find_override(ov, nov, path);
			if (o && !o->content) {
				free(path);
				continue;
			}
			if (strv_has(&names, here.v[i])) {
				for (size_t k = 0; k < paths.n; k++)
					if (strcmp(strrchr(paths.v[k], '/') + 1, here.v[i]) == 0)
						strv_push_own(&out->hidden, xasprintf("%s (hidden by %s)", path, paths.v[k]));
				free(path);
				continue;
			}
			strv_push(&names, here.v[i]);
			strv_push_own(&paths, path);
		}
		strv_release(&here);
	}
	if (paths.n > 1)
		qsort(paths.v, paths.n, sizeof(*paths.v), cmp_base);
	for (size_t i = 0; i < paths.n; i++) {
		const struct mp_override *o = find_override(ov, nov, paths.v[i]);
		char *text = NULL, *full;
		if (o) {
			modprobe_add_file(out, paths.v[i], o->content);
			continue;
		}
		full = xasprintf("%s%s", root, paths.v[i]);
		if (read_file(full, MAX_CONF, &text, NULL) == 0)
			modprobe_add_file(out, paths.v[i], text);
		free(text);
		free(full);
	}
	modprobe_add_cmdline(out, cmdline);
	strv_release(&paths);
	strv_release(&names);
}

void modprobe_release(struct modprobe_config *c)
{
	for (size_t i = 0; i < c->nfiles; i++) {
		free(c->files[i].path);
		free(c->files[i].text);
	}
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].module);
		free(c->e[i].spelled);
		free(c->e[i].args);
	}
	free(c->files);
	free(c->e);
	strv_release(&c->hidden);
	memset(c, 0, sizeof(*c));
}

char *modprobe_where(const struct modprobe_config *c, const struct mp_entry *e)
{
	if (e->file == MP_CMDLINE)
		return xstrdup("the kernel command line");
	return xasprintf("%s:%u", c->files[e->file].path, e->line);
}

/* The kernel's next_arg(): whitespace separates parameters except inside
 * double quotes; quotes around the value (or the whole token) are removed. */
size_t mp_params(const char *args, struct mp_param **out)
{
	size_t n = 0;
	const char *p = args;

	*out = NULL;
	for (;;) {
		const char *start;
		bool q = false;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		start = p;
		for (; *p && (q || (*p != ' ' && *p != '\t' && *p != '\n')); p++)
			if (*p == '"')
				q = !q;
		struct mp_param *m;
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		m = &(*out)[n++];
		m->raw = xstrndup(start, (size_t)(p - start));
		struct sb name, val;
		bool in_val = false;
		sb_init(&name);
		sb_init(&val);
		for (const char *s = m->raw; *s; s++) {
			if (*s == '"')
				continue;
			if (!in_val && *s == '=') {
				in_val = true;
				continue;
			}
			sb_add(in_val ? &val : &name, s, 1);
		}
		m->name = modprobe_norm(sb_detach(&name));
		m->value = in_val ? sb_detach(&val) : NULL;
		sb_release(&val);
	}
	return n;
}

void mp_params_release(struct mp_param *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].raw);
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

bool modprobe_entry_param(const struct mp_entry *e, const char *param, char **value)
{
	struct mp_param *p;
	size_t n;
	bool found = false;
	char *want = modprobe_norm(xstrdup(param));

	if (e->cmd != MP_OPTIONS) {
		free(want);
		return false;
	}
	n = mp_params(e->args, &p);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(p[i].name, want) != 0)
			continue;
		if (value) {
			free(found ? *value : NULL);
			*value = xstrdup(p[i].value ? p[i].value : "");
		}
		found = true;
	}
	mp_params_release(p, n);
	free(want);
	return found;
}

char *modprobe_param(const struct modprobe_config *c, const char *module, const char *param,
                     const struct mp_entry **where)
{
	char *m = modprobe_norm(xstrdup(module)), *val = NULL;

	if (where)
		*where = NULL;
	for (size_t i = 0; i < c->n; i++) {
		char *v = NULL;
		if (c->e[i].cmd != MP_OPTIONS || strcmp(c->e[i].module, m) != 0)
			continue;
		if (modprobe_entry_param(&c->e[i], param, &v)) {
			free(val);
			val = v;
			if (where)
				*where = &c->e[i];
		}
	}
	free(m);
	return val;
}

static const struct mp_entry *first_match(const struct modprobe_config *c, enum mp_cmd cmd, const char *module,
                                          bool pattern)
{
	char *m = modprobe_norm(xstrdup(module));
	const struct mp_entry *found = NULL;

	for (size_t i = 0; !found && i < c->n; i++)
		if (c->e[i].cmd == cmd &&
		    (pattern ? fnmatch(c->e[i].module, m, 0) == 0 : strcmp(c->e[i].module, m) == 0))
			found = &c->e[i];
	free(m);
	return found;
}

const struct mp_entry *modprobe_blacklist(const struct modprobe_config *c, const char *module)
{
	return first_match(c, MP_BLACKLIST, module, false);
}

/* kmod_module_get_softdeps and _get_install_commands take the first entry
 * whose name, a pattern, matches. */
const struct mp_entry *modprobe_softdep(const struct modprobe_config *c, const char *module)
{
	return first_match(c, MP_SOFTDEP, module, true);
}

const struct mp_entry *modprobe_install(const struct modprobe_config *c, const char *module)
{
	return first_match(c, MP_INSTALL, module, true);
}

bool modprobe_softdep_pre_has(const struct mp_entry *e, const char *dep)
{
	char *spec = xstrdup(e->args), *save = NULL, *want = modprobe_norm(xstrdup(dep));
	bool pre = false, found = false;

	for (char *w = strtok_r(spec, " \t", &save); w && !found; w = strtok_r(NULL, " \t", &save)) {
		if (strcmp(w, "pre:") == 0)
			pre = true;
		else if (strcmp(w, "post:") == 0)
			pre = false;
		else if (pre && strcmp(modprobe_norm(w), want) == 0)
			found = true;
	}
	free(spec);
	free(want);
	return found;
}

int mp_bool(const char *v)
{
	if (!v || !*v)
		return 1;
	switch (v[0]) {
	case 'y': case 'Y': case '1':
		return 1;
	case 'n': case 'N': case '0':
		return 0;
	case 'o': case 'O':
		if (v[1] == 'n' || v[1] == 'N')
			return 1;
		if (v[1] == 'f' || v[1] == 'F')
			return 0;
		break;
	}
	return -1;
}

char *modprobe_disable(const struct modprobe_config *c, size_t f, const struct mp_disable *d, size_t n)
{
	const char *p = c->files[f].text;
	unsigned lineno = 1;
	struct sb out;

	sb_init(&out);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const struct mp_disable *hit = NULL;
		for (size_t i = 0; i < n; i++)
			if (d[i].e->file == f && d[i].e->line == lineno)
				hit = &d[i];
		if (!hit) {
			sb_add(&out, p, len);
			sb_adds(&out, "\n");
			p = nl ? nl + 1 : p + len;
			lineno++;
			continue;
		}
		for (unsigned k = 0; k < hit->e->nlines && *p; k++) {
			nl = strchr(p, '\n');
			len = nl ? (size_t)(nl - p) : strlen(p);
			if (k == 0)
				sb_addf(&out, "# disabled by orch (%s): ", hit->why);
			else
				sb_adds(&out, "# ");
			sb_add(&out, p, len);
			sb_adds(&out, "\n");
			p = nl ? nl + 1 : p + len;
			lineno++;
		}
		if (hit->replacement)
			sb_addf(&out, "%s\n", hit->replacement);
	}
	return sb_detach(&out);
}
