/* The facts table of `orch facts`: per node the boot loader, kernel, IOMMU,
 * interrupt remapping and pending reboot; per selected device its address,
 * name, driver, group and whether the group is isolated. */
#ifndef ORCH_FACTS_H
#define ORCH_FACTS_H

#include <stdio.h>
#include <jansson.h>

#include "report.h"

/* Prints the table for every host of r; selects[i] are host i's selectors.
 * all_devices lists every device, not only the selected ones. */
void facts_print_table(FILE *out, const struct report *r, json_t *const *selects, int all_devices);

/* The JSON document of `orch facts --json`. */
json_t *facts_document(const struct report *r, json_t *const *selects);

#endif
