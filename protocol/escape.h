/* Text that came from a node, made fit for a terminal, a log line and a
 * JUnit file: control characters (C0 but tab, DEL, and C1 written as UTF-8)
 * and bytes that are not UTF-8 become \xNN, byte by byte; other UTF-8 is
 * kept. No node can move the cursor, change a colour or forge a line of
 * another node's output. The one escaper for node text. */
#ifndef ORCH_ESCAPE_H
#define ORCH_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Writes s[0..n) escaped to f (a NUL byte as \x00). */
void orch_escape_put(FILE *f, const char *s, size_t n);

/* Writes s[0..n) escaped into out (always terminated), at most max bytes of
 * s (0: no limit) followed by "..." when there was more; what does not fit
 * in outlen is cut at a whole character. Returns out. */
char *orch_escape(char *out, size_t outlen, const char *s, size_t n, size_t max);

#endif
