/* `orch inventory --graph`: the group tree, as ansible-inventory --graph prints it. */
#ifndef ORCH_GRAPH_H
#define ORCH_GRAPH_H

#include <stddef.h>
#include <stdio.h>

#include "inventory/inventory.h"

/* Writes to OUT the tree under the group named GROUP (NULL: `all`), one line
 * per group and host like ansible-core's InventoryCLI._graph_group(). 0 on
 * success; -1 with a message in err when GROUP is not a group of INV, or
 * when out of memory. */
int graph_print(FILE *out, const struct inventory *inv, const char *group, char *err, size_t errlen);

#endif
