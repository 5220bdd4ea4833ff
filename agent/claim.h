/* orch's claim on the module settings it owns, wherever they are written:
 * a line of a file that is not orch's whose value contradicts orch's
 * decision is disabled in place (commented out with a note naming orch,
 * through node_ensure: backed up, shown by --diff, restored by rollback),
 * the parameters of that line that orch does not own kept on a line of
 * their own right under it. Lines that agree, and everything else, stay. */
#ifndef ORCH_AGENT_CLAIM_H
#define ORCH_AGENT_CLAIM_H

#include "agent.h"
#include "modprobe.h"

enum claim_kind { CLAIM_BOOL, CLAIM_ID_SET };

/* One parameter orch decides. */
struct claim {
	const char *module;      /* "vfio-pci" (either spelling) */
	const char *param;       /* "ids" */
	enum claim_kind kind;
	int want_bool;           /* CLAIM_BOOL: 1 or 0 */
	const struct strv *want_ids; /* CLAIM_ID_SET: the IDs (any order; empty: none) */
	const char *why;         /* orch's decision, for the note: "vfio-pci ids= is set in /etc/modprobe.d/orch-vfio-pci.conf" */
};

/* Whether `path` is one of the modprobe.d files orch owns. */
bool claim_orch_file(const char *path);

/* Loads the configuration the next boot will use (the node's files with
 * the overrides, and the configured kernel command line). */
void claim_load(struct agent *ag, struct modprobe_config *c, const struct mp_override *ov, size_t nov);

/* Disables every foreign options line that contradicts one of the claims,
 * evaluating the configuration with the overrides (orch's own files as the
 * step is about to write them). A contradicting line in a directory that
 * is not the admin's to edit durably (/run, /usr/lib, /lib) is disabled in
 * a copy of its file under /etc/modprobe.d, whose same name hides it. A
 * contradicting `module.param=` on the configured kernel command line
 * cannot be edited here: it is reported. Returns 1 when a file changed, 0
 * when none needed to, -1 on error (r failed). Reports each line in r. */
int claim_enforce(struct agent *ag, struct result *r, const struct claim *cl, size_t ncl,
                  const struct mp_override *ov, size_t nov);

/* The facts of the effective configuration the next boot uses: its files
 * in order, the hidden ones, and the value and origin (file:line) of each
 * setting orch owns: {"files": [...], "hidden": [...], "settings":
 * {"vfio_pci.ids": {"value": "...", "from": "/etc/modprobe.d/x.conf:3"}}}. */
json_t *claim_facts(struct agent *ag);

/* Disables the entries of c listed in dis in their files (or in a
 * same-named /etc/modprobe.d copy of a file outside the admin's
 * directories), reporting each in r. Returns 1 changed, 0, or -1. */
int claim_disable(struct agent *ag, struct result *r, const struct modprobe_config *c, const struct mp_disable *dis,
                  size_t ndis);

#endif
