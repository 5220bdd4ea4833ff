/* The one gate through which the agent changes a node's files: compare the
 * wanted content with what is there, and only when it differs (and the plan
 * is not in check mode) save the original once and replace the file
 * atomically. */
#ifndef ORCH_AGENT_FILEOPS_H
#define ORCH_AGENT_FILEOPS_H

#include <stddef.h>
#include <sys/types.h>

#include "agent.h"

/* Reads a node file (`path` is node-absolute, e.g. "/etc/modules").
 * Returns 1 and the content in *out, 0 when the file does not exist
 * (*out = NULL), -1 on any other error (message in r). */
int node_read(struct agent *ag, struct result *r, const char *path, char **out);

/* Makes node file `path` hold `content` (NULL: the file must not exist).
 * Returns 1 when it changed (or would change, in check mode), 0 when it
 * already matched, -1 on error (r failed with the path named). Adds a diff
 * to r in diff mode. New files get mode 0644, owner root. `needs` (enum
 * need bits) are the refreshes a change to this file calls for: they are
 * recorded on the node before the file changes, so a run that dies in
 * between still refreshes next time. */
int node_ensure(struct agent *ag, struct result *r, const char *path, const char *content, unsigned needs);

/* node_ensure for a file that must have `mode` (0: as node_ensure: the
 * current mode is kept, new files get 0644): a new file is created with it,
 * and a file with the right content but another mode changes mode only. */
int node_ensure_mode(struct agent *ag, struct result *r, const char *path, const char *content, unsigned needs,
                     mode_t mode);

/* The refreshes recorded on the node by earlier runs. */
unsigned pending_read(struct agent *ag);
int pending_clear(struct agent *ag);

#endif
