#include "protocol.h"

#include <stddef.h>
#include <string.h>

static const char *const status_names[] = {
	[ORCH_OK] = "ok",
	[ORCH_CHANGED] = "changed",
	[ORCH_FAILED] = "failed",
	[ORCH_SKIPPED] = "skipped",
};

static const char *const message_names[] = {
	[ORCH_MSG_RESULT] = "result",
	[ORCH_MSG_SUMMARY] = "summary",
	[ORCH_MSG_ERROR] = "error",
};

/* The index of name in names (n of them), or -1. */
static int
lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; name != NULL && i < n; i++) {
		if (strcmp(names[i], name) == 0)
			return (int)i;
	}
	return -1;
}

const char *
orch_status_name(enum orch_status status)
{
	return status_names[status];
}

int
orch_status_parse(const char *name, enum orch_status *out)
{
	int i = lookup(status_names, sizeof(status_names) / sizeof(*status_names), name);

	if (i < 0)
		return -1;
	*out = (enum orch_status)i;
	return 0;
}

const char *
orch_message_name(enum orch_message type)
{
	return message_names[type];
}

int
orch_message_parse(const char *name, enum orch_message *out)
{
	int i = lookup(message_names, sizeof(message_names) / sizeof(*message_names), name);

	if (i < 0)
		return -1;
	*out = (enum orch_message)i;
	return 0;
}
