#ifndef ORCH_RANDOM_H
#define ORCH_RANDOM_H

/* Routes OpenSSL's RAND_bytes() and RAND_priv_bytes() (and so libssh's
 * random numbers) to getrandom(2). Call once, before any thread starts.
 * Returns 0, or -1 if OpenSSL refused. */
int orch_random_init(void);

#endif
