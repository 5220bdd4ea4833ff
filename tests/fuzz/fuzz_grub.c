/* The GRUB defaults evaluator and the command-line editor on what it yields:
 * an admin's file may hold anything. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct grub_vars v;
	struct strv toks = { 0 };

	grub_vars_init(&v);
	grub_eval(&v, text, "fuzz.cfg");
	cmdline_split(v.linux_default, &toks);
	cmdline_add_opt(&toks, "intel_iommu", "on");
	cmdline_add_opt(&toks, "iommu", "pt");
	free(cmdline_join(&toks));
	strv_release(&toks);
	grub_vars_release(&v);
	free(text);
	return 0;
}
