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

/* Parameters that take a comma list of options (intel_iommu=on,igfx_off,
 * iommu=pt, initcall_blacklist=a,b): the kernel hands every occurrence to
 * the parameter's setup function, left to right (init/main.c,
 * obsolete_checksetup), so options of several tokens add up and, of two
 * opposite options (on/off, pt/nopt), the last one read wins. */

/* Whether the line gives option `opt` of parameter `key` ("intel_iommu",
 * "on"): present in some key= token and not undone by its opposite later. */
bool cmdline_gives(const struct strv *toks, const char *key, const char *opt);
/* Whether some key= token lists `opt` at all (undone or not). */
bool cmdline_lists(const struct strv *toks, const char *key, const char *opt);
/* Makes the line give key's `opt`: added to the list of the last key=
 * token (intel_iommu=igfx_off -> intel_iommu=igfx_off,on), else appended as
 * a token of its own; the opposite option, where one exists, is taken out
 * first. Returns whether the list changed. */
bool cmdline_add_opt(struct strv *toks, const char *key, const char *opt);
/* Takes `opt` out of every key= token, keeping the token's other options
 * in order; a token left without options goes. Returns how many were taken out. */
size_t cmdline_remove_opt(struct strv *toks, const char *key, const char *opt);
/* One token without key's `opt`: NULL when `tok` does not list it, "" when
 * nothing of the token is left, else the token with its other options
 * (a new string either way). */
char *cmdline_token_without(const char *tok, const char *key, const char *opt);

/* Shell variables assigned by GRUB defaults files. */
struct grub_vars {
	char *linux_args;      /* GRUB_CMDLINE_LINUX */
	char *linux_default;   /* GRUB_CMDLINE_LINUX_DEFAULT */
	char *default_entry;   /* GRUB_DEFAULT, NULL while unset */
	char *default_where;   /* "file:line" of the GRUB_DEFAULT assignment that counts */
	char *disable_recovery; /* GRUB_DISABLE_RECOVERY, NULL while unset */
	bool unevaluable;      /* one of them came from a command substitution */
	char *unevaluable_why;
};

void grub_vars_init(struct grub_vars *v);
void grub_vars_release(struct grub_vars *v);

/* Evaluates the assignments of one defaults file (sourced by update-grub) on
 * top of `v`: NAME=value with shell quoting and $NAME / ${NAME} expansion.
 * Control flow is not followed: every assignment counts, in file order. */
void grub_eval(struct grub_vars *v, const char *text, const char *filename);

/* The kernel a GRUB_DEFAULT value boots, on the menu Debian's 10_linux
 * makes: entry 0 (or gnulinux-simple-…) is the newest kernel, submenu 1
 * (gnulinux-advanced-…) lists every kernel newest first, each followed by
 * its recovery entry unless `recovery_entries` is false; an entry id
 * (gnulinux-<kver>-advanced-…) or title ("…, with Linux <kver>") names its
 * kernel. `installed` is newest first. Returns the index into `installed`,
 * or -1 with *why (malloc'ed) when the value names no installed kernel. */
int grub_default_kernel(const char *entry, const struct strv *installed, bool recovery_entries, char **why);

#endif
