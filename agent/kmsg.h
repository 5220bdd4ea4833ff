/* The kernel log: records from /dev/kmsg ("prio,seq,usec,flags;text") or
 * klogctl's text ("<6>[    0.1] text"), and the IOMMU lines among them. */
#ifndef ORCH_AGENT_KMSG_H
#define ORCH_AGENT_KMSG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Appends the IOMMU lines of a log buffer to `out` (at most `max`). */
void kmsg_iommu_lines(const char *buf, size_t len, struct strv *out, size_t max);

#endif
