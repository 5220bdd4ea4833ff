/* Base64 (RFC 4648, with padding): how the controller puts a plan on the
 * agent's command line, where its alphabet needs no quoting in any shell. */
#ifndef ORCH_BASE64_H
#define ORCH_BASE64_H

#include <stddef.h>

/* The length of the encoding of n bytes, without the terminating NUL. */
size_t orch_base64_len(size_t n);

/* Encodes n bytes of in into out, which holds orch_base64_len(n) + 1
 * bytes; NUL-terminated. */
void orch_base64_encode(char *out, const unsigned char *in, size_t n);

/* Decodes the NUL-terminated text in into a new buffer (NUL-terminated,
 * its length in *n). NULL when in is not base64 with padding (or out of
 * memory). */
unsigned char *orch_base64_decode(const char *in, size_t *n);

#endif
