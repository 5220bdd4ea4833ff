/* The node's facts, gathered once per run before any step runs. */
#ifndef ORCH_AGENT_FACTS_H
#define ORCH_AGENT_FACTS_H

#include "agent.h"
#include "cmdline.h"

/* proxmox-kernel-helper's pins (src/proxmox-boot/functions). */
#define NEXT_BOOT_PIN "/etc/kernel/next-boot-pin"
#define PROXMOX_BOOT_PIN "/etc/kernel/proxmox-boot-pin"
#define GRUB_PIN_SNIPPET "/etc/default/grub.d/proxmox-kernel-pin.cfg"

/* Gathers every fact. Returns 0, or -1 with a message in err when the node
 * cannot be inspected at all (a missing file is a fact, not an error). */
int facts_gather(struct agent *ag, char *err, size_t errlen);
void facts_release(struct facts *f);
json_t *facts_json(const struct agent *ag);
const char *loader_name(enum loader l);

/* "/etc/kernel/cmdline" or "/etc/default/grub" (GRUB's first file). */
const char *cmdline_source_file(enum cmdline_source src);

/* A GRUB defaults file as a step is about to leave it: `content` stands in
 * for the file's (NULL: the file absent). */
struct grub_override {
	const char *path;
	const char *content;
};

/* The GRUB command line (GRUB_CMDLINE_LINUX and _DEFAULT) with `ov` standing
 * in; NULL with *why when it cannot be known. */
char *grub_cmdline(struct agent *ag, const struct grub_override *ov, size_t nov, char **why);

/* Whether kernel `kver`'s /boot/config-<kver> turns VT-d on by default. */
bool kernel_vtd_default_on(struct agent *ag, const char *kver);

/* Whether every token of the configured line is live, and every live token
 * (but what the boot loader adds: BOOT_IMAGE=, initrd=, ro, rw, and root=
 * when the configuration leaves it to grub-mkconfig) configured. */
bool cmdline_matches(const char *configured, const char *live);

#endif
