/* The passthrough steps: one file per kind (step_<name>.c), each looking at
 * what is there, working out what should be, and applying the difference
 * through node_ensure / cmd_run. A step returns 0 or -1 (r failed). */
#ifndef ORCH_AGENT_STEPS_H
#define ORCH_AGENT_STEPS_H

#include <jansson.h>

#include "agent.h"

struct step {
	const struct step_kind *kind;
	json_t *args;        /* validated against kind->args; borrowed from the plan */
};

/* ARG_ID: a Proxmox configuration ID (a mapping's name); ARG_VMIDS: an
 * array of Proxmox VM IDs (integers). */
enum arg_type { ARG_BOOL, ARG_CHOICE, ARG_NAMES, ARG_SELECTORS, ARG_STRING, ARG_STRINGS, ARG_ID, ARG_VMIDS };

struct arg_spec {
	const char *name;
	enum arg_type type;
	const char *const *choices;    /* ARG_CHOICE: NULL-terminated */
};

struct step_kind {
	const char *name;
	const struct arg_spec *args;   /* terminated by a zeroed entry */
	bool needs_selection;          /* runs on the devices a `devices` step selected */
	int (*run)(struct agent *ag, const struct step *st, struct result *r);
};

const struct step_kind *step_kind_find(const char *name);

/* Argument accessors; the plan parser has checked presence and type. */
bool arg_bool(const struct step *st, const char *name, bool def);
const char *arg_choice(const struct step *st, const char *name, const char *def);

int step_facts(struct agent *ag, const struct step *st, struct result *r);
int step_devices(struct agent *ag, const struct step *st, struct result *r);
int step_kernel_cmdline(struct agent *ag, const struct step *st, struct result *r);
int step_vfio_modules(struct agent *ag, const struct step *st, struct result *r);
int step_vfio_bind(struct agent *ag, const struct step *st, struct result *r);
int step_host_drivers(struct agent *ag, const struct step *st, struct result *r);
int step_unsafe_interrupts(struct agent *ag, const struct step *st, struct result *r);
/* unsafe_interrupts' decision written: orch's option file present (want) or
 * absent, and foreign lines that contradict it disabled; shared with verify. */
int unsafe_interrupts_write(struct agent *ag, struct result *r, bool want, const char *why);
int step_ignore_msrs(struct agent *ag, const struct step *st, struct result *r);
int step_refresh(struct agent *ag, const struct step *st, struct result *r);
int step_verify(struct agent *ag, const struct step *st, struct result *r);
int step_rollback(struct agent *ag, const struct step *st, struct result *r);
int step_reboot(struct agent *ag, const struct step *st, struct result *r);
int step_maintenance(struct agent *ag, const struct step *st, struct result *r);
int step_guests(struct agent *ag, const struct step *st, struct result *r);
int step_pci_mapping(struct agent *ag, const struct step *st, struct result *r);
int step_ha_services(struct agent *ag, const struct step *st, struct result *r);
int step_ceph_noout(struct agent *ag, const struct step *st, struct result *r);
int step_ceph_health(struct agent *ag, const struct step *st, struct result *r);

/* Shared by devices and verify: resolves `select` (a JSON array of selectors) into ag->sel; -1 with r
 * failed when a selector matches nothing. */
int selection_resolve(struct agent *ag, json_t *select, struct result *r);

#endif
