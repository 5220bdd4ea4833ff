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

bool cmdline_has(const struct strv *toks, const char *tok)
{
	return strv_has(toks, tok);
}

static size_t key_len(const char *tok)
{
	const char *eq = strchr(tok, '=');
	return eq ? (size_t)(eq - tok) : strlen(tok);
}

bool cmdline_set(struct strv *toks, const char *tok)
{
	size_t kl = key_len(tok);

	if (cmdline_has(toks, tok))
		return false;
	/* only key=value options are replaced: a flag has nothing to change */
	if (tok[kl] == '=') {
		for (size_t i = 0; i < toks->n; i++) {
			if (key_len(toks->v[i]) == kl && strncmp(toks->v[i], tok, kl) == 0 &&
			    toks->v[i][kl] == '=') {
				free(toks->v[i]);
				toks->v[i] = xstrdup(tok);
				return true;
			}
		}
	}
	strv_push(toks, tok);
	return true;
}

void grub_vars_init(struct grub_vars *v)
{
	v->linux_args = xstrdup("");
	v->linux_default = xstrdup("");
	v->unevaluable = false;
	v->unevaluable_why = NULL;
}

void grub_vars_release(struct grub_vars *v)
{
	free(v->linux_args);
	free(v->linux_default);
	free(v->unevaluable_why);
	v->linux_args = v->linux_default = v->unevaluable_why = NULL;
}

/* Our two variables; every other variable expands to what it was set to in
 * this evaluation (kept in a small list), or to nothing. */
struct shvar {
	char *name, *value;
};

struct evalctx {
	struct grub_vars *v;
	struct shvar *vars;
	size_t nvars;
	const char *filename;
	bool bad;     /* the value being read used a command substitution */
};

static const char *lookup(struct evalctx *c, const char *name, size_t n)
{
	if (n == strlen("GRUB_CMDLINE_LINUX") && strncmp(name, "GRUB_CMDLINE_LINUX", n) == 0)
		return c->v->linux_args;
	if (n == strlen("GRUB_CMDLINE_LINUX_DEFAULT") && strncmp(name, "GRUB_CMDLINE_LINUX_DEFAULT", n) == 0)
		return c->v->linux_default;
	for (size_t i = 0; i < c->nvars; i++)
		if (strlen(c->vars[i].name) == n && strncmp(c->vars[i].name, name, n) == 0)
			return c->vars[i].value;
	return "";
}

static void assign(struct evalctx *c, const char *name, size_t n, char *value)
{
	char **slot = NULL;

	if (n == strlen("GRUB_CMDLINE_LINUX") && strncmp(name, "GRUB_CMDLINE_LINUX", n) == 0)
		slot = &c->v->linux_args;
	else if (n == strlen("GRUB_CMDLINE_LINUX_DEFAULT") &&
	         strncmp(name, "GRUB_CMDLINE_LINUX_DEFAULT", n) == 0)
		slot = &c->v->linux_default;
	if (slot) {
		if (c->bad) {
			c->v->unevaluable = true;
			free(c->v->unevaluable_why);
			c->v->unevaluable_why = xasprintf("'%s' sets %.*s with a command substitution",
			                                  c->filename, (int)n, name);
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
	struct evalctx c = { .v = v, .filename = filename };
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
