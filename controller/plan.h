/* Plan compilation: a host's inventory vars -> its connection target and the
 * JSON plan of docs/protocol.md, every variable validated on the way. */
#ifndef ORCH_PLAN_H
#define ORCH_PLAN_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "cli.h"

struct inventory;

/* The most plan text orch sends a node: it goes on the agent's command line
 * (push.h) in base64, which stays well inside Linux's 128 KiB for one
 * argument (MAX_ARG_STRLEN), as the login shell's `-c` string is. */
#define PLAN_ARG_MAX (64 * 1024)

/* Where and how to reach a host. Strings are borrowed from the inventory
 * (which outlives every job) or are string literals. */
struct target {
	const char *name;      /* inventory name */
	/* each of ansible_host, _port, _user and _ssh_private_key_file, or the
	 * alias Ansible takes before it (ansible_ssh_host, _ssh_port, _ssh_user,
	 * ansible_private_key_file after _ssh_private_key_file) */
	const char *address;   /* ansible_host, or the name */
	int port;              /* ansible_port, 0 when not set (~/.ssh/config or 22) */
	const char *user;      /* ansible_user, NULL when not set (~/.ssh/config or root) */
	const char *identity;  /* ansible_ssh_private_key_file, NULL when not set */
	int become;            /* ansible_become: run the agent through sudo -n */
	const char *root;      /* orch_root, NULL for the real root */
	int reboot_never;      /* the host's reboot=never */
	const char *pci_mapping;  /* pci_mapping, NULL when not set */
};

/* A compiled host: its target, its plan and the selectors it asks for. */
struct host_plan {
	struct target target;
	json_t *plan;     /* owned */
	json_t *select;   /* owned: array of normalized selectors, maybe empty */
	json_t *guests;   /* owned: the guests step's args (mapping, vmids, pcie,
			     x_vga), NULL when pci_guests is not set */
};

/* Compiles host i of inv for cmd. Returns 0, or -1 with err naming the host,
 * the variable and its value; a value orch cannot evaluate (!vault, a Jinja
 * template) in one of the variables orch reads is refused with the file that set it. */
int plan_compile(struct host_plan *out, const struct inventory *inv, size_t i,
		 const struct options *opts, char *err, size_t errlen);

/* Writes a warning to out for every variable set in the inventory that is
 * not one of orch's but one edit away from one ("passtrough", "iommu-pt"),
 * once per file and key. Returns the number of warnings. */
size_t plan_warn_misspelled(const struct inventory *inv, FILE *out);

/* Writes a warning to out for each Ansible connection variable orch does
 * not use (ansible_connection other than ssh, a password, ssh arguments, a
 * become user other than root, a become method other than sudo) where a
 * host's value comes from, once per file and variable; no secret is shown.
 * Returns the number of warnings. */
size_t plan_warn_unused(const struct inventory *inv, FILE *out);

/* Frees what plan_compile allocated in hp. */
void plan_release(struct host_plan *hp);

/* Returns 1 when a node path is safe to appear in a remote command line
 * unquoted: absolute, no '..' component, only [A-Za-z0-9/._+,@:-]. */
int plan_safe_path(const char *s);

#endif
