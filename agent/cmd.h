/* Running a node's commands: argv only, never a shell, from the root's own
 * command directories, with a timeout and the output captured. */
#ifndef ORCH_AGENT_CMD_H
#define ORCH_AGENT_CMD_H

#include "agent.h"

/* The full path of command `name` under the root's usr/sbin, sbin, usr/bin,
 * bin (first found, executable), or NULL. */
char *cmd_find(const struct agent *ag, const char *name);

/* Runs argv (argv[0] a bare command name, looked up with cmd_find) with a
 * timeout in seconds. In check mode it only records what would run. Adds
 * {argv, rc, output} to r->commands. Returns the exit status (0 success),
 * or -1 with r failed when it could not run, was killed or timed out. */
int cmd_run(struct agent *ag, struct result *r, const char *const argv[], int timeout_s);

/* Captures a read-only command's stdout (bounded) for facts; NULL on any failure. */
char *cmd_output(const struct agent *ag, const char *const argv[], int timeout_s);

/* Starts argv fully detached (new session, stdio on /dev/null) after
 * `delay_s` seconds, so the agent's reply gets out first. */
int cmd_detach(const struct agent *ag, const char *const argv[], int delay_s);

#endif
