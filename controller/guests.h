/* The guests stage of an apply: after the rolling reboot, each host with
 * pci_guests runs the `guests` step (its mapping attached to its VMs, see
 * docs/cluster.md "Guests"), as one more job on the same engine. */
#ifndef ORCH_GUESTS_H
#define ORCH_GUESTS_H

#include "cli.h"
#include "engine.h"
#include "results.h"

/* Runs the guests step on every host of r's fleet that has pci_guests and
 * whose node runs the configured state: the apply did not fail, and its
 * reboot was verified or none was pending (under --check, every host that
 * did not fail: nothing is changed). A host it does not run on gets the
 * step `skipped` with the reason, and so does every host when the rollout
 * stopped (rollout_stopped). Records a `guests` result per host in r.
 * Returns the number of hosts it ran on, or -1 when out of memory. */
int guests_attach(struct engine *e, const struct options *opts, struct results *r, int rollout_stopped);

#endif
