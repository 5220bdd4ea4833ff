/* Rolling reboots after an apply or a rollback: the nodes whose configured
 * state differs from the live one are rebooted in batches of --serial, each
 * watched until its boot_id changes, then verified on the fresh boot; a
 * batch with more failures than --max-fail-percentage stops the rollout. */
#ifndef ORCH_REBOOT_H
#define ORCH_REBOOT_H

#include <stddef.h>

#include "cli.h"
#include "engine.h"
#include "fleet.h"
#include "results.h"

/* Stores in out (f->n entries) 1 for every host that needs a reboot and may
 * get one (its reboot var and --reboot allow it); returns how many. */
size_t reboot_candidates(const struct fleet *f, const struct options *opts, unsigned char *out);

/* Reboots the candidates in rolling batches on engine, recording a `reboot`
 * and a `verify` result per host in r (and `reboot` skipped for the hosts a
 * stopped rollout never reached); with --maintenance, each node enters HA
 * maintenance mode and reboots once its HA services have left. SIGINT and
 * SIGTERM stop it: nothing new starts, each node orch put into maintenance
 * mode leaves it, stderr says where each node was; a second signal exits
 * at once (EXIT_INTERRUPTED). Returns 0 when every batch stayed within
 * --max-fail-percentage, -1 when the rollout stopped early, -2 when a
 * signal stopped it. */
int reboot_rollout(struct engine *engine, const struct options *opts, struct results *r,
		   const unsigned char *candidates);

#endif
