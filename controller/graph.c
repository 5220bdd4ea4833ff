#include "graph.h"

#include <stdlib.h>

/* ansible/cli/inventory.py, _graph_name(): "  |" once per level, then "--". */
static void
graph_line(FILE *out, size_t depth, const char *prefix, const char *name, const char *suffix)
{
	for (size_t i = 0; i < depth; i++)
		fputs("  |", out);
	if (depth > 0)
		fputs("--", out);
	fprintf(out, "%s%s%s\n", prefix, name, suffix);
}

/*
 * _graph_group() walks the tree depth first: a group's line, its child
 * groups (each as often as it has parents on the way), then its own hosts,
 * except for `all`, whose hosts are everyone's. Iterative, with one frame per
 * level, so a long chain of groups cannot exhaust the C stack.
 */
int
graph_print(FILE *out, const struct inventory *inv, const char *group, char *err, size_t errlen)
{
	struct frame {
		size_t group, next_child;
	} *stack;
	size_t start, all, depth_max = inventory_group_count(inv), n = 0;

	start = inventory_group_find(inv, group != NULL ? group : "all");
	if (start == (size_t)-1) {
		snprintf(err, errlen, "--graph: '%s' is not a group of the inventory", group);
		return -1;
	}
	all = inventory_group_find(inv, "all");
	/* A path from the start visits each group at most once: Ansible refuses
	 * a child group that would close a loop. */
	if ((stack = calloc(depth_max + 1, sizeof(*stack))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	graph_line(out, 0, "@", inventory_group_name(inv, start), ":");
	stack[n++] = (struct frame){.group = start};
	while (n > 0) {
		struct frame *f = &stack[n - 1];

		if (f->next_child < inventory_group_child_count(inv, f->group)) {
			size_t child = inventory_group_child(inv, f->group, f->next_child++);

			graph_line(out, n, "@", inventory_group_name(inv, child), ":");
			if (n > depth_max) {
				free(stack);
				snprintf(err, errlen, "--graph: group '%s' is its own descendant",
					 inventory_group_name(inv, child));
				return -1;
			}
			stack[n++] = (struct frame){.group = child};
			continue;
		}
		if (f->group != all) {
			for (size_t k = 0; k < inventory_group_member_count(inv, f->group); k++)
				graph_line(out, n, "", inventory_host_name(inv, inventory_group_member(inv, f->group, k)), "");
		}
		n--;
	}
	free(stack);
	return 0;
}
