/* The ESPs proxmox-boot-tool publishes to and the loader each one boots
 * next, decided as its sync hook (zz-proxmox-boot) decides it; see
 * docs/agent.md, "The boot loader that boots next". */
#ifndef ORCH_AGENT_ESP_H
#define ORCH_AGENT_ESP_H

#include "agent.h"

/* What `proxmox-boot-tool status` says an ESP holds: a loader.conf
 * ("uefi (versions: …)", "systemd-boot (versions: …)") and/or a grub
 * directory ("grub (versions: …)"). */
enum esp_kind { ESP_KIND_SDBOOT = 1, ESP_KIND_GRUB = 2 };

/* Looks up "<uuid> is configured with: <kinds>" in status output `out`.
 * Returns the esp_kind bits (0: configured with nothing), -1 when no line
 * names the UUID, -2 when that line is not in the format proxmox-boot-tool
 * prints. *line (may be NULL) gets a copy of the line when there is one. */
int pbt_status_kinds(const char *out, const char *uuid, char **line);

/* The loader the sync hook uses for an ESP holding `kinds`: GRUB where
 * GRUB is installed (EFI/proxmox/grubx64.efi on UEFI, the grub directory
 * on legacy BIOS), else systemd-boot on UEFI; LOADER_NONE: skipped. */
enum loader esp_hook_loader(int kinds, bool uefi);

/* The hook's check that a line of proxmox-boot-uuids names a vfat UUID. */
bool esp_uuid_valid(const char *uuid);

/* Fills ag->facts.esps from /etc/kernel/proxmox-boot-uuids and the node's
 * loader facts (pbt, loader, cmdline_sources, evidence). */
void esp_gather(struct agent *ag);
void esps_release(struct facts *f);

/* For a step that publishes through proxmox-boot-tool: fails r when none
 * of the listed ESPs can be published to, naming them; notes the ones
 * skipped. Returns 0 or -1. A node without proxmox-boot-uuids passes. */
int esps_publish_check(const struct agent *ag, struct result *r, const char *what);

#endif
