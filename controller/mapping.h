/* Proxmox PCI resource mappings from verified facts (docs/cluster.md).
 * After the rolling reboot, the hosts of each pci_mapping name give one
 * `map` entry each, built from the facts of the boot that verified; the
 * cluster is checked, each entry is checked as qemu-server will check it at
 * VM start, and the mapping is written once, through one quorate member,
 * by the agent's pci_mapping step. */
#ifndef ORCH_MAPPING_H
#define ORCH_MAPPING_H

#include <stddef.h>
#include <jansson.h>

#include "cli.h"
#include "pcimap.h"

struct engine;
struct results;

/* Builds the entry of a node from its facts (the facts step's object) and
 * its normalized selectors: node is the hostname up to its first '.'
 * (pmxcfs's node name, PVE::INotify::nodename); path the selected
 * functions, a slot (0000:01:00) where every function of it the node has is
 * selected, the function otherwise, several joined by ';'; id,
 * subsystem-id and iommugroup those of the first path's function (function
 * 0 for a slot). Returns 0, or -1 with err saying why (no device selected,
 * two paths of different IDs, named). */
int mapping_entry_from_facts(struct pcimap_entry *out, json_t *facts, json_t *select, char *err, size_t errlen);

/* pcimap_assert_valid of entry e against the devices of facts: what
 * qemu-server will find at VM start on that boot. Returns 0 or -1 (err). */
int mapping_check_entry(const char *name, const struct pcimap_entry *e, json_t *facts, char *err, size_t errlen);

/* The cluster checks of one mapping over its hosts' facts (n of them, with
 * their inventory names): each a member of a cluster, all of the same one,
 * each quorate. Returns 0, or -1 with err naming the host and what. */
int mapping_check_cluster(const char *name, const char *const *hosts, json_t *const *facts, size_t n, char *err,
			  size_t errlen);

/* After the apply and its rolling reboot: every pci_mapping of the fleet,
 * written as above, with a pci_mapping result recorded on every host that
 * names one. */
void mapping_rollout(struct engine *engine, const struct options *opts, struct results *r);

#endif
