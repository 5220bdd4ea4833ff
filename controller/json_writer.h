/* A JSON document written a member at a time, byte for byte as jansson's
 * json_dumpf(doc, out, JSON_INDENT(2)) writes it whole: the --json reports
 * hold one host's facts in memory at a time, not a thousand. */
#ifndef ORCH_JSON_WRITER_H
#define ORCH_JSON_WRITER_H

#include <stdio.h>
#include <jansson.h>

#define JSON_WRITER_DEPTH 8

struct json_writer {
	FILE *out;
	int depth;                        /* objects open */
	int members[JSON_WRITER_DEPTH];   /* members written in each */
};

/* Starts the document, an object, on out. */
void json_writer_open(struct json_writer *w, FILE *out);

/* Writes the member "key": value of the innermost open object and releases
 * value (a new reference; NULL, out of memory, is written null). */
void json_writer_member(struct json_writer *w, const char *key, json_t *value);

/* Opens the member "key" of the innermost open object, an object itself;
 * at most JSON_WRITER_DEPTH objects are open at once. */
void json_writer_begin(struct json_writer *w, const char *key);

/* Closes the innermost open object; the document's last ends its line. */
void json_writer_end(struct json_writer *w);

#endif
