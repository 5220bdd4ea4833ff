/* The renderers of a run's results (results.h): a line per host and step
 * as results arrive (ansible-playbook's look), PLAY RECAP, one JSON
 * document (--json) and a JUnit file (--junit). They only read the
 * results. */
#ifndef ORCH_REPORT_H
#define ORCH_REPORT_H

#include <stdio.h>

#include "cli.h"
#include "results.h"

struct report {
	const struct options *opts;
	struct results *res;
	FILE *out;            /* text output (stdout) */
	int color;
	int stream;           /* print step lines as they arrive */
	double started;
};

/* Sets up r to render res, and to print res's records as they come (the
 * live text) unless --json. */
void report_init(struct report *r, const struct options *opts, struct results *res);

/* Prints the header of the run. */
void report_begin(struct report *r);

/* Prints PLAY RECAP (text), or the JSON document; writes the JUnit file.
 * Returns the exit status of orch(1) (a sum of the EXIT_* bits of cli.h), or
 * EXIT_ERROR when the JUnit file cannot be written. */
int report_finish(struct report *r);

#endif
