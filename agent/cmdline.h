/* The kernel command line as tokens, and the GRUB defaults files that make
 * it: the editors the kernel_cmdline step uses. Pure functions on strings. */
#ifndef ORCH_AGENT_CMDLINE_H
#define ORCH_AGENT_CMDLINE_H

#include <stdbool.h>

#include "util.h"

/* Splits a command line into tokens (whitespace-separated; double quotes
 * keep spaces inside a token, as the kernel reads them). */
void cmdline_split(const char *line, struct strv *out);
/* Whether the line's double quotes are balanced; an option appended after
 * an unbalanced quote would become part of the quoted value. */
bool cmdline_balanced(const char *line);
/* Joins tokens with single spaces into a new string. */
char *cmdline_join(const struct strv *toks);
/* Whether `tok` ("key=value" or "flag") is present exactly. */
bool cmdline_has(const struct strv *toks, const char *tok);
/* Makes `tok` present: replaces the value of the first token with the same
 * key in place (e.g. intel_iommu=off -> intel_iommu=on), else appends.
 * Returns whether the list changed. */
bool cmdline_set(struct strv *toks, const char *tok);

/* Shell variables assigned by GRUB defaults files. */
struct grub_vars {
	char *linux_args;      /* GRUB_CMDLINE_LINUX */
	char *linux_default;   /* GRUB_CMDLINE_LINUX_DEFAULT */
	bool unevaluable;      /* one of them came from a command substitution */
	char *unevaluable_why;
};

void grub_vars_init(struct grub_vars *v);
void grub_vars_release(struct grub_vars *v);

/* Evaluates the assignments of one defaults file (sourced by update-grub) on
 * top of `v`: NAME=value with shell quoting and $NAME / ${NAME} expansion.
 * Control flow is not followed: every assignment counts, in file order. */
void grub_eval(struct grub_vars *v, const char *text, const char *filename);

#endif
