/* Worker pool: runs fn(ctx, i) for i in [0, n) on up to `forks` threads, each
 * taking the next index when it is done, so a slow item holds up no other. */
#ifndef ORCH_POOL_H
#define ORCH_POOL_H

#include <stddef.h>

typedef void (*pool_fn)(void *ctx, size_t index);

/* Returns 0 when every item ran, -1 when no thread could be started (items
 * that did not run are then run on the calling thread). */
int pool_run(size_t n, int forks, pool_fn fn, void *ctx);

#endif
