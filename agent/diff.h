/* Unified diffs of two texts, for diff mode. */
#ifndef ORCH_AGENT_DIFF_H
#define ORCH_AGENT_DIFF_H

/* A unified diff (3 lines of context) from `a` to `b` (NULL = no file),
 * headed with `path`. Returns a malloc'ed string; empty when equal. */
char *unified_diff(const char *path, const char *a, const char *b);

#endif
