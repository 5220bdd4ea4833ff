/* The guests of this node that run, read the way `qm list` and `pct list`
 * decide it (qemu-server, pve-container, pmxcfs), without running them: each
 * is a Perl program that costs a node about 0.3 s of CPU. */
#ifndef ORCH_AGENT_GUESTS_RUNNING_H
#define ORCH_AGENT_GUESTS_RUNNING_H

#include "agent.h"

/* Appends to `out` "qm <vmid>" for each running VM, then "pct <vmid>" for
 * each running container, each ascending (the order of `qm list` and `pct
 * list`). `hostname` is the node's host name (uname's nodename), NULL for
 * unknown: then nothing is appended. Everything is read under ag->root. */
void guests_running(const struct agent *ag, const char *hostname, struct strv *out);

#endif
