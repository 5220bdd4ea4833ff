#include "mapping.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector.h"

/* One function of the facts' devices, as pcimap_assert_valid reads it. */
struct fact_device {
	struct pcimap_device d;
	struct orch_pci_address addr;
	int selected;
};

static int
hex4(json_t *v, unsigned *out)
{
	const char *s = json_string_value(v);
	char *end;
	unsigned long n;

	if (s == NULL || strlen(s) != 4)
		return -1;
	n = strtoul(s, &end, 16);
	if (*end != '\0')
		return -1;
	*out = (unsigned)n;
	return 0;
}

/* The devices of facts; *n of them (malloc'ed, NULL with none). Devices
 * the agent described in a way that does not parse are left out. */
static struct fact_device *
fact_devices(json_t *facts, size_t *n)
{
	json_t *devs = json_object_get(facts, "devices"), *d;
	struct fact_device *out = calloc(json_array_size(devs) + 1, sizeof(*out));
	size_t k;

	*n = 0;
	if (out == NULL)
		return NULL;
	json_array_foreach(devs, k, d) {
		struct fact_device *f = &out[*n];
		json_t *group = json_object_get(d, "iommu_group");

		f->d.address = json_string_value(json_object_get(d, "address"));
		if (f->d.address == NULL || orch_pci_address_parse(&f->addr, f->d.address) != 0 ||
		    hex4(json_object_get(d, "vendor"), &f->d.vendor) != 0 ||
		    hex4(json_object_get(d, "device"), &f->d.device) != 0)
			continue;
		f->d.has_subsystem = hex4(json_object_get(d, "subsystem_vendor"), &f->d.subsystem_vendor) == 0 &&
				     hex4(json_object_get(d, "subsystem_device"), &f->d.subsystem_device) == 0;
		f->d.iommugroup = json_is_integer(group) ? (long)json_integer_value(group) : -1;
		(*n)++;
	}
	return out;
}

static int
same_slot(const struct orch_pci_address *a, const struct orch_pci_address *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}

static const struct fact_device *
find_function(const struct fact_device *devs, size_t n, const struct orch_pci_address *slot, unsigned func)
{
	for (size_t k = 0; k < n; k++) {
		if (same_slot(&devs[k].addr, slot) && devs[k].addr.func == func)
			return &devs[k];
	}
	return NULL;
}

static int
addr_cmp(const void *a, const void *b)
{
	const struct orch_pci_address *x = &((const struct fact_device *)a)->addr;
	const struct orch_pci_address *y = &((const struct fact_device *)b)->addr;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return x->func < y->func ? -1 : x->func > y->func;
}

static void
ids_of(const struct fact_device *f, char id[16], char subsystem[16])
{
	snprintf(id, 16, "%04x:%04x", f->d.vendor, f->d.device);
	if (f->d.has_subsystem)
		snprintf(subsystem, 16, "%04x:%04x", f->d.subsystem_vendor, f->d.subsystem_device);
	else
		snprintf(subsystem, 16, "none");
}

int
mapping_entry_from_facts(struct pcimap_entry *out, json_t *facts, json_t *select, char *err, size_t errlen)
{
	const char *hostname = json_string_value(json_object_get(facts, "hostname"));
	struct pcimap_entry e = {.iommugroup = -1};
	struct fact_device *devs;
	const struct fact_device *first = NULL;
	char paths[1024] = "", node[256];
	size_t n, nsel = 0, k;
	int rc = -1;

	if (hostname == NULL || strcspn(hostname, ".") >= sizeof(node)) {
		snprintf(err, errlen, "the facts have no hostname");
		return -1;
	}
	snprintf(node, sizeof(node), "%.*s", (int)strcspn(hostname, "."), hostname);
	if (!pcimap_valid_node(node)) {
		snprintf(err, errlen, "hostname '%s' is not a Proxmox node name", node);
		return -1;
	}
	if ((devs = fact_devices(facts, &n)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	qsort(devs, n, sizeof(*devs), addr_cmp);
	for (k = 0; k < n; k++) {
		json_t *s;
		size_t j;

		json_array_foreach(select, j, s) {
			struct orch_selector sel;
			const char *text = json_string_value(s);

			if (text != NULL && orch_selector_parse(&sel, text, strlen(text)) == 0 &&
			    orch_selector_matches(&sel, &devs[k].addr, devs[k].d.vendor, devs[k].d.device))
				devs[k].selected = 1;
		}
		nsel += devs[k].selected;
	}
	if (nsel == 0) {
		char *sel = json_dumps(select, JSON_COMPACT);

		snprintf(err, errlen, "no device of passthrough %s on node '%s'", sel ? sel : "[]", node);
		free(sel);
		goto out;
	}
	for (k = 0; k < n; k++) {
		const struct fact_device *rep = &devs[k];
		int whole = 1;
		size_t len = strlen(paths);
		char id[16], sub[16], fid[16], fsub[16];

		if (!devs[k].selected)
			continue;
		/* the slot's functions come together (sorted): whole when each is selected */
		for (size_t j = 0; j < n; j++)
			whole &= !same_slot(&devs[j].addr, &devs[k].addr) || devs[j].selected;
		if (whole && find_function(devs, n, &devs[k].addr, 0) != NULL) {
			rep = find_function(devs, n, &devs[k].addr, 0);
			snprintf(paths + len, sizeof(paths) - len, "%s%04x:%02x:%02x", len ? ";" : "", rep->addr.domain,
				 rep->addr.bus, rep->addr.slot);
			while (k + 1 < n && same_slot(&devs[k + 1].addr, &rep->addr))
				k++;
		} else {
			snprintf(paths + len, sizeof(paths) - len, "%s%s", len ? ";" : "", rep->d.address);
		}
		if (first == NULL) {
			first = rep;
			continue;
		}
		ids_of(first, fid, fsub);
		ids_of(rep, id, sub);
		if (strcmp(fid, id) != 0 || strcmp(fsub, sub) != 0) {
			snprintf(err, errlen, "%s (%s, subsystem %s) and %s (%s, subsystem %s) are selected: the paths of "
				 "one mapping entry are alternatives of one kind and must have one id and subsystem-id",
				 first->d.address, fid, fsub, rep->d.address, id, sub);
			goto out;
		}
	}
	{
		char id[16], sub[16];

		ids_of(first, id, sub);
		e.node = strdup(node);
		e.path = strdup(paths);
		e.id = strdup(id);
		e.subsystem_id = first->d.has_subsystem ? strdup(sub) : NULL;
		e.iommugroup = first->d.iommugroup;
		if (e.node == NULL || e.path == NULL || e.id == NULL || (first->d.has_subsystem && e.subsystem_id == NULL)) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	*out = e;
	memset(&e, 0, sizeof(e));
	rc = 0;
out:
	pcimap_entry_release(&e);
	free(devs);
	return rc;
}

struct lookup_ctx {
	const struct fact_device *devs;
	size_t n;
};

static const struct pcimap_device *
lookup(void *ctx, const char *address)
{
	const struct lookup_ctx *lc = ctx;

	for (size_t k = 0; k < lc->n; k++) {
		if (strcmp(lc->devs[k].d.address, address) == 0)
			return &lc->devs[k].d;
	}
	return NULL;
}

int
mapping_check_entry(const char *name, const struct pcimap_entry *e, json_t *facts, char *err, size_t errlen)
{
	struct lookup_ctx lc;
	struct fact_device *devs = fact_devices(facts, &lc.n);
	int rc;

	if (devs == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	lc.devs = devs;
	rc = pcimap_assert_valid(name, e, lookup, &lc, err, errlen);
	free(devs);
	return rc;
}

int
mapping_check_cluster(const char *name, const char *const *hosts, json_t *const *facts, size_t n, char *err,
		      size_t errlen)
{
	const char *cluster = NULL, *first = NULL;

	for (size_t k = 0; k < n; k++) {
		json_t *c = json_object_get(facts[k], "cluster");
		const char *cn = json_string_value(json_object_get(c, "name"));

		if (!json_is_true(json_object_get(c, "member")) || cn == NULL) {
			snprintf(err, errlen, "mapping '%s' not written: %s is not a member of a Proxmox cluster "
				 "(no /etc/pve/corosync.conf), and a mapping lives in the cluster's /etc/pve", name,
				 hosts[k]);
			return -1;
		}
		if (cluster == NULL) {
			cluster = cn;
			first = hosts[k];
		} else if (strcmp(cluster, cn) != 0) {
			snprintf(err, errlen, "mapping '%s' not written: its nodes are not of one cluster: %s is in "
				 "cluster '%s', %s in '%s'", name, first, cluster, hosts[k], cn);
			return -1;
		}
	}
	for (size_t k = 0; k < n; k++) {
		if (!json_is_true(json_object_get(json_object_get(facts[k], "cluster"), "quorate"))) {
			snprintf(err, errlen, "mapping '%s' not written: %s: cluster '%s' is not quorate (pvecm status), "
				 "and /etc/pve is read-only without quorum", name, hosts[k], cluster);
			return -1;
		}
	}
	return 0;
}
