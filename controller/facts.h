/* The facts table of `orch facts`: per node the boot loader, kernel, IOMMU,
 * interrupt remapping and pending reboot; per selected device its address,
 * name, driver, group and whether the group is isolated. */
#ifndef ORCH_FACTS_H
#define ORCH_FACTS_H

#include <stdio.h>
#include <jansson.h>

#include "fleet.h"
#include "results.h"

/* Prints the table for every host of f from its outcome. all_devices lists
 * every device, not only the selected ones. */
void facts_print_table(FILE *out, const struct fleet *f, int all_devices);

/* Writes the JSON document of `orch facts --json` to out, a host at a time. */
void facts_write_json(FILE *out, const struct results *r);

#endif
