/* The agent's plan parser: any bytes are refused or accepted, never crash. */
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan p;
	char err[512];

	if (plan_parse(&p, (const char *)data, size, err, sizeof(err)) == 0)
		plan_release(&p);
	return 0;
}
