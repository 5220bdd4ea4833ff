#include "cmdline.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void cmdline_split(const char *s, struct strv *out)
{
	while (*s) {
		while (*s && isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		const char *start = s;
		bool quoted = false;
		while (*s && (quoted || !isspace((unsigned char)*s))) {
			if (*s == '"')
				quoted = !quoted;
			s++;
		}
		strv_push_own(out, xstrndup(start, (size_t)(s - start)));
	}
}

bool cmdline_balanced(const char *line)
{
	size_t quotes = 0;
	for (; *line; line++)
		if (*line == '"')
			quotes++;
	return quotes % 2 == 0;
}

char *cmdline_join(const struct strv *toks)
{
	struct sb b;

	sb_init(&b);
	for (size_t i = 0; i < toks->n; i++) {
		if (i)
			sb_adds(&b, " ");
		sb_adds(&b, toks->v[i]);
	}
	return sb_detach(&b);
}

/* The value of a key= token, or NULL when `tok` is not one. */
static const char *opt_list(const char *tok, const char *key)
{
	size_t kl = strlen(key);

	if (strncmp(tok, key, kl) != 0 || tok[kl] != '=')
		return NULL;
	return tok + kl + 1;
}

/* The option that undoes `opt` of `key`, or NULL. */
static const char *opposite(const char *key, const char *opt)
{
	static const char *const pairs[][3] = {
		{ "intel_iommu", "on", "off" },
		{ "iommu", "pt", "nopt" },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (strcmp(key, pairs[i][0]) != 0)
			continue;
		if (strcmp(opt, pairs[i][1]) == 0)
			return pairs[i][2];
		if (strcmp(opt, pairs[i][2]) == 0)
			return pairs[i][1];
	}
	return NULL;
}

/* Whether the comma list `list` holds `opt` as one of its items. */
static bool list_has(const char *list, const char *opt)
{
	size_t ol = strlen(opt);

	for (const char *s = list; *s;) {
		size_t n = strcspn(s, ",");
		if (n == ol && strncmp(s, opt, n) == 0)
			return true;
		s += n;
		if (*s == ',')
			s++;
	}
	return false;
}

bool cmdline_gives(const struct strv *toks, const char *key, const char *opt)
{
	const char *undo = opposite(key, opt);
	bool given = false;

	for (size_t i = 0; i < toks->n; i++) {
		const char *list = opt_list(toks->v[i], key);
		if (!list)
			continue;
		for (const char *s = list; *s;) {
			size_t n = strcspn(s, ",");
			if (n == strlen(opt) && strncmp(s, opt, n) == 0)
				given = true;
			else if (undo && n == strlen(undo) && strncmp(s, undo, n) == 0)
				given = false;
			s += n;
			if (*s == ',')
				s++;
		}
	}
	return given;
}

bool cmdline_lists(const struct strv *toks, const char *key, const char *opt)
{
	for (size_t i = 0; i < toks->n; i++) {
		const char *list = opt_list(toks->v[i], key);
		if (list && list_has(list, opt))
			return true;
	}
	return false;
}

char *cmdline_token_without(const char *tok, const char *key, const char *opt)
{
	const char *list = opt_list(tok, key);
	struct sb b;

	if (!list || !list_has(list, opt))
		return NULL;
	sb_init(&b);
	for (const char *s = list; *s;) {
		size_t n = strcspn(s, ",");
		if (n && !(n == strlen(opt) && strncmp(s, opt, n) == 0)) {
			if (b.len)
				sb_adds(&b, ",");
			sb_add(&b, s, n);
		}
		s += n;
		if (*s == ',')
			s++;
	}
	if (!b.len) {
		sb_release(&b);
		return xstrdup("");
	}
	char *out = xasprintf("%s=%s", key, b.s);
	sb_release(&b);
	return out;
}

size_t cmdline_remove_opt(struct strv *toks, const char *key, const char *opt)
{
	size_t removed = 0, j = 0;

	for (size_t i = 0; i < toks->n; i++) {
		char *t = cmdline_token_without(toks->v[i], key, opt);
		if (t) {
			removed++;
			free(toks->v[i]);
			if (!*t) {
				free(t);
				continue;
			}
			toks->v[i] = t;
		}
		toks->v[j++] = toks->v[i];
	}
	toks->n = j;
	return removed;
}

bool cmdline_add_opt(struct strv *toks, const char *key, const char *opt)
{
	const char *undo = opposite(key, opt);
	bool changed = false;

	if (cmdline_gives(toks, key, opt))
		return false;
	if (undo)
		changed = cmdline_remove_opt(toks, key, undo) > 0;
	if (cmdline_gives(toks, key, opt))
		return changed;
	for (size_t i = toks->n; i-- > 0;) {
		const char *list = opt_list(toks->v[i], key);
		/* a quoted value is left as the admin wrote it */
		if (list && *list && *list != '"') {
			char *t = xasprintf("%s,%s", toks->v[i], opt);
			free(toks->v[i]);
			toks->v[i] = t;
			return true;
		}
	}
	strv_push_own(toks, xasprintf("%s=%s", key, opt));
	return true;
}

void grub_vars_init(struct grub_vars *v)
{
	v->linux_args = xstrdup("");
	v->linux_default = xstrdup("");
	v->default_entry = v->default_where = v->disable_recovery = NULL;
	v->unevaluable = false;
	v->unevaluable_why = NULL;
}

void grub_vars_release(struct grub_vars *v)
{
	free(v->linux_args);
	free(v->linux_default);
	free(v->default_entry);
	free(v->default_where);
	free(v->disable_recovery);
	free(v->unevaluable_why);
	v->linux_args = v->linux_default = v->unevaluable_why = NULL;
	v->default_entry = v->default_where = v->disable_recovery = NULL;
}

/* The variables grub_vars tracks; every other variable expands to what it
 * was set to in this evaluation (kept in a small list), or to nothing. */
struct shvar {
	char *name, *value;
};

struct evalctx {
	struct grub_vars *v;
	struct shvar *vars;
	size_t nvars;
	const char *filename;
	const char *text;   /* the whole file, to number its lines */
	bool bad;     /* the value being read used a command substitution */
};

/* The grub_vars slot of a tracked variable, or NULL. */
static char **tracked(struct grub_vars *v, const char *name, size_t n)
{
	static const char *const names[] = { "GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT", "GRUB_DEFAULT",
	                                     "GRUB_DISABLE_RECOVERY" };
	char **slots[] = { &v->linux_args, &v->linux_default, &v->default_entry, &v->disable_recovery };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n == strlen(names[i]) && strncmp(name, names[i], n) == 0)
			return slots[i];
	return NULL;
}

static const char *lookup(struct evalctx *c, const char *name, size_t n)
{
	char **slot = tracked(c->v, name, n);

	if (slot)
		return *slot ? *slot : "";
	for (size_t i = 0; i < c->nvars; i++)
		if (strlen(c->vars[i].name) == n && strncmp(c->vars[i].name, name, n) == 0)
			return c->vars[i].value;
	return "";
}

static void assign(struct evalctx *c, const char *name, size_t n, char *value)
{
	char **slot = tracked(c->v, name, n);

	if (slot) {
		bool cmdline = slot == &c->v->linux_args || slot == &c->v->linux_default;
		if (c->bad && cmdline) {
			c->v->unevaluable = true;
			free(c->v->unevaluable_why);
			c->v->unevaluable_why = xasprintf("'%s' sets %.*s with a command substitution",
			                                  c->filename, (int)n, name);
		}
		if (slot == &c->v->default_entry) {
			unsigned line = 1;
			for (const char *p = c->text; p < name; p++)
				line += *p == '\n';
			free(c->v->default_where);
			c->v->default_where = xasprintf("%s:%u%s", c->filename, line,
			                                c->bad ? " (a command substitution)" : "");
		}
		free(*slot);
		*slot = value;
		return;
	}
	for (size_t i = 0; i < c->nvars; i++) {
		if (strlen(c->vars[i].name) == n && strncmp(c->vars[i].name, name, n) == 0) {
			free(c->vars[i].value);
			c->vars[i].value = value;
			return;
		}
	}
	c->vars = xrealloc(c->vars, (c->nvars + 1) * sizeof(*c->vars));
	c->vars[c->nvars].name = xstrndup(name, n);
	c->vars[c->nvars++].value = value;
}

static bool is_name_start(char ch)
{
	return isalpha((unsigned char)ch) || ch == '_';
}

static bool is_name_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

/* Expands $NAME / ${NAME} at *sp (pointing after '$'). */
static void expand(struct evalctx *c, const char **sp, struct sb *out)
{
	const char *s = *sp;

	if (*s == '(') {
		c->bad = true;
		int depth = 0;
		for (; *s; s++) {
			if (*s == '(')
				depth++;
			else if (*s == ')' && --depth == 0) {
				s++;
				break;
			}
		}
	} else if (*s == '{') {
		const char *name = s + 1, *e = name;
		while (*e && *e != '}')
			e++;
		size_t n = (size_t)(e - name);
		/* ${NAME:-word} and friends: take the name only */
		size_t k = 0;
		while (k < n && is_name_char(name[k]))
			k++;
		sb_adds(out, lookup(c, name, k));
		s = *e ? e + 1 : e;
	} else if (is_name_start(*s)) {
		const char *name = s;
		while (is_name_char(*s))
			s++;
		sb_adds(out, lookup(c, name, (size_t)(s - name)));
	} else {
		sb_add(out, "$", 1);
	}
	*sp = s;
}

/* A $-expansion or a `command` at *sp, quoted or not: expands it (a
 * command substitution marks the value unevaluable) and returns true, or
 * returns false for any other character. */
static bool substitute(struct evalctx *c, const char **sp, struct sb *out)
{
	const char *s = *sp;

	if (*s == '$') {
		s++;
		expand(c, &s, out);
	} else if (*s == '`') {
		c->bad = true;
		const char *e = strchr(s + 1, '`');
		s = e ? e + 1 : s + strlen(s);
	} else {
		return false;
	}
	*sp = s;
	return true;
}

/* Reads one shell word at *sp into out; stops at unquoted blank, newline, ';' or '#'. */
static void read_word(struct evalctx *c, const char **sp, struct sb *out)
{
	const char *s = *sp;

	while (*s && !strchr(" \t\n;", *s)) {
		if (*s == '\'') {
			const char *e = strchr(s + 1, '\'');
			if (!e)
				e = s + strlen(s);
			sb_add(out, s + 1, (size_t)(e - s - 1));
			s = *e ? e + 1 : e;
		} else if (*s == '"') {
			s++;
			while (*s && *s != '"') {
				if (*s == '\\' && s[1] && strchr("$`\"\\\n", s[1])) {
					if (s[1] != '\n')
						sb_add(out, s + 1, 1);
					s += 2;
				} else if (!substitute(c, &s, out)) {
					sb_add(out, s++, 1);
				}
			}
			if (*s == '"')
				s++;
		} else if (*s == '\\' && s[1]) {
			if (s[1] != '\n')
				sb_add(out, s + 1, 1);
			s += 2;
		} else if (!substitute(c, &s, out)) {
			sb_add(out, s++, 1);
		}
	}
	*sp = s;
}

void grub_eval(struct grub_vars *v, const char *text, const char *filename)
{
	struct evalctx c = { .v = v, .filename = filename, .text = text };
	const char *s = text;

	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == ';')
			s++;
		if (*s == '#') {
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (strncmp(s, "export", 6) == 0 && (s[6] == ' ' || s[6] == '\t')) {
			s += 6;
			continue;
		}
		const char *name = s;
		while (is_name_char(*s))
			s++;
		if (s > name && is_name_start(*name) && *s == '=') {
			size_t n = (size_t)(s - name);
			struct sb val;
			s++;
			sb_init(&val);
			c.bad = false;
			read_word(&c, &s, &val);
			assign(&c, name, n, sb_detach(&val));
			sb_release(&val);
			continue;
		}
		/* any other command: skip its words up to the end of the statement */
		s = name;
		while (*s && *s != '\n' && *s != ';') {
			if (*s == ' ' || *s == '\t') {
				s++;
				continue;
			}
			if (*s == '#')
				break;
			struct sb junk;
			sb_init(&junk);
			bool saved = c.bad;
			read_word(&c, &s, &junk);
			c.bad = saved;
			sb_release(&junk);
		}
	}
	for (size_t i = 0; i < c.nvars; i++) {
		free(c.vars[i].name);
		free(c.vars[i].value);
	}
	free(c.vars);
}

/* The kernel release a menu entry id or title names: "gnulinux-<kver>-advanced-<root id>",
 * "gnulinux-<kver>-recovery-<root id>", or "…, with Linux <kver>[ (recovery mode)]". */
static char *entry_kernel(const char *e)
{
	const char *w = strstr(e, ", with Linux ");

	if (starts_with(e, "gnulinux-") && !starts_with(e, "gnulinux-simple-") &&
	    !starts_with(e, "gnulinux-advanced-")) {
		const char *k = e + strlen("gnulinux-"), *end = strstr(k, "-advanced-");
		if (!end)
			end = strstr(k, "-recovery-");
		return end && end > k ? xstrndup(k, (size_t)(end - k)) : NULL;
	}
	if (w) {
		w += strlen(", with Linux ");
		return xstrndup(w, strcspn(w, " "));
	}
	return NULL;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int grub_default_kernel(const char *entry, const struct strv *installed, bool recovery_entries, char **why)
{
	char *copy, *sub, *item, *k = NULL;
	int idx = -1;

	*why = NULL;
	if (!installed->n) {
		*why = xstrdup("no kernel installed in /boot");
		return -1;
	}
	if (!entry || !*entry)
		return 0;
	copy = xstrdup(entry);
	item = strchr(copy, '>');
	sub = item ? copy : NULL;
	if (item)
		*item++ = '\0';
	else
		item = copy;
	if (strchr(item, '>')) {
		*why = xasprintf("GRUB_DEFAULT '%s' names a menu deeper than Proxmox's", entry);
		goto out;
	}
	if (sub && !(strcmp(sub, "1") == 0 || starts_with(sub, "gnulinux-advanced-") ||
	             starts_with(sub, "Advanced options for "))) {
		*why = xasprintf("GRUB_DEFAULT '%s' names a submenu other than the kernels' ('Advanced options')", entry);
		goto out;
	}
	if (all_digits(item)) {
		unsigned long n = strtoul(item, NULL, 10);
		if (sub) {
			/* the submenu lists each kernel, newest first, then its recovery entry */
			unsigned long ki = recovery_entries ? n / 2 : n;
			if (ki < installed->n)
				idx = (int)ki;
			else
				*why = xasprintf("GRUB_DEFAULT '%s' is past the last kernel of the submenu", entry);
		} else if (n == 0) {
			idx = 0;
		} else {
			*why = xasprintf("GRUB_DEFAULT '%s' names top-level entry %lu, which is not a kernel "
			                 "(0 is the newest kernel, 1 the 'Advanced options' submenu)", entry, n);
		}
		goto out;
	}
	if (!sub && starts_with(item, "gnulinux-simple-")) {
		idx = 0;
		goto out;
	}
	k = entry_kernel(item);
	if (!k) {
		*why = xasprintf("GRUB_DEFAULT '%s' names no kernel entry orch can match", entry);
		goto out;
	}
	for (size_t i = 0; i < installed->n; i++)
		if (strcmp(installed->v[i], k) == 0)
			idx = (int)i;
	if (idx < 0)
		*why = xasprintf("GRUB_DEFAULT '%s' names kernel %s, which is not installed (no /boot/vmlinuz-%s)",
		                 entry, k, k);
out:
	free(k);
	free(copy);
	return idx;
}
