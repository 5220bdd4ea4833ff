/* Proxmox PCI resource mappings (/etc/pve/mapping/pci.cfg): a mapping's ID,
 * one node's `map` entry as a property string, and the check qemu-server
 * makes of an entry against the node's hardware at every VM start. The
 * rules are Proxmox's own, each cited where it is followed; shared by the
 * controller (which builds and checks the entries) and the agent (which
 * reads the file and writes through pvesh). docs/cluster.md describes them. */
#ifndef ORCH_PCIMAP_H
#define ORCH_PCIMAP_H

#include <stddef.h>

/* One node's entry. Strings are owned (pcimap_entry_release); optional ones
 * are NULL when absent, iommugroup is -1 when absent. */
struct pcimap_entry {
	char *node;
	char *path;          /* "0000:01:00" or "0000:01:00.0", several joined by ';' */
	char *id;            /* "10de:1b81" */
	char *subsystem_id;  /* "1462:3302" or NULL */
	long iommugroup;     /* -1: none */
	char *description;   /* or NULL */
};

/* What assert_valid reads of one PCI function (from the node's sysfs, or
 * from the facts the agent reported of it). */
struct pcimap_device {
	const char *address;      /* "0000:01:00.0" */
	unsigned vendor, device;
	int has_subsystem;
	unsigned subsystem_vendor, subsystem_device;
	long iommugroup;          /* -1: none */
};

/* Whether s is a configuration ID, the form of a mapping's ID
 * (pve-common JSONSchema.pm, pve_verify_configid). */
int pcimap_valid_id(const char *s);

/* Whether s is a node name (pve-common JSONSchema.pm, pve_verify_node_name). */
int pcimap_valid_node(const char *s);

/* Parses property string s as a `map` entry and checks every value against
 * the entry's schema (pve-guest-common src/PVE/Mapping/PCI.pm, $map_fmt).
 * Returns 0, or -1 with err saying what is wrong (*out is then empty). */
int pcimap_entry_parse(struct pcimap_entry *out, const char *s, char *err, size_t errlen);

/* The entry as orch writes it: node=N,path=P,id=V:D[,subsystem-id=S:s]
 * [,iommugroup=G][,description=...]; malloc'ed. */
char *pcimap_entry_format(const struct pcimap_entry *e);

/* Whether a and b say the same (the values, whatever their order in the
 * property string). */
int pcimap_entry_equal(const struct pcimap_entry *a, const struct pcimap_entry *b);

/* Writes what differs from a to b into out, e.g. "id 10de:1b80 -> 10de:1b81,
 * iommugroup 1 -> none"; "" when they are equal. */
void pcimap_entry_difference(const struct pcimap_entry *a, const struct pcimap_entry *b, char *out,
			     size_t outlen);

void pcimap_entry_release(struct pcimap_entry *e);

/* The check qemu-server makes of the node's entry at VM start
 * (pve-guest-common PVE/Mapping/PCI.pm, assert_valid; called from
 * qemu-server PVE/QemuServer/PCI.pm, parse_hostpci): every path's function
 * (function 0 of a slot path) must exist; id and subsystem-id must be what
 * it has, and present exactly when it has them; iommugroup likewise, for
 * the first path only. lookup(ctx, address) returns the function, or NULL
 * when the node has none. Returns 0, or -1 with err as Proxmox words it.
 * mdev is not checked: the facts do not say whether a device offers
 * mediated devices, and orch writes no mdev (docs/cluster.md). */
int pcimap_assert_valid(const char *name, const struct pcimap_entry *e,
			const struct pcimap_device *(*lookup)(void *ctx, const char *address), void *ctx,
			char *err, size_t errlen);

#endif
