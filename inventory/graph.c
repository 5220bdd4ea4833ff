/* The group tree of an inventory: the accessors of inventory.h's last block. */
#include "inventory_private.h"

size_t
inventory_group_find(const struct inventory *inv, const char *name)
{
	return inventory_find_group(inv, name);
}

size_t
inventory_group_child_count(const struct inventory *inv, size_t g)
{
	return inv->groups[g].nchildren;
}

size_t
inventory_group_child(const struct inventory *inv, size_t g, size_t k)
{
	return inv->groups[g].children[k];
}

size_t
inventory_group_member_count(const struct inventory *inv, size_t g)
{
	return inv->groups[g].nhosts;
}

size_t
inventory_group_member(const struct inventory *inv, size_t g, size_t k)
{
	return inv->groups[g].hosts[k];
}
