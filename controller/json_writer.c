#include "json_writer.h"

#include <assert.h>
#include <string.h>

/* What json_dump_callback writes, each line after the first indented by
 * the depth the value sits at (JSON strings hold no raw newline). */
struct indented {
	FILE *out;
	int pad;
};

static int
write_indented(const char *buf, size_t size, void *data)
{
	struct indented *in = data;
	const char *end = buf + size, *nl;

	while (buf < end && (nl = memchr(buf, '\n', (size_t)(end - buf))) != NULL) {
		fwrite(buf, 1, (size_t)(nl - buf) + 1, in->out);
		fprintf(in->out, "%*s", in->pad, "");
		buf = nl + 1;
	}
	fwrite(buf, 1, (size_t)(end - buf), in->out);
	return 0;
}

static void
dump(struct json_writer *w, json_t *value, int pad)
{
	struct indented in = {.out = w->out, .pad = pad};

	json_dump_callback(value, write_indented, &in, JSON_INDENT(2) | JSON_ENCODE_ANY);
}

/* The separator and indentation before a member of the innermost object,
 * then its key. */
static void
key(struct json_writer *w, const char *k)
{
	json_t *s = json_string(k);

	if (w->members[w->depth - 1]++ > 0)
		fputc(',', w->out);
	fprintf(w->out, "\n%*s", 2 * w->depth, "");
	dump(w, s, 0);
	json_decref(s);
	fputs(": ", w->out);
}

void
json_writer_open(struct json_writer *w, FILE *out)
{
	*w = (struct json_writer){.out = out, .depth = 1};
	fputc('{', out);
}

void
json_writer_member(struct json_writer *w, const char *k, json_t *value)
{
	key(w, k);
	if (value == NULL)
		fputs("null", w->out);
	else
		dump(w, value, 2 * w->depth);
	json_decref(value);
}

void
json_writer_begin(struct json_writer *w, const char *k)
{
	assert(w->depth < JSON_WRITER_DEPTH);
	key(w, k);
	fputc('{', w->out);
	w->members[w->depth++] = 0;
}

void
json_writer_end(struct json_writer *w)
{
	w->depth--;
	if (w->members[w->depth] > 0)
		fprintf(w->out, "\n%*s", 2 * w->depth, "");
	fputc('}', w->out);
	if (w->depth == 0)
		fputc('\n', w->out);
}
