/*
 * Inventory sources as ansible-core 2.14 reads them: files and directories
 * (inventory/manager.py parse_sources, parse_source), the inventory plugins
 * tried on each file in the default order of INVENTORY_ENABLED (host_list,
 * script, auto, yaml, ini, toml), and the vars files beside each source
 * (plugins/vars/host_group_vars.py, parsing/dataloader.py find_vars_files),
 * merged with VariableManager.get_vars()'s precedence (inventory.c).
 *
 * What Ansible would evaluate and orch cannot (scripts, inventory plugin
 * configurations, TOML, vault-encrypted files) is refused by name, and so is
 * a file no plugin can read, which Ansible only warns about.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inventory_private.h"
#include "yaml.h"

/* ---- interned file names, warnings ---- */

const char *
inv_intern(struct inventory *inv, const char *path)
{
	size_t i = ni_get(&inv->file_index, path);

	if (i != NOT_FOUND)
		return inv->files.v[i];
	if (strvec_pushn(&inv->files, path, strlen(path)) < 0)
		return NULL;
	i = inv->files.n - 1;
	if (ni_put(&inv->file_index, inv->files.v[i], i) < 0)
		return NULL;
	return inv->files.v[i];
}

int
inv_warn(struct inventory *inv, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	return strvec_push(&inv->warnings, s);
}

int
inv_json_truthy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return json_object_size(v) != 0;
	case JSON_ARRAY:
		return json_array_size(v) != 0;
	case JSON_STRING:
		return json_string_length(v) != 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_TRUE:
		return 1;
	default:
		return 0;
	}
}

/* ---- paths, as os.path joins and splits them ---- */

static char *
path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *s;

	if (n == 0)
		return strdup(name);
	if (asprintf(&s, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name) < 0)
		return NULL;
	return s;
}

/* os.path.dirname() */
static char *
path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL)
		return strdup("");
	n = (size_t)(slash - path) + 1;
	while (n > 1 && path[n - 1] == '/')
		n--;
	return strndup(path, n);
}

static const char *
path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* os.path.splitext()[1] of a file name: from its last dot, unless the
 * name's only dots lead it ("" then) */
static const char *
path_ext(const char *name)
{
	const char *p = name, *dot;

	while (*p == '.')
		p++;
	dot = strrchr(p, '.');
	return dot ? dot : name + strlen(name);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory PATH, sorted as Python sorts bytes. */
static int
list_dir(const char *path, struct strvec *out)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strvec_pushn(out, e->d_name, strlen(e->d_name)) < 0) {
			closedir(d);
			errno = ENOMEM;
			return -1;
		}
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return 0;
}

/* parsing/vault is_encrypted(): ASCII data starting with the header */
static int
is_vault(const char *text, size_t len)
{
	static const char header[] = "$ANSIBLE_VAULT";

	if (len < sizeof(header) - 1 || memcmp(text, header, sizeof(header) - 1) != 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)text[i] > 0x7f)
			return 0;
	}
	return 1;
}

/* ---- reading the sources ---- */

struct load {
	struct inventory *inv;
	char *err;
	size_t errlen;
	struct strvec varsdirs;         /* distinct, in the order the sources name them */
	unsigned depth;                 /* directories being walked, one in another */
	char skipped[512];              /* the current source's first file skipped by extension */
};

/* Deeper than this is a symlink loop, where Python would exhaust its stack. */
#define MAX_DIR_DEPTH 64

__attribute__((format(printf, 2, 3))) static int
lerr(struct load *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ld->err, ld->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
append_warnings(struct load *ld, struct strvec *w)
{
	for (size_t i = 0; i < w->n; i++) {
		if (strvec_push(&ld->inv->warnings, w->v[i]) < 0) {
			w->v[i] = NULL;
			strvec_clear(w);
			return lerr(ld, "out of memory");
		}
		w->v[i] = NULL;
	}
	strvec_clear(w);
	return 0;
}

/* Appends "; PLUGIN plugin: WHY" to the reasons kept for the final refusal. */
static void
add_reason(char *reasons, size_t len, const char *plugin, const char *why)
{
	size_t n = strlen(reasons);

	snprintf(reasons + n, len - n, "%s%s plugin: %s", n ? "; " : "", plugin, why);
}

static const char *const yaml_exts[] = { ".yaml", ".yml", ".json" };

static int
is_yaml_ext(const char *ext)
{
	for (size_t i = 0; i < sizeof(yaml_exts) / sizeof(yaml_exts[0]); i++) {
		if (strcmp(ext, yaml_exts[i]) == 0)
			return 1;
	}
	return 0;
}

/* One file, tried with each plugin that wants it, in Ansible's order. */
static int
parse_file(struct load *ld, const char *path)
{
	struct inventory *inv = ld->inv;
	struct strvec ywarn = { 0 };
	const char *file, *ext = path_ext(path_base(path));
	char *text = NULL, *reasons = NULL, why[2048];
	json_t *data = NULL;
	size_t len, rlen = 8192;
	int r = -1, loaded = 0, load_failed = 0;

	if ((file = inv_intern(inv, path)) == NULL || (reasons = calloc(1, rlen)) == NULL)
		return lerr(ld, "%s: out of memory", path);
	if (access(path, R_OK) != 0) {
		lerr(ld, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	if (inv_read_file(path, &text, &len, ld->err, ld->errlen) < 0)
		goto out;
	if (is_vault(text, len)) {
		lerr(ld, "%s: vault-encrypted file ($ANSIBLE_VAULT header): orch cannot decrypt it", path);
		goto out;
	}
	/* script: executable or with a #! line. One that is not executable
	 * fails to run and the next plugins read it; one that is would run. */
	if (len >= 2 && text[0] == '#' && text[1] == '!' && access(path, X_OK) == 0) {
		lerr(ld, "%s: an inventory script (executable, starts with '#!'): orch does not run inventory scripts",
		     path);
		goto out;
	}
	if (strcmp(ext, ".yml") == 0 || strcmp(ext, ".yaml") == 0 || *ext == '\0' || is_yaml_ext(ext)) {
		loaded = 1;
		if (inv_yaml_parse(file, text, len, &data, &ywarn, why, sizeof(why)) < 0)
			load_failed = 1;
	}
	/* auto: a .yml/.yaml file whose `plugin` key names the plugin to run */
	if (strcmp(ext, ".yml") == 0 || strcmp(ext, ".yaml") == 0) {
		json_t *plugin = data && json_is_object(data) ? json_object_get(data, "plugin") : NULL;

		if (plugin && inv_json_truthy(plugin)) {
			char *name = py_str(plugin);

			lerr(ld, "%s: configuration of the inventory plugin '%s' (its 'plugin' key): orch cannot run inventory plugins",
			     path, name ? name : "?");
			free(name);
			goto out;
		}
		if (load_failed)
			add_reason(reasons, rlen, "auto", why);
		else
			add_reason(reasons, rlen, "auto", "no root 'plugin' key found, not a YAML inventory plugin config file");
	}
	/* yaml: no extension or one of yaml_extensions */
	if (loaded) {
		if (load_failed) {
			add_reason(reasons, rlen, "yaml", why);
		} else if (inv_parse_yaml_inventory(inv, file, text, len, data, why, sizeof(why)) < 0) {
			add_reason(reasons, rlen, "yaml", why);
		} else {
			r = append_warnings(ld, &ywarn);
			goto out;
		}
	}
	/* ini: any readable file */
	if (inv_parse_ini(inv, file, text, len, why, sizeof(why)) == 0) {
		r = 0;
		goto out;
	}
	/* the ini plugin alone wanted it (an .ini file, say): its message as is */
	if (!loaded && strcmp(ext, ".toml") != 0) {
		lerr(ld, "%s", why);
		goto out;
	}
	add_reason(reasons, rlen, "ini", why);
	if (strcmp(ext, ".toml") == 0) {
		lerr(ld, "%s: a TOML inventory: orch does not read TOML inventories (%s)", path, reasons);
		goto out;
	}
	lerr(ld, "%s: no inventory plugin can read it (%s)", path, reasons);
out:
	strvec_clear(&ywarn);
	json_decref(data);
	free(text);
	free(reasons);
	return r;
}

/* INVENTORY_IGNORE_EXTS: REJECT_EXTS and .orig, .ini, .cfg, .retry */
static const char *const ignore_exts[] = {
	".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".ini", ".cfg", ".retry",
};

/* The sorted names of directory PATH, one level deeper; the caller's
 * ld->depth-- leaves it. A loop of symbolic links ends at MAX_DIR_DEPTH. */
static int
enter_dir(struct load *ld, const char *path, struct strvec *names)
{
	if (ld->depth >= MAX_DIR_DEPTH)
		return lerr(ld, "%s: directories nested too deep (a symbolic link loop?)", path);
	if (list_dir(path, names) < 0)
		return lerr(ld, "%s: cannot read the directory: %s", path, strerror(errno));
	ld->depth++;
	return 0;
}

static int parse_source(struct load *ld, const char *path, int top, int *parsed);

static int
parse_dir(struct load *ld, const char *path, int top, int *parsed)
{
	struct strvec names = { 0 };
	int r = -1;

	if (enter_dir(ld, path, &names) < 0)
		return -1;
	for (size_t i = 0; i < names.n; i++) {
		const char *name = names.v[i];
		char *full = path_join(path, name);
		const char *skip = NULL;

		if (full == NULL) {
			lerr(ld, "%s: out of memory", path);
			goto out;
		}
		/* IGNORED_ALWAYS */
		if (name[0] == '.' || strcmp(name, "vars_plugins") == 0) {
			free(full);
			continue;
		}
		if (strcmp(name, "group_vars") == 0 || strcmp(name, "host_vars") == 0) {
			/* only the top directory's are read, as vars files of the source */
			if (!top && inv_warn(ld->inv, "%s: not read: %s/ is only read beside an inventory source given to orch",
					     full, name) < 0)
				skip = "oom";
			else
				skip = "";
		}
		for (size_t k = 0; skip == NULL && k < sizeof(ignore_exts) / sizeof(ignore_exts[0]); k++) {
			if (ends_with(name, ignore_exts[k]))
				skip = ignore_exts[k];
		}
		if (skip && *skip && strcmp(skip, "oom") != 0) {
			if (ld->skipped[0] == '\0')
				snprintf(ld->skipped, sizeof(ld->skipped), "%s", full);
			if (inv_warn(ld->inv, "%s: skipped: Ansible ignores names ending in '%s' in an inventory directory (INVENTORY_IGNORE_EXTS)",
				     full, skip) < 0)
				skip = "oom";
		}
		if (skip && strcmp(skip, "oom") == 0) {
			free(full);
			lerr(ld, "%s: out of memory", path);
			goto out;
		}
		if (skip == NULL && parse_source(ld, full, 0, parsed) < 0) {
			free(full);
			goto out;
		}
		free(full);
	}
	r = 0;
out:
	ld->depth--;
	strvec_clear(&names);
	return r;
}

static int
parse_source(struct load *ld, const char *path, int top, int *parsed)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (top && strchr(path, ',') && errno == ENOENT)
			return lerr(ld, "%s: no such file; orch does not read comma-separated host lists", path);
		return lerr(ld, "%s: cannot open: %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		int here = 0;

		if (parse_dir(ld, path, top, &here) < 0)
			return -1;
		/* Ansible warns about a directory it reads nothing from and goes
		 * on; orch refuses only a source given to it that is read as
		 * nothing (inventory_load_sources) */
		if (!here && !top && inv_warn(ld->inv, "%s: nothing read: no inventory file Ansible reads in this directory", path) < 0)
			return lerr(ld, "%s: out of memory", path);
		*parsed |= here;
		return 0;
	}
	if (parse_file(ld, path) < 0)
		return -1;
	*parsed = 1;
	return 0;
}

/* ---- vars files (host_group_vars) ---- */

static const char *const vars_exts[] = { ".yml", ".yaml", ".json" };

static int
is_vars_ext(const char *ext)
{
	if (*ext == '\0')
		return 1;
	for (size_t i = 0; i < sizeof(vars_exts) / sizeof(vars_exts[0]); i++) {
		if (strcmp(ext, vars_exts[i]) == 0)
			return 1;
	}
	return 0;
}

/* DataLoader._get_dir_vars_files(): sorted, hidden and `~` files skipped,
 * subdirectories without an extension walked, files with no extension or a
 * YAML one kept. What it skips besides hidden and backup files is warned
 * about. */
static int
dir_vars_files(struct load *ld, const char *path, struct strvec *found)
{
	struct strvec names = { 0 };
	int r = -1;

	if (enter_dir(ld, path, &names) < 0)
		return -1;
	for (size_t i = 0; i < names.n; i++) {
		const char *name = names.v[i], *ext = path_ext(name);
		char *full;
		struct stat st;
		int ok;

		if (name[0] == '.' || ends_with(name, "~"))
			continue;
		if ((full = path_join(path, name)) == NULL) {
			lerr(ld, "%s: out of memory", path);
			goto out;
		}
		ok = stat(full, &st) == 0;
		if (ok && S_ISDIR(st.st_mode) && *ext == '\0') {
			if (dir_vars_files(ld, full, found) < 0) {
				free(full);
				goto out;
			}
			free(full);
		} else if (ok && S_ISREG(st.st_mode) && is_vars_ext(ext)) {
			if (strvec_push(found, full) < 0) {
				lerr(ld, "%s: out of memory", path);
				goto out;
			}
		} else {
			int w = inv_warn(ld->inv, "%s: not read: a vars file must have no extension or end in .yml, .yaml or .json (a directory: no extension)",
					 full);

			free(full);
			if (w < 0) {
				lerr(ld, "%s: out of memory", path);
				goto out;
			}
		}
	}
	r = 0;
out:
	ld->depth--;
	strvec_clear(&names);
	return r;
}

static int
listed(const struct strvec *names, const char *name, const char *ext)
{
	char buf[1024];
	const char *key = buf;

	if (snprintf(buf, sizeof(buf), "%s%s", name, ext) >= (int)sizeof(buf))
		return 1; /* too long to look up here: let stat() decide */
	return bsearch(&key, names->v, names->n, sizeof(*names->v), cmp_str) != NULL;
}

/* The candidate find_vars_files() settles on for NAME in DIR: NAME, then
 * NAME.yml, NAME.yaml, NAME.json, the first that exists; NULL when none.
 * NAMES, DIR's sorted listing, spares a stat() per candidate that is not
 * there (a name with a '/' is looked up below DIR and always stat()ed). */
static char *
vars_candidate(const char *dir, const struct strvec *names, const char *name, int *err)
{
	static const char *const exts[] = { "", ".yml", ".yaml", ".json" };
	int nested = strchr(name, '/') != NULL;
	struct stat st;

	*err = 0;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		char *p;

		if (!nested && !listed(names, name, exts[i]))
			continue;
		if (asprintf(&p, "%s/%s%s", dir, name, exts[i]) < 0) {
			*err = 1;
			return NULL;
		}
		if (stat(p, &st) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* One vars file into VL: a mapping, or nothing when empty (or any value
 * Python finds false); anything else Ansible fails to combine. */
static int
load_vars_file(struct load *ld, const char *path, struct varlist *vl)
{
	struct strvec ywarn = { 0 };
	const char *file, *key;
	char *text = NULL;
	json_t *data = NULL, *v;
	size_t len;
	int r = -1;

	if ((file = inv_intern(ld->inv, path)) == NULL)
		return lerr(ld, "%s: out of memory", path);
	if (inv_read_file(path, &text, &len, ld->err, ld->errlen) < 0)
		return -1;
	if (is_vault(text, len)) {
		lerr(ld, "%s: vault-encrypted file ($ANSIBLE_VAULT header): orch cannot decrypt it", path);
		goto out;
	}
	if (inv_yaml_parse(file, text, len, &data, &ywarn, ld->err, ld->errlen) < 0)
		goto out;
	if (append_warnings(ld, &ywarn) < 0)
		goto out;
	if (!inv_json_truthy(data)) {
		r = 0;
		goto out;
	}
	if (!json_is_object(data)) {
		lerr(ld, "%s: a vars file must hold a mapping of variables, not a %s", path,
		     json_is_array(data) ? "list" : json_is_string(data) ? "string" : "scalar");
		goto out;
	}
	json_object_foreach(data, key, v) {
		char *t = json_is_string(v) ? NULL : py_str(v);
		int rs;

		if (!json_is_string(v) && t == NULL) {
			lerr(ld, "%s: out of memory", path);
			goto out;
		}
		rs = varlist_set(vl, key, t ? t : json_string_value(v), v, file);
		free(t);
		if (rs < 0) {
			lerr(ld, "%s: out of memory", path);
			goto out;
		}
	}
	r = 0;
out:
	strvec_clear(&ywarn);
	json_decref(data);
	free(text);
	return r;
}

/* host_group_vars for one entity: the files find_vars_files() finds for
 * NAME in DIR, each merged over the one before. */
static int
load_entity_vars(struct load *ld, const char *dir, const struct strvec *names, const char *name,
		 struct varlist **fvars, size_t d)
{
	struct strvec found = { 0 };
	struct stat st;
	char *cand;
	int err, r = -1;

	/* a name like /path/to/chroot is not looked up */
	if (name[0] == '/')
		return 0;
	if ((cand = vars_candidate(dir, names, name, &err)) == NULL)
		return err ? lerr(ld, "%s: out of memory", dir) : 0;
	if (stat(cand, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (dir_vars_files(ld, cand, &found) < 0)
			goto out;
		free(cand);
	} else if (strvec_push(&found, cand) < 0) {
		return lerr(ld, "%s: out of memory", dir);
	}
	cand = NULL;
	if (*fvars == NULL && (*fvars = calloc(ld->inv->nvarsdirs, sizeof(**fvars))) == NULL) {
		lerr(ld, "%s: out of memory", dir);
		goto out;
	}
	for (size_t i = 0; i < found.n; i++) {
		if (load_vars_file(ld, found.v[i], &(*fvars)[d]) < 0)
			goto out;
	}
	r = 0;
out:
	free(cand);
	strvec_clear(&found);
	return r;
}

/* Groups that some host is in, directly or through a child: only their
 * vars files are ever read by Ansible (get_vars() runs per host). */
static unsigned char *
groups_with_hosts(const struct inventory *inv)
{
	unsigned char *mark = calloc(inv->ngroups ? inv->ngroups : 1, 1);
	size_t *stack = malloc((inv->ngroups ? inv->ngroups : 1) * sizeof(*stack)), n = 0;

	if (mark == NULL || stack == NULL) {
		free(mark);
		free(stack);
		return NULL;
	}
	for (size_t h = 0; h < inv->nhosts; h++) {
		for (size_t i = 0; i < inv->hosts[h].ngroups; i++) {
			size_t g = inv->hosts[h].groups[i];

			if (mark[g])
				continue;
			mark[g] = 1;
			stack[n++] = g;
			while (n > 0) {
				const struct group *gr = &inv->groups[stack[--n]];

				for (size_t k = 0; k < gr->nparents; k++) {
					if (!mark[gr->parents[k]]) {
						mark[gr->parents[k]] = 1;
						stack[n++] = gr->parents[k];
					}
				}
			}
		}
	}
	/* a host taken out of `ungrouped` no longer has it, even below a child
	 * of it: `ungrouped` counts only through the other hosts */
	if (mark[GROUP_UNGROUPED]) {
		unsigned char *below = calloc(inv->ngroups, 1);
		size_t n2 = 0;

		if (below == NULL) {
			free(stack);
			free(mark);
			return NULL;
		}
		below[GROUP_UNGROUPED] = 1;
		stack[n2++] = GROUP_UNGROUPED;
		while (n2 > 0) {
			const struct group *gr = &inv->groups[stack[--n2]];

			for (size_t k = 0; k < gr->nchildren; k++) {
				if (!below[gr->children[k]]) {
					below[gr->children[k]] = 1;
					stack[n2++] = gr->children[k];
				}
			}
		}
		mark[GROUP_UNGROUPED] = 0;
		for (size_t h = 0; h < inv->nhosts && !mark[GROUP_UNGROUPED]; h++) {
			for (size_t i = 0; !inv->hosts[h].left_ungrouped && i < inv->hosts[h].ngroups; i++)
				mark[GROUP_UNGROUPED] |= below[inv->hosts[h].groups[i]];
		}
		free(below);
	}
	free(stack);
	return mark;
}

/* What sits in group_vars/ (or host_vars/) and is read for no entity:
 * Ansible passes over it in silence, orch says so. */
static int
warn_unread(struct load *ld, const char *dir, const struct strvec *names, int groups)
{
	struct inventory *inv = ld->inv;

	for (size_t i = 0; i < names->n; i++) {
		const char *name = names->v[i], *ext = path_ext(name);
		char *base = NULL, *cand = NULL, *full = NULL;
		size_t idx;
		int err, w = 0;

		if (name[0] == '.' || ends_with(name, "~"))
			continue;
		idx = groups ? inventory_find_group(inv, name) : inventory_find_host(inv, name);
		if (idx == NOT_FOUND && is_vars_ext(ext) && *ext) {
			if ((base = strndup(name, (size_t)(ext - name))) == NULL)
				goto oom;
			idx = groups ? inventory_find_group(inv, base) : inventory_find_host(inv, base);
		}
		if ((full = path_join(dir, name)) == NULL)
			goto oom;
		if (idx == NOT_FOUND) {
			w = inv_warn(inv, "%s: not read: no %s '%s' in the inventory", full, groups ? "group" : "host",
				     base ? base : name);
		} else {
			if ((cand = vars_candidate(dir, names, base ? base : name, &err)) == NULL && err)
				goto oom;
			if (cand && strcmp(cand, full) != 0)
				w = inv_warn(inv, "%s: not read: Ansible reads %s instead (the first of NAME, NAME.yml, NAME.yaml, NAME.json)",
					     full, cand);
		}
		free(base);
		free(cand);
		free(full);
		if (w < 0)
			goto oom_nofree;
		continue;
oom:
		free(base);
		free(cand);
		free(full);
oom_nofree:
		return lerr(ld, "%s: out of memory", dir);
	}
	return 0;
}

static int
load_vars_dir(struct load *ld, size_t d)
{
	struct inventory *inv = ld->inv;
	const char *subdirs[] = { "group_vars", "host_vars" };
	unsigned char *has_hosts = NULL;
	int r = -1;

	for (int k = 0; k < 2; k++) {
		char *dir = path_join(ld->varsdirs.v[d], subdirs[k]);
		struct strvec names = { 0 };
		struct stat st;
		int fail = 0;

		if (dir == NULL)
			return lerr(ld, "%s: out of memory", ld->varsdirs.v[d]);
		if (stat(dir, &st) != 0) {
			free(dir);
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			fail = inv_warn(inv, "%s: Found %s that is not a directory, skipping", dir, subdirs[k]) < 0;
			free(dir);
			if (fail)
				return lerr(ld, "out of memory");
			continue;
		}
		if (list_dir(dir, &names) < 0) {
			fail = lerr(ld, "%s: cannot read the directory: %s", dir, strerror(errno));
		} else if (k == 0) {
			if ((has_hosts = groups_with_hosts(inv)) == NULL)
				fail = lerr(ld, "%s: out of memory", dir);
			for (size_t g = 0; !fail && g < inv->ngroups; g++) {
				if (has_hosts[g] &&
				    load_entity_vars(ld, dir, &names, inv->groups[g].name, &inv->groups[g].fvars, d) < 0)
					fail = 1;
			}
		} else {
			for (size_t h = 0; !fail && h < inv->nhosts; h++) {
				if (load_entity_vars(ld, dir, &names, inv->hosts[h].name, &inv->hosts[h].fvars, d) < 0)
					fail = 1;
			}
		}
		if (!fail && warn_unread(ld, dir, &names, k == 0) < 0)
			fail = 1;
		strvec_clear(&names);
		free(dir);
		free(has_hosts);
		has_hosts = NULL;
		if (fail)
			goto out;
	}
	r = 0;
out:
	free(has_hosts);
	return r;
}

/* ---- the whole ---- */

int
inventory_load_sources(struct inventory **out, const char *const *paths, size_t n, char *err, size_t errlen)
{
	struct load ld = { 0 };
	struct inventory *inv = NULL;
	int r = -1;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	ld.err = err;
	ld.errlen = errlen;
	if (n == 0)
		return lerr(&ld, "no inventory source");
	if ((inv = inv_new()) == NULL || (inv->filename = strdup(paths[0])) == NULL ||
	    (inv->source_varsdir = calloc(n, sizeof(*inv->source_varsdir))) == NULL) {
		lerr(&ld, "%s: out of memory", paths[0]);
		goto out;
	}
	ld.inv = inv;
	for (size_t s = 0; s < n; s++) {
		char *dir = is_dir(paths[s]) ? strdup(paths[s]) : path_dirname(paths[s]);
		size_t d;
		int parsed = 0;

		if (dir == NULL) {
			lerr(&ld, "%s: out of memory", paths[s]);
			goto out;
		}
		for (d = 0; d < ld.varsdirs.n && strcmp(ld.varsdirs.v[d], dir) != 0; d++)
			;
		if (d == ld.varsdirs.n) {
			if (strvec_push(&ld.varsdirs, dir) < 0) {
				lerr(&ld, "%s: out of memory", paths[s]);
				goto out;
			}
		} else {
			free(dir);
		}
		inv->source_varsdir[s] = d;
		ld.skipped[0] = '\0';
		if (parse_source(&ld, paths[s], 1, &parsed) < 0)
			goto out;
		if (!parsed && ld.skipped[0]) {
			lerr(&ld, "%s: no inventory file Ansible reads in this directory (it skips %s by its extension, "
				  "INVENTORY_IGNORE_EXTS: name the file itself as a source)", paths[s], ld.skipped);
			goto out;
		}
		if (!parsed) {
			lerr(&ld, "%s: no inventory file Ansible reads in this directory", paths[s]);
			goto out;
		}
	}
	inv->nsources = n;
	inv->nvarsdirs = ld.varsdirs.n;
	if (inv_finish(inv, err, errlen) < 0)
		goto out;
	for (size_t d = 0; d < ld.varsdirs.n; d++) {
		if (load_vars_dir(&ld, d) < 0)
			goto out;
	}
	if (inv_merge_vars(inv) < 0) {
		lerr(&ld, "%s: out of memory", paths[0]);
		goto out;
	}
	*out = inv;
	inv = NULL;
	r = 0;
out:
	if (inv)
		inv->nvarsdirs = ld.varsdirs.n;
	strvec_clear(&ld.varsdirs);
	inventory_free(inv);
	return r;
}

/* ---- origins, warnings ---- */

const char *
inventory_host_var_origin(const struct inventory *inv, size_t i, const char *key)
{
	if (i >= inv->nhosts)
		return NULL;
	for (size_t j = 0; j < inv->hosts[i].nmerged; j++) {
		if (strcmp(inv->hosts[i].merged[j].key, key) == 0)
			return inv->hosts[i].merged[j].origin;
	}
	return NULL;
}

/* (key, origin) pairs already reported */
struct seen_set {
	struct seen_slot {
		const char *key, *origin;
	} *slots;
	size_t cap, n;
};

static uint64_t
pair_hash(const char *key, const char *origin)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)origin;

	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return h;
}

/* 1 when the pair is new (and now recorded), 0 when seen, -1 out of memory */
static int
seen_add(struct seen_set *s, const char *key, const char *origin)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct seen_slot *slots = calloc(cap, sizeof(*slots));

		if (slots == NULL)
			return -1;
		for (size_t j = 0; j < s->cap; j++) {
			if (s->slots[j].key == NULL)
				continue;
			for (i = pair_hash(s->slots[j].key, s->slots[j].origin) & (cap - 1); slots[i].key;
			     i = (i + 1) & (cap - 1))
				;
			slots[i] = s->slots[j];
		}
		free(s->slots);
		s->slots = slots;
		s->cap = cap;
	}
	for (i = pair_hash(key, origin) & (s->cap - 1); s->slots[i].key; i = (i + 1) & (s->cap - 1)) {
		if (s->slots[i].origin == origin && strcmp(s->slots[i].key, key) == 0)
			return 0;
	}
	s->slots[i].key = key;
	s->slots[i].origin = origin;
	s->n++;
	return 1;
}

static void
each_in(const struct varlist *vl, struct seen_set *seen, void (*fn)(const char *, const char *, void *), void *ctx)
{
	for (size_t j = 0; j < vl->n; j++) {
		/* out of memory: report it again rather than drop it */
		if (seen_add(seen, vl->v[j].key, vl->v[j].origin) != 0)
			fn(vl->v[j].key, vl->v[j].origin, ctx);
	}
}

void
inventory_each_var(const struct inventory *inv, void (*fn)(const char *key, const char *origin, void *ctx), void *ctx)
{
	struct seen_set seen = { 0 };

	for (size_t g = 0; g < inv->ngroups; g++) {
		each_in(&inv->groups[g].vars, &seen, fn, ctx);
		for (size_t d = 0; inv->groups[g].fvars && d < inv->nvarsdirs; d++)
			each_in(&inv->groups[g].fvars[d], &seen, fn, ctx);
	}
	for (size_t h = 0; h < inv->nhosts; h++) {
		each_in(&inv->hosts[h].vars, &seen, fn, ctx);
		for (size_t d = 0; inv->hosts[h].fvars && d < inv->nvarsdirs; d++)
			each_in(&inv->hosts[h].fvars[d], &seen, fn, ctx);
	}
	free(seen.slots);
}

size_t
inventory_warning_count(const struct inventory *inv)
{
	return inv->warnings.n;
}

const char *
inventory_warning(const struct inventory *inv, size_t k)
{
	return k < inv->warnings.n ? inv->warnings.v[k] : NULL;
}
