/* The /etc/kernel/cmdline editor: split, set tokens, join, and split again
 * to the same tokens. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct strv a = { 0 }, b = { 0 };

	cmdline_split(text, &a);
	cmdline_remove_opt(&a, "iommu", "off");
	cmdline_add_opt(&a, "intel_iommu", "on");
	cmdline_add_opt(&a, "initcall_blacklist", "sysfb_init");
	char *joined = cmdline_join(&a);
	cmdline_split(joined, &b);
	/* on a balanced line, what was set survives a round trip */
	if (cmdline_balanced(text) && !memchr(data, 0, size) && !cmdline_gives(&b, "intel_iommu", "on"))
		abort();
	free(joined);
	strv_release(&a);
	strv_release(&b);
	free(text);
	return 0;
}
