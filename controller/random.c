/* RAND_set_rand_method() is deprecated in OpenSSL 3 but still the only way
 * to route RAND_bytes() for a whole process on 3.0. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "random.h"

#include <errno.h>
#include <stddef.h>
#include <sys/random.h>

#include <openssl/rand.h>

/*
 * libssh asks OpenSSL for random bytes for every packet it sends (padding),
 * each key exchange and each signature. OpenSSL 3.0's default generator
 * takes a process-wide lock on every call and builds two DRBGs in every
 * thread that asks: on a warm apply of 20 nodes that was a tenth of orch's
 * CPU time, and most of it again in page faults for the DRBGs of 20 workers.
 * orch hands the requests to getrandom(2) instead: the kernel's generator,
 * the one OpenSSL seeds its DRBGs from and OpenSSH's arc4random_buf() reads
 * on Linux.
 */
static int
kernel_bytes(unsigned char *buf, int num)
{
	size_t want = num > 0 ? (size_t)num : 0, got = 0;

	while (got < want) {
		ssize_t n = getrandom(buf + got, want - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		got += (size_t)n;
	}
	return 1;
}

static int
kernel_seed(const void *buf, int num)
{
	(void)buf;
	(void)num;
	return 1;
}

static int
kernel_add(const void *buf, int num, double entropy)
{
	(void)buf;
	(void)num;
	(void)entropy;
	return 1;
}

static int
kernel_status(void)
{
	return 1;
}

static const RAND_METHOD kernel_rand = {
	.seed = kernel_seed,
	.bytes = kernel_bytes,
	.add = kernel_add,
	.pseudorand = kernel_bytes,
	.status = kernel_status,
};

int
orch_random_init(void)
{
	return RAND_set_rand_method(&kernel_rand) == 1 ? 0 : -1;
}
