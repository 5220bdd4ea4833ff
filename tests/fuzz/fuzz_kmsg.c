/* The kernel-log record parser, fed what /dev/kmsg or klogctl might return. */
#include <stddef.h>
#include <stdint.h>

#include "kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strv out = { 0 };

	kmsg_iommu_lines((const char *)data, size, &out, 400);
	strv_release(&out);
	return 0;
}
