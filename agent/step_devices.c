/* devices: resolve the selectors, decide how each device is bound, and
 * refuse what would take a device away from the host or share an IOMMU
 * group with devices that stay behind. Runs before any step writes. */
#include <arpa/inet.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "pci.h"
#include "selector.h"
#include "steps.h"

static bool selector_matches(const struct orch_selector *sel, const struct pci_device *d)
{
	struct orch_pci_address addr;

	return orch_pci_address_parse(&addr, d->addr) == 0 && orch_selector_matches(sel, &addr, d->vendor, d->device);
}

static bool is_selected(const struct agent *ag, const struct pci_device *d)
{
	for (size_t i = 0; i < ag->nsel; i++)
		if (ag->sel[i].dev == d)
			return true;
	return false;
}

int selection_resolve(struct agent *ag, json_t *select, struct result *r)
{
	size_t i;
	json_t *item;

	free(ag->sel);
	ag->sel = xcalloc(ag->facts.ndevs, sizeof(*ag->sel));
	ag->nsel = 0;
	json_array_foreach(select, i, item) {
		struct orch_selector sel;
		const char *s = json_string_value(item);
		bool any = false;

		orch_selector_parse(&sel, s, strlen(s)); /* the plan parser has checked it */
		for (size_t k = 0; k < ag->facts.ndevs; k++) {
			struct pci_device *d = &ag->facts.devs[k];
			if (!selector_matches(&sel, d))
				continue;
			any = true;
			if (!is_selected(ag, d))
				ag->sel[ag->nsel++].dev = d;
		}
		if (!any)
			return result_fail(r, "selector '%s' matches no PCI device on this node", s);
	}
	ag->have_selection = true;
	return 0;
}

static const char *dev_label(const struct pci_device *d, char *buf, size_t n)
{
	if (d->device_name)
		snprintf(buf, n, "%s (%s)", d->addr, d->device_name);
	else
		snprintf(buf, n, "%s [%04x:%04x]", d->addr, d->vendor, d->device);
	return buf;
}

/* The interfaces that carry IPv4 default routes, and the one that routes to
 * the SSH client (longest prefix), from /proc/net/route. */
static void route_facts(struct agent *ag, struct strv *defaults, char **ssh_if)
{
	char *p = node_path(ag, "/proc/net/route"), *buf = NULL;
	const char *conn = ag->root[0] ? NULL : getenv("SSH_CONNECTION");
	struct in_addr client = { 0 };
	bool have_client = false;
	int best = -1;

	*ssh_if = NULL;
	if (conn) {
		char ip[64] = "";
		if (sscanf(conn, "%63s", ip) == 1 && inet_pton(AF_INET, ip, &client) == 1)
			have_client = true;
	}
	if (read_file(p, 1 << 20, &buf, NULL) == 0) {
		char *save = NULL;
		for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char ifname[64];
			unsigned dest, gw, flags, mask;
			int refcnt, use, metric;
			if (sscanf(line, "%63s %x %x %x %d %d %d %x", ifname, &dest, &gw, &flags, &refcnt, &use, &metric,
			           &mask) != 8)
				continue;
			if (dest == 0 && mask == 0 && !strv_has(defaults, ifname))
				strv_push(defaults, ifname);
			if (have_client && (client.s_addr & mask) == dest) {
				int bits = __builtin_popcount(mask);
				if (bits > best) {
					best = bits;
					free(*ssh_if);
					*ssh_if = xstrdup(ifname);
				}
			}
		}
	}
	free(buf);
	free(p);
}

/* Why the host needs a network interface, or NULL. */
static char *net_needed(struct agent *ag, const char *ifname, const struct strv *defaults, const char *ssh_if)
{
	char *p = node_pathf(ag, "/sys/class/net/%s/master", ifname);
	char *master = link_basename(p);
	char *why = NULL;

	free(p);
	if (master) {
		why = xasprintf("its interface %s is a port of %s", ifname, master);
	} else if (strv_has(defaults, ifname)) {
		why = xasprintf("its interface %s carries the default route", ifname);
	} else if (ssh_if && strcmp(ssh_if, ifname) == 0) {
		why = xasprintf("its interface %s carries this SSH session", ifname);
	}
	free(master);
	return why;
}

/* Adds `name`, its partitions and (recursively) what holds them (LVM, dm-crypt, md). */
static void block_closure(struct agent *ag, const char *name, struct strv *out, int depth)
{
	char *dir, *sub;
	DIR *d;
	struct dirent *e;

	if (depth > 8 || strv_has(out, name))
		return;
	strv_push(out, name);
	dir = node_pathf(ag, "/sys/class/block/%s", name);
	if ((d = opendir(dir))) {
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			sub = xasprintf("%s/%s/partition", dir, e->d_name);
			if (path_exists(sub))
				block_closure(ag, e->d_name, out, depth + 1);
			free(sub);
		}
		closedir(d);
	}
	sub = xasprintf("%s/holders", dir);
	if ((d = opendir(sub))) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				block_closure(ag, e->d_name, out, depth + 1);
		closedir(d);
	}
	free(sub);
	free(dir);
}

/* The /dev names a block device goes by: /dev/sda1, /dev/dm-0, /dev/mapper/pve-root. */
static bool dev_names_block(struct agent *ag, const char *source, const struct strv *names)
{
	if (!starts_with(source, "/dev/"))
		return false;
	for (size_t i = 0; i < names->n; i++) {
		if (strcmp(source + 5, names->v[i]) == 0)
			return true;
		if (starts_with(names->v[i], "dm-") && starts_with(source, "/dev/mapper/")) {
			char *p = node_pathf(ag, "/sys/class/block/%s/dm/name", names->v[i]);
			char *dm = read_line(p);
			bool eq = dm && strcmp(dm, source + strlen("/dev/mapper/")) == 0;
			free(dm);
			free(p);
			if (eq)
				return true;
		}
	}
	return false;
}

static char *zfs_member(struct agent *ag, const struct strv *names)
{
	const char *const argv[] = { "zpool", "list", "-vHP", NULL };
	char *out = cmd_output(ag, argv, 60), *why = NULL, *pool = NULL, *save = NULL;

	if (!out)
		return NULL;
	for (char *line = strtok_r(out, "\n", &save); line && !why; line = strtok_r(NULL, "\n", &save)) {
		char word[512];
		if (sscanf(line, "%511s", word) != 1)
			continue;
		if (line[0] != '\t' && line[0] != ' ') {
			free(pool);
			pool = xstrdup(word);
			continue;
		}
		if (!starts_with(word, "/dev/"))
			continue;
		/* by-id names are links into /dev: resolve them inside the root */
		char *full = node_path(ag, word), *target = link_basename(full);
		const char *base = target ? target : strrchr(word, '/') + 1;
		if (strv_has(names, base))
			why = xasprintf("%s is in ZFS pool '%s'", word, pool ? pool : "?");
		free(target);
		free(full);
	}
	free(pool);
	free(out);
	return why;
}

/* Why the host needs a disk, or NULL. */
static char *block_needed(struct agent *ag, const char *disk)
{
	struct strv names = { 0 };
	char *why = NULL, *p, *buf = NULL, *save = NULL;
	bool zfs = false;

	block_closure(ag, disk, &names, 0);
	p = node_path(ag, "/proc/mounts");
	if (read_file(p, 4 << 20, &buf, NULL) == 0) {
		for (char *line = strtok_r(buf, "\n", &save); line && !why; line = strtok_r(NULL, "\n", &save)) {
			char src[512], mnt[512], type[64];
			if (sscanf(line, "%511s %511s %63s", src, mnt, type) != 3)
				continue;
			if (strcmp(type, "zfs") == 0)
				zfs = true;
			if (dev_names_block(ag, src, &names))
				why = xasprintf("its disk %s holds %s, mounted on %s", disk, src, mnt);
		}
	}
	free(buf);
	buf = NULL;
	free(p);
	p = node_path(ag, "/proc/swaps");
	if (!why && read_file(p, 1 << 20, &buf, NULL) == 0) {
		for (char *line = strtok_r(buf, "\n", &save); line && !why; line = strtok_r(NULL, "\n", &save)) {
			char src[512];
			if (sscanf(line, "%511s", src) == 1 && dev_names_block(ag, src, &names))
				why = xasprintf("its disk %s holds swap %s", disk, src);
		}
	}
	free(buf);
	free(p);
	if (!why && zfs) {
		char *z = zfs_member(ag, &names);
		if (z) {
			why = xasprintf("its disk %s: %s", disk, z);
			free(z);
		}
	}
	strv_release(&names);
	return why;
}

/* Module names as modprobe compares them: '-' and '_' are the same. */
static bool same_module(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return false;
	return *a == *b;
}

/* The kernel that boots next's modules.builtin and modules.builtin.alias:
 * drivers compiled into the kernel probe their devices before any module,
 * softdep or blacklist can act (docs/agent.md "Binding by address"). */
struct builtins {
	char *list, *aliases;
};

static void builtins_load(struct agent *ag, struct builtins *b)
{
	char *p = node_pathf(ag, "/lib/modules/%s/modules.builtin", ag->facts.kernel_target);

	memset(b, 0, sizeof(*b));
	if (read_file(p, 16 << 20, &b->list, NULL) < 0)
		b->list = NULL;
	free(p);
	p = node_pathf(ag, "/lib/modules/%s/modules.builtin.alias", ag->facts.kernel_target);
	if (read_file(p, 16 << 20, &b->aliases, NULL) < 0)
		b->aliases = NULL;
	free(p);
}

/* Whether module `m` is a line of modules.builtin ("kernel/drivers/nvme/host/nvme.ko"). */
static bool builtin_has(const struct builtins *b, const char *m)
{
	const char *line = b->list;

	while (line && *line) {
		const char *end = strchr(line, '\n'), *base;
		size_t len = end ? (size_t)(end - line) : strlen(line), blen;
		char name[128];
		for (base = line + len; base > line && base[-1] != '/'; base--)
			;
		blen = (size_t)(line + len - base);
		if (blen > 3 && blen - 3 < sizeof(name) && memcmp(base + blen - 3, ".ko", 3) == 0) {
			memcpy(name, base, blen - 3);
			name[blen - 3] = '\0';
			if (same_module(name, m))
				return true;
		}
		line = end ? end + 1 : NULL;
	}
	return false;
}

/* The built-in driver that takes `d` at boot, into out (empty if none): the
 * driver it is bound to now when that is built into the next kernel, else a
 * built-in driver whose alias matches its modalias. */
static void builtin_driver(const struct builtins *b, const struct pci_device *d, char *out, size_t n)
{
	out[0] = '\0';
	if (d->module && !starts_with(d->module, "vfio") && builtin_has(b, d->module)) {
		snprintf(out, n, "%s", d->module);
		return;
	}
	for (const char *line = b->aliases; d->modalias && line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *l = xstrndup(line, len), pat[512], mod[64];
		if (sscanf(l, "alias %511s %63s", pat, mod) == 2 && starts_with(pat, "pci:") &&
		    !starts_with(mod, "vfio") && fnmatch(pat, d->modalias, 0) == 0) {
			memcpy(out, mod, n < sizeof(mod) ? n : sizeof(mod));
			out[n - 1] = '\0';
			free(l);
			return;
		}
		free(l);
		line = end ? end + 1 : NULL;
	}
}

static json_t *selection_json(const struct agent *ag)
{
	json_t *a = json_array();
	for (size_t i = 0; i < ag->nsel; i++) {
		const struct pci_device *d = ag->sel[i].dev;
		json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:b, s:o}", "address", d->addr, "bind",
		                                   ag->sel[i].by_address ? "address" : "id", "driver", d->driver,
		                                   "builtin", ag->sel[i].builtin[0] != '\0',
		                                   "iommu_group", d->group >= 0 ? json_integer(d->group) : json_null()));
	}
	return json_pack("{s:o}", "selected", a);
}

int step_devices(struct agent *ag, const struct step *st, struct result *r)
{
	const char *bind_by = arg_choice(st, "bind_by", "auto");
	struct strv defaults = { 0 }, refusals = { 0 }, warnings = { 0 };
	struct builtins builtins;
	char *ssh_if = NULL, label[160];
	int ret = 0;

	if (selection_resolve(ag, json_object_get(st->args, "select"), r) < 0)
		return -1;
	route_facts(ag, &defaults, &ssh_if);
	builtins_load(ag, &builtins);

	for (size_t i = 0; i < ag->nsel; i++) {
		struct pci_device *d = ag->sel[i].dev;
		struct strv twins = { 0 }, foreign = { 0 };

		dev_label(d, label, sizeof(label));
		for (size_t k = 0; k < d->net.n; k++) {
			char *why = net_needed(ag, d->net.v[k], &defaults, ssh_if);
			if (why)
				strv_push_own(&refusals, xasprintf("%s: %s; the host needs it", label, why));
			free(why);
		}
		for (size_t k = 0; k < d->block.n; k++) {
			char *why = block_needed(ag, d->block.v[k]);
			if (why)
				strv_push_own(&refusals, xasprintf("%s: %s; the host needs it", label, why));
			free(why);
		}
		for (size_t k = 0; k < ag->facts.ndevs; k++) {
			struct pci_device *o = &ag->facts.devs[k];
			if (is_selected(ag, o))
				continue;
			if (o->vendor == d->vendor && o->device == d->device)
				strv_push(&twins, o->addr);
			if (d->group >= 0 && o->group == d->group && !o->bridge)
				strv_push(&foreign, o->addr);
		}
		if (foreign.n) {
			struct sb m;
			sb_init(&m);
			for (size_t k = 0; k < foreign.n; k++)
				sb_addf(&m, "%s%s", k ? ", " : "", foreign.v[k]);
			strv_push_own(&refusals, xasprintf("%s: IOMMU group %d also holds %s, which %s not selected; "
			                                   "select %s too or move the card to another slot",
			                                   label, d->group, m.s, foreign.n > 1 ? "are" : "is",
			                                   foreign.n > 1 ? "them" : "it"));
			sb_release(&m);
		}
		if (twins.n && strcmp(bind_by, "id") == 0)
			strv_push_own(&refusals, xasprintf("%s: bind_by=id would also give %s to vfio-pci (same ID "
			                                   "%04x:%04x); use bind_by=address",
			                                   label, twins.v[0], d->vendor, d->device));
		/* a built-in driver holds the device before vfio-pci loads: ids= never gets it */
		builtin_driver(&builtins, d, ag->sel[i].builtin, sizeof(ag->sel[i].builtin));
		if (ag->sel[i].builtin[0] && strcmp(bind_by, "id") == 0)
			strv_push_own(&refusals, xasprintf("%s: bind_by=id cannot take it from %s, which is built into "
			                                   "%s (modules.builtin) and binds it before vfio-pci loads; "
			                                   "use bind_by=address or auto",
			                                   label, ag->sel[i].builtin, ag->facts.kernel_target));
		ag->sel[i].by_address = strcmp(bind_by, "address") == 0 ||
		                        (strcmp(bind_by, "auto") == 0 && (twins.n || ag->sel[i].builtin[0]));
		if (d->group < 0)
			strv_push_own(&warnings, xasprintf("%s: no IOMMU group yet; isolation is verified once the "
			                                   "IOMMU is on", d->addr));
		if (d->reset_methods.n && !strv_has(&d->reset_methods, "flr") && pci_is_vga(d))
			strv_push_own(&warnings, xasprintf("%s: no function-level reset (reset_method: %s); the card "
			                                   "may not reset between guest starts", d->addr,
			                                   d->reset_methods.v[0]));
		strv_release(&twins);
		strv_release(&foreign);
	}

	if (refusals.n) {
		for (size_t i = 0; i < refusals.n; i++)
			result_fail(r, "%s", refusals.v[i]);
		ret = -1;
	} else {
		struct sb m;
		sb_init(&m);
		for (size_t i = 0; i < ag->nsel; i++)
			sb_addf(&m, " %s%s", ag->sel[i].dev->addr,
			        !ag->sel[i].by_address ? ""
			        : ag->sel[i].builtin[0] ? " (by address: its driver is built in)" : " (by address)");
		result_msg(r, "%zu device%s:%s", ag->nsel, ag->nsel == 1 ? "" : "s", m.s);
		sb_release(&m);
		for (size_t i = 0; i < warnings.n; i++)
			result_msg(r, "%s", warnings.v[i]);
	}
	r->facts = selection_json(ag);
	free(builtins.list);
	free(builtins.aliases);
	strv_release(&defaults);
	strv_release(&refusals);
	strv_release(&warnings);
	free(ssh_if);
	return ret;
}
