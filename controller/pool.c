#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct pool {
	atomic_size_t next;
	size_t n;
	pool_fn fn;
	void *ctx;
};

static void *
worker(void *arg)
{
	struct pool *p = arg;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
		p->fn(p->ctx, i);
	return NULL;
}

int
pool_run(size_t n, int forks, pool_fn fn, void *ctx)
{
	struct pool p = {.n = n, .fn = fn, .ctx = ctx};
	size_t want = (size_t)(forks > 0 ? forks : 1), started = 0;
	pthread_t *threads;
	pthread_attr_t attr;

	atomic_init(&p.next, 0);
	if (want > n)
		want = n;
	if (want == 0)
		return 0;
	if ((threads = calloc(want, sizeof(*threads))) == NULL) {
		worker(&p);
		return -1;
	}
	pthread_attr_init(&attr);
	/* libssh and jansson need little stack; 100 workers at 8 MiB each is
	 * address space for nothing. */
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	for (; started < want; started++) {
		if (pthread_create(&threads[started], &attr, worker, &p) != 0)
			break;
	}
	pthread_attr_destroy(&attr);
	if (started == 0)
		worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	return started == 0 ? -1 : 0;
}
