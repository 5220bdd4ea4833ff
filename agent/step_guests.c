/* guests: attaches this node's PCI resource mapping to VMs of this node,
 * `qm set VMID --hostpciN mapping=ID[,pcie=1][,x-vga=1]`, only where the VM
 * would then start: stopped, on this node, pcie=1 only on q35, x-vga=1 in a
 * SeaBIOS guest only while vfio-pci shows the VGA region, and a mapping with
 * an entry for this node. Every VM is checked before any is changed; one
 * that fails a check fails the step and nothing is changed. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "modprobe.h"
#include "steps.h"

/* qemu-server src/PVE/QemuServer/PCI.pm, $MAX_HOSTPCI_DEVICES */
#define MAX_HOSTPCI 16

/* The VM configuration as qemu-server reads it: the current section only
 * (up to the first "[...]": [PENDING], [special:...], snapshots). */
struct vm_conf {
	char *text;                  /* the whole file */
	struct strv keys, values;    /* current section, in file order */
	bool pending_hostpci[MAX_HOSTPCI]; /* hostpciN waiting in [PENDING] */
};

static void vm_conf_release(struct vm_conf *c)
{
	free(c->text);
	strv_release(&c->keys);
	strv_release(&c->values);
}

static void vm_conf_parse(struct vm_conf *c)
{
	char *copy = xstrdup(c->text), *save = NULL;
	bool current = true, pending = false;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *colon;
		if (l[0] == '[') {
			current = false;
			pending = strcmp(l, "[PENDING]") == 0;
			continue;
		}
		if (l[0] == '#' || !(colon = strchr(l, ':')))
			continue;
		*colon = '\0';
		const char *v = colon + 1 + (colon[1] == ' ');
		if (current) {
			strv_push(&c->keys, l);
			strv_push(&c->values, v);
		} else if (pending && starts_with(l, "hostpci")) {
			int n = atoi(l + 7);
			if (n >= 0 && n < MAX_HOSTPCI)
				c->pending_hostpci[n] = true;
		}
	}
	free(copy);
}

static const char *vm_conf_get(const struct vm_conf *c, const char *key)
{
	for (size_t i = 0; i < c->keys.n; i++)
		if (strcmp(c->keys.v[i], key) == 0)
			return c->values.v[i];
	return NULL;
}

/* A true Proxmox boolean (1|on|yes|true, any case). */
static bool pve_true(const char *v)
{
	return strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0 || strcasecmp(v, "yes") == 0 ||
	       strcasecmp(v, "true") == 0;
}

/* The machine type of a `machine:` value: its default key ("q35",
 * "pc-q35-8.1") or type= ("type=q35,viommu=intel"); NULL when none (the
 * default, pc). qemu-server src/PVE/QemuServer/Machine.pm, $machine_fmt. */
static char *machine_type(const char *value)
{
	char *copy = xstrdup(value), *save = NULL, *type = NULL;

	for (char *o = strtok_r(copy, ",", &save); o && !type; o = strtok_r(NULL, ",", &save)) {
		if (starts_with(o, "type="))
			type = xstrdup(o + 5);
		else if (!strchr(o, '='))
			type = xstrdup(o);
	}
	free(copy);
	return type;
}

/* One option of a hostpci value: its key (the bare default key is host). */
static bool hostpci_opt(const char *opt, const char *key, const char **val)
{
	size_t n = strlen(key);

	if (!strchr(opt, '='))
		return strcmp(key, "host") == 0 ? (*val = opt, true) : false;
	if (strncmp(opt, key, n) == 0 && opt[n] == '=')
		return *val = opt + n + 1, true;
	return false;
}

/* The value orch wants for an entry: mapping=ID, the entry's other options
 * (rombar, romfile, ...) kept in their order, then pcie=1, x-vga=1. */
static char *hostpci_want(const char *old, const char *mapping, bool pcie, bool xvga)
{
	struct sb s;
	char *copy = xstrdup(old ? old : ""), *save = NULL;

	sb_init(&s);
	sb_addf(&s, "mapping=%s", mapping);
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		const char *v;
		if (hostpci_opt(o, "mapping", &v) || hostpci_opt(o, "pcie", &v) || hostpci_opt(o, "x-vga", &v))
			continue;
		sb_addf(&s, ",%s", o);
	}
	free(copy);
	if (pcie)
		sb_adds(&s, ",pcie=1");
	if (xvga)
		sb_adds(&s, ",x-vga=1");
	return sb_detach(&s);
}

/* Whether an entry is mapping=ID with exactly the wanted pcie and x-vga. */
static bool hostpci_has(const char *value, const char *mapping, bool pcie, bool xvga, bool *is_mapping)
{
	char *copy = xstrdup(value), *save = NULL;
	bool has_pcie = false, has_xvga = false;

	*is_mapping = false;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		const char *v;
		if (hostpci_opt(o, "mapping", &v))
			*is_mapping = strcmp(v, mapping) == 0;
		else if (hostpci_opt(o, "pcie", &v))
			has_pcie = pve_true(v);
		else if (hostpci_opt(o, "x-vga", &v))
			has_xvga = pve_true(v);
	}
	free(copy);
	return *is_mapping && has_pcie == pcie && has_xvga == xvga;
}

/* The text qm set leaves: qemu-server writes the current section's keys
 * sorted (QemuServer.pm write_vm_config), so the line goes where its key
 * sorts, or replaces the line of the same key. */
static char *conf_with(const char *text, const char *key, const char *value)
{
	struct sb s;
	const char *p = text;
	bool done = false, current = true;

	sb_init(&s);
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p + 1) : strlen(p), kn = strcspn(p, ":\n");

		if (*p == '[' || *p == '\n')
			current = false;
		if (!done && !current) {
			sb_addf(&s, "%s: %s\n", key, value);
			done = true;
		} else if (!done && *p != '#' && p[kn] == ':') {
			int cmp = strncmp(p, key, kn);
			if (cmp == 0)
				cmp = strlen(key) > kn ? -1 : 0;
			if (cmp >= 0) {
				sb_addf(&s, "%s: %s\n", key, value);
				done = true;
				if (cmp == 0) {
					p += n;
					continue;
				}
			}
		}
		sb_add(&s, p, n);
		p += n;
	}
	if (!done)
		sb_addf(&s, "%s%s: %s\n", s.len && s.s[s.len - 1] != '\n' ? "\n" : "", key, value);
	return sb_detach(&s);
}

/* The mapping's entries for `node` in /etc/pve/mapping/pci.cfg, Proxmox's
 * section config (pve-common SectionConfig.pm; pve-guest-common
 * src/PVE/Mapping/PCI.pm): a bare "<id>" line, then tab-indented
 * "key value" lines ("map node=...,path=...,id=..."), a blank line ending
 * it. Returns 1 with the count in *entries, 0 without the mapping, -1 when
 * the file cannot be read. */
static int mapping_entries(struct agent *ag, const char *mapping, const char *node, int *entries)
{
	char *path = node_path(ag, "/etc/pve/mapping/pci.cfg"), *buf = NULL, *save = NULL;
	int found = 0;
	bool in = false;

	*entries = 0;
	if (read_file(path, 4 << 20, &buf, NULL) != 0) {
		found = path_exists(path) ? -1 : 0;
		free(path);
		return found;
	}
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (l[0] != ' ' && l[0] != '\t') {
			size_t n = strcspn(l, " \t");
			in = n == strlen(mapping) && strncmp(l, mapping, n) == 0 && l[n + strspn(l + n, " \t")] == '\0';
			found |= in;
			continue;
		}
		l += strspn(l, " \t");
		if (!in || !starts_with(l, "map") || (l[3] != ' ' && l[3] != '\t'))
			continue;
		char *save2 = NULL;
		for (char *o = strtok_r(l + 4, ",", &save2); o; o = strtok_r(NULL, ",", &save2)) {
			o += strspn(o, " \t");
			if (starts_with(o, "node=") && strcmp(o + 5, node) == 0)
				(*entries)++;
		}
	}
	free(buf);
	free(path);
	return found;
}

/* Whether vfio-pci hides the VGA region (disable_vga), now or after the
 * next boot: the running module's parameter and what modprobe will set from
 * the merged configuration and the configured command line. *why says
 * where, for the message. */
static bool vga_hidden(struct agent *ag, char **why)
{
	char *p = node_path(ag, "/sys/module/vfio_pci/parameters/disable_vga");
	char *now = read_line(p);
	struct modprobe_config c;
	const struct mp_entry *where = NULL;
	char *next;
	bool hidden = false;

	free(p);
	*why = NULL;
	if (now && mp_bool(now) == 1) {
		*why = xstrdup("the running vfio-pci has disable_vga=Y (/sys/module/vfio_pci/parameters/disable_vga)");
		hidden = true;
	}
	modprobe_load(&c, ag->root, ag->facts.cmdline_configured, NULL, 0);
	next = modprobe_param(&c, "vfio_pci", "disable_vga", &where);
	if (!hidden && next && mp_bool(next) == 1) {
		char *w = modprobe_where(&c, where);
		*why = xasprintf("vfio-pci gets disable_vga=1 at the next boot (%s)", w);
		free(w);
		hidden = true;
	}
	free(next);
	free(now);
	modprobe_release(&c);
	return hidden;
}

/* Where VM vmid's configuration is when it is not on `node`: the node
 * that holds it, or a container's; NULL when there is none. */
static char *vm_elsewhere(struct agent *ag, const char *vmid, const char *node, bool *container)
{
	char *dir = node_path(ag, "/etc/pve/nodes"), *found = NULL;
	DIR *d = opendir(dir);
	struct dirent *e;

	*container = false;
	while (d && !found && (e = readdir(d))) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, node) == 0)
			continue;
		for (int kind = 0; kind < 2 && !found; kind++) {
			char *p = xasprintf("%s/%s/%s/%s.conf", dir, e->d_name, kind ? "lxc" : "qemu-server", vmid);
			if (path_exists(p)) {
				found = xstrdup(e->d_name);
				*container = kind == 1;
			}
			free(p);
		}
	}
	if (d)
		closedir(d);
	if (!found) {
		char *p = xasprintf("%s/%s/lxc/%s.conf", dir, node, vmid);
		if (path_exists(p)) {
			found = xstrdup(node);
			*container = true;
		}
		free(p);
	}
	free(dir);
	return found;
}

/* What to do for one VM: nothing (key NULL), or set key to value. */
struct guest_plan {
	const char *vmid;
	char key[24];
	bool change;                 /* false: the VM has it already, under key */
	char *value, *old;           /* old: the line's value before, NULL when new */
	char *before, *after;        /* the configuration file, for the diff */
};

/* Checks VM vmid; fills gp, or returns -1 with the reason in why. */
static int guest_check(struct agent *ag, const char *vmid, const char *node, const char *mapping,
                       const char *pcie_arg, bool xvga, struct guest_plan *gp, struct sb *why)
{
	char *path = node_pathf(ag, "/etc/pve/nodes/%s/qemu-server/%s.conf", node, vmid);
	struct vm_conf c = { 0 };
	const char *mach, *bios, *lock;
	char *type = NULL, *status = NULL, *vga_why = NULL;
	bool q35, pcie, ovmf, is_mapping;
	int ret = -1, free_slot = -1;

	gp->vmid = vmid;
	if (read_file(path, 1 << 20, &c.text, NULL) != 0) {
		bool container;
		char *other = vm_elsewhere(ag, vmid, node, &container);
		if (other && container)
			sb_addf(why, "VM %s: %s is a container on node '%s' (/etc/pve/nodes/%s/lxc/%s.conf), not a VM",
			        vmid, vmid, other, other, vmid);
		else if (other)
			sb_addf(why, "VM %s is on node '%s' (/etc/pve/nodes/%s/qemu-server/%s.conf), not on this node "
			        "'%s': attach it from there", vmid, other, other, vmid, node);
		else
			sb_addf(why, "VM %s does not exist (no /etc/pve/nodes/*/qemu-server/%s.conf)", vmid, vmid);
		free(other);
		goto out;
	}
	vm_conf_parse(&c);
	/* qemu-server's check_running (QemuServer.pm): the VM's pid file and
	 * process, as `qm status` reports them */
	{
		const char *const argv[] = { "qm", "status", vmid, NULL };
		status = cmd_output(ag, argv, 60);
	}
	if (!status) {
		sb_addf(why, "VM %s: 'qm status %s' failed", vmid, vmid);
		goto out;
	}
	if (!strstr(status, "status: stopped")) {
		char *nl = strchr(status, '\n');
		if (nl)
			*nl = '\0';
		sb_addf(why, "VM %s is not stopped (qm status: '%s'); a passthrough device can be attached only to "
		        "a stopped VM", vmid, status);
		goto out;
	}
	/* qm set refuses a locked VM (pve-guest-common AbstractConfig.pm check_lock) */
	if ((lock = vm_conf_get(&c, "lock"))) {
		sb_addf(why, "VM %s is locked (%s) in %s", vmid, lock, path + strlen(ag->root));
		goto out;
	}
	mach = vm_conf_get(&c, "machine");
	type = mach ? machine_type(mach) : NULL;
	/* Machine.pm machine_type_is_q35 / machine_base_type: q35 when the type
	 * has "q35" in it; no type is the default, pc (i440fx) */
	q35 = type && strstr(type, "q35");
	pcie = strcmp(pcie_arg, "yes") == 0 || (strcmp(pcie_arg, "auto") == 0 && q35);
	if (pcie && !q35) {
		sb_addf(why, "VM %s: pcie=1 needs the q35 machine, and %s has %s%s%s; qemu-server refuses it at "
		        "start (\"q35 machine model is not enabled\", PCI.pm parse_hostpci_devices)", vmid,
		        path + strlen(ag->root), mach ? "'machine: " : "no machine line (i440fx)", mach ? mach : "",
		        mach ? "'" : "");
		goto out;
	}
	bios = vm_conf_get(&c, "bios");
	ovmf = bios && strcmp(bios, "ovmf") == 0;
	/* PCI.pm print_hostpci_devices: x-vga=1 gives QEMU x-vga=on unless the
	 * bios is ovmf, and QEMU then needs the VGA region vfio-pci hides with
	 * disable_vga */
	if (xvga && !ovmf && vga_hidden(ag, &vga_why)) {
		sb_addf(why, "VM %s: x-vga=1 in a SeaBIOS guest (no 'bios: ovmf' in %s) needs the VGA region, and %s; "
		        "QEMU would refuse it at start (\"vfio: Device does not support requested feature x-vga\")",
		        vmid, path + strlen(ag->root), vga_why);
		goto out;
	}
	for (int n = 0; n < MAX_HOSTPCI; n++) {
		char key[24];
		const char *v;
		snprintf(key, sizeof(key), "hostpci%d", n);
		if (!(v = vm_conf_get(&c, key))) {
			if (free_slot < 0 && !c.pending_hostpci[n])
				free_slot = n;
			continue;
		}
		bool same = hostpci_has(v, mapping, pcie, xvga, &is_mapping);
		if (!is_mapping)
			continue;
		snprintf(gp->key, sizeof(gp->key), "%s", key);
		if (same) {
			gp->value = xstrdup(v);
			ret = 0;
			goto out;
		}
		gp->old = xstrdup(v);
		break;
	}
	if (!gp->key[0]) {
		if (free_slot < 0) {
			sb_addf(why, "VM %s: hostpci0 to hostpci%d are all used", vmid, MAX_HOSTPCI - 1);
			goto out;
		}
		snprintf(gp->key, sizeof(gp->key), "hostpci%d", free_slot);
	}
	gp->change = true;
	gp->value = hostpci_want(gp->old, mapping, pcie, xvga);
	gp->before = c.text;
	c.text = NULL;
	gp->after = conf_with(gp->before, gp->key, gp->value);
	ret = 0;
out:
	vm_conf_release(&c);
	free(type);
	free(status);
	free(vga_why);
	free(path);
	return ret;
}

int step_guests(struct agent *ag, const struct step *st, struct result *r)
{
	const char *mapping = json_string_value(json_object_get(st->args, "mapping"));
	json_t *vmids = json_object_get(st->args, "vmids"), *v;
	const char *pcie = arg_choice(st, "pcie", "auto");
	bool xvga = arg_bool(st, "x_vga", false);
	size_t n = json_array_size(vmids), k;
	struct guest_plan *gp = xcalloc(n ? n : 1, sizeof(*gp));
	char (*ids)[16] = xcalloc(n ? n : 1, sizeof(*ids));
	char *node = NULL;
	struct sb why;
	int entries, found, ret = -1;
	json_t *facts = json_array();

	sb_init(&why);
	if (!ag->facts.hostname) {
		result_fail(r, "the node's name is unknown (no /proc/sys/kernel/hostname)");
		goto out;
	}
	/* PVE::INotify::nodename: the host name up to the first dot */
	node = xstrndup(ag->facts.hostname, strcspn(ag->facts.hostname, "."));
	/* qemu-server refuses the VM at start without an entry for its node
	 * (PCI.pm parse_hostpci: "PCI device mapping not found for '<id>'") */
	found = mapping_entries(ag, mapping, node, &entries);
	if (found < 0) {
		result_fail(r, "cannot read /etc/pve/mapping/pci.cfg");
		goto out;
	}
	if ((!found || entries == 0) && ag->check && arg_bool(st, "mapping_pending", false)) {
		/* the controller's check: the apply writes the entry (its
		 * pci_mapping step); the VMs are checked as it will find them */
		result_msg(r, "mapping '%s' has no entry for node '%s' yet: the apply writes it (pci_mapping)", mapping,
		           node);
	} else if (!found || entries == 0) {
		result_fail(r, "mapping '%s' has no entry for node '%s' in /etc/pve/mapping/pci.cfg%s; qemu-server would "
		            "refuse the VMs at start (\"PCI device mapping not found for '%s'\")", mapping, node,
		            found ? "" : " (no such mapping)", mapping);
		goto out;
	}
	json_array_foreach(vmids, k, v) {
		snprintf(ids[k], sizeof(ids[k]), "%lld", (long long)json_integer_value(v));
		if (guest_check(ag, ids[k], node, mapping, pcie, xvga, &gp[k], &why) != 0)
			sb_adds(&why, "; ");
	}
	if (why.len) {
		why.s[why.len - 2] = '\0';
		result_fail(r, "%s; no VM changed", why.s);
		goto out;
	}
	for (k = 0; k < n; k++) {
		if (!gp[k].change) {
			result_msg(r, "VM %s: %s %s already", ids[k], gp[k].key, gp[k].value);
			json_array_append_new(facts, json_pack("{s:I, s:s, s:s, s:s}", "vmid", (json_int_t)atoll(ids[k]),
			                                       "status", "ok", "key", gp[k].key, "hostpci", gp[k].value));
			continue;
		}
		char *opt = xasprintf("--%s", gp[k].key);
		const char *const argv[] = { "qm", "set", ids[k], opt, gp[k].value, NULL };
		int rc = cmd_run(ag, r, argv, 120);
		free(opt);
		if (rc != 0) {
			if (rc > 0)
				result_fail(r, "VM %s: 'qm set %s --%s %s' failed (exit %d)", ids[k], ids[k], gp[k].key,
				            gp[k].value, rc);
			goto out;
		}
		result_set(r, ORCH_CHANGED);
		if (gp[k].old)
			result_msg(r, "VM %s: %s %s (was %s)", ids[k], gp[k].key, gp[k].value, gp[k].old);
		else
			result_msg(r, "VM %s: %s %s", ids[k], gp[k].key, gp[k].value);
		if (ag->diff) {
			char *p = xasprintf("/etc/pve/qemu-server/%s.conf", ids[k]);
			result_add_diff(r, p, gp[k].before, gp[k].after);
			free(p);
		}
		json_array_append_new(facts, json_pack("{s:I, s:s, s:s, s:s}", "vmid", (json_int_t)atoll(ids[k]),
		                                       "status", "changed", "key", gp[k].key, "hostpci", gp[k].value));
	}
	ret = 0;
out:
	if (!r->facts)
		r->facts = json_pack("{s:s?, s:s, s:o}", "node", node, "mapping", mapping, "guests", facts);
	else
		json_decref(facts);
	for (k = 0; k < n; k++) {
		free(gp[k].value);
		free(gp[k].old);
		free(gp[k].before);
		free(gp[k].after);
	}
	free(gp);
	free(ids);
	free(node);
	sb_release(&why);
	return ret;
}
