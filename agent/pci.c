#include "pci.h"

#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

/* libpci's error callback must not return; it takes us back to pci_gather.
 * The agent is single-threaded, so one jump buffer is enough. */
static jmp_buf pci_jump;
static char pci_errmsg[256];

static void __attribute__((noreturn, format(printf, 1, 2))) pci_on_error(char *msg, ...)
{
	va_list ap;
	va_start(ap, msg);
	vsnprintf(pci_errmsg, sizeof(pci_errmsg), msg, ap);
	va_end(ap);
	longjmp(pci_jump, 1);
}

static void pci_on_warning(char *msg, ...)
{
	(void)msg;
}

static int cmp_dev(const void *a, const void *b)
{
	return strcmp(((const struct pci_device *)a)->addr, ((const struct pci_device *)b)->addr);
}

/* The last PCI address ("dddd:bb:dd.f") among the components of a sysfs
 * path: the device closest to what the path names. */
static char *innermost_pci(const char *path)
{
	char *found = NULL, *copy = xstrdup(path), *save = NULL;

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		unsigned dom, bus, dev, fn;
		int end = 0;
		if (sscanf(c, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &end) == 4 && c[end] == '\0') {
			free(found);
			found = xstrdup(c);
		}
	}
	free(copy);
	return found;
}

/* Block devices and network interfaces live in class dirs that link into
 * the device tree: those whose link passes through the device belong to it. */
static void collect_class(struct agent *ag, const char *class_dir, struct pci_device *devs, size_t n,
                          bool whole_disks_only)
{
	char *dir = node_path(ag, class_dir);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		free(dir);
		return;
	}
	while ((e = readdir(d))) {
		char link[PATH_MAX], *p;
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		len = readlink(p, link, sizeof(link) - 1);
		if (len > 0) {
			link[len] = '\0';
			if (whole_disks_only) {
				char *part = xasprintf("%s/partition", p);
				bool is_part = path_exists(part);
				free(part);
				if (is_part) {
					free(p);
					continue;
				}
			}
			char *owner = innermost_pci(link);
			for (size_t i = 0; owner && i < n; i++)
				if (strcmp(devs[i].addr, owner) == 0)
					strv_push(whole_disks_only ? &devs[i].block : &devs[i].net, e->d_name);
			free(owner);
		}
		free(p);
	}
	closedir(d);
	free(dir);
}

/* A firmware framebuffer inside one of the device's BARs in /proc/iomem:
 * BOOTFB (sysfb's platform device), efifb or vesafb (their drivers' regions). */
static void mark_bootfb(struct agent *ag, struct pci_device *devs, size_t n)
{
	char *path = node_path(ag, "/proc/iomem"), *buf = NULL;
	struct pci_device *owner = NULL;
	int owner_indent = -1;

	if (read_file(path, 1 << 20, &buf, NULL) == 0) {
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
			int indent = (int)strspn(line, " ");
			char *colon = strstr(line, " : ");
			if (!colon)
				continue;
			const char *label = colon + 3;
			if (owner && indent <= owner_indent)
				owner = NULL;
			if (owner && (strcmp(label, "BOOTFB") == 0 || strcmp(label, "efifb") == 0 ||
			              strcmp(label, "vesafb") == 0))
				owner->bootfb = true;
			for (size_t i = 0; i < n; i++) {
				if (strcmp(label, devs[i].addr) == 0) {
					owner = &devs[i];
					owner_indent = indent;
				}
			}
		}
	}
	free(buf);
	free(path);
}

static void read_sysfs_extras(struct agent *ag, struct pci_device *d)
{
	char *p, *s;

	p = node_pathf(ag, "/sys/bus/pci/devices/%s/boot_vga", d->addr);
	s = read_line(p);
	d->boot_vga = s ? atoi(s) == 1 : -1;
	free(s);
	free(p);

	p = node_pathf(ag, "/sys/bus/pci/devices/%s/reset_method", d->addr);
	s = read_line(p);
	if (s) {
		for (char *tok = strtok(s, " "); tok; tok = strtok(NULL, " "))
			strv_push(&d->reset_methods, tok);
	}
	free(s);
	free(p);

	p = node_pathf(ag, "/sys/bus/pci/devices/%s/pci_bus", d->addr);
	d->bridge = (d->class_code & 0xff00) == 0x0600 && ((d->class_code & 0xff) == 0x04 || is_dir(p));
	if (is_dir(p))
		d->bridge = true;
	free(p);

	p = node_pathf(ag, "/sys/bus/pci/devices/%s/modalias", d->addr);
	d->modalias = read_line(p);
	free(p);

	if (d->driver) {
		p = node_pathf(ag, "/sys/bus/pci/drivers/%s/module", d->driver);
		d->module = link_basename(p);
		free(p);
		if (!d->module)
			d->module = xstrdup(d->driver);
	}
	if (d->group < 0) {
		p = node_pathf(ag, "/sys/bus/pci/devices/%s/iommu_group", d->addr);
		s = link_basename(p);
		if (s)
			d->group = atoi(s);
		free(s);
		free(p);
	}
}

int pci_gather(struct agent *ag, char *err, size_t errlen)
{
	struct pci_access *volatile a = NULL;
	char *sysfs = node_path(ag, "/sys/bus/pci");
	char *ids = node_path(ag, "/usr/share/misc/pci.ids");
	struct pci_device *devs = NULL;
	size_t n = 0;

	if (!is_dir(sysfs)) {
		/* no PCI bus (a container, say): no devices, not an error */
		free(sysfs);
		free(ids);
		return 0;
	}
	if (setjmp(pci_jump)) {
		snprintf(err, errlen, "libpci: %s", pci_errmsg);
		if (a)
			pci_cleanup(a);
		for (size_t i = 0; i < n; i++)
			pci_device_release(&devs[i]);
		free(devs);
		free(sysfs);
		free(ids);
		return -1;
	}
	a = pci_alloc();
	a->error = pci_on_error;
	a->warning = pci_on_warning;
	a->debug = pci_on_warning;
	a->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_set_param(a, "sysfs.path", sysfs);
	pci_set_name_list_path(a, ids, 0);
	pci_init(a);
	pci_scan_bus(a);

	size_t count = 0;
	for (struct pci_dev *p = a->devices; p; p = p->next)
		count++;
	devs = xcalloc(count, sizeof(*devs));
	for (struct pci_dev *p = a->devices; p; p = p->next) {
		struct pci_device *d = &devs[n++];
		char name[256];
		const char *s;

		int known = pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_SUBSYS |
		                                 PCI_FILL_IOMMU_GROUP | PCI_FILL_DRIVER);
		snprintf(d->addr, sizeof(d->addr), "%04x:%02x:%02x.%d", (unsigned)p->domain & 0xffff, p->bus,
		         p->dev, p->func);
		d->vendor = p->vendor_id;
		d->device = p->device_id;
		d->class_code = p->device_class;
		d->subsys_vendor = p->subsys_vendor_id;
		d->subsys_device = p->subsys_id;
		d->has_subsys = (known & PCI_FILL_SUBSYS) != 0;
		d->group = -1;
		s = pci_lookup_name(a, name, sizeof(name), PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, p->vendor_id);
		d->vendor_name = s ? xstrdup(s) : NULL;
		s = pci_lookup_name(a, name, sizeof(name), PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, p->vendor_id,
		                    p->device_id);
		d->device_name = s ? xstrdup(s) : NULL;
		s = pci_get_string_property(p, PCI_FILL_DRIVER);
		d->driver = s ? xstrdup(s) : NULL;
		s = pci_get_string_property(p, PCI_FILL_IOMMU_GROUP);
		if (s)
			d->group = atoi(s);
	}
	pci_cleanup(a);
	a = NULL;

	qsort(devs, n, sizeof(*devs), cmp_dev);
	for (size_t i = 0; i < n; i++)
		read_sysfs_extras(ag, &devs[i]);
	collect_class(ag, "/sys/class/net", devs, n, false);
	collect_class(ag, "/sys/class/block", devs, n, true);
	mark_bootfb(ag, devs, n);
	ag->facts.devs = devs;
	ag->facts.ndevs = n;
	free(sysfs);
	free(ids);
	return 0;
}

void pci_device_release(struct pci_device *d)
{
	free(d->vendor_name);
	free(d->device_name);
	free(d->driver);
	free(d->module);
	free(d->modalias);
	strv_release(&d->reset_methods);
	strv_release(&d->net);
	strv_release(&d->block);
}

bool pci_is_vga(const struct pci_device *d)
{
	return d->class_code == 0x0300;
}

json_t *pci_device_json(const struct agent *ag, const struct pci_device *d)
{
	char id[8];
	json_t *o = json_object(), *members = json_array();

	json_object_set_new(o, "address", json_string(d->addr));
	snprintf(id, sizeof(id), "%04x", d->vendor);
	json_object_set_new(o, "vendor", json_string(id));
	snprintf(id, sizeof(id), "%04x", d->device);
	json_object_set_new(o, "device", json_string(id));
	snprintf(id, sizeof(id), "%04x", d->class_code);
	json_object_set_new(o, "class", json_string(id));
	/* what a Proxmox PCI mapping's subsystem-id is checked against */
	snprintf(id, sizeof(id), "%04x", d->subsys_vendor);
	json_object_set_new(o, "subsystem_vendor", d->has_subsys ? json_string(id) : json_null());
	snprintf(id, sizeof(id), "%04x", d->subsys_device);
	json_object_set_new(o, "subsystem_device", d->has_subsys ? json_string(id) : json_null());
	json_object_set_new(o, "vendor_name", d->vendor_name ? json_string(d->vendor_name) : json_null());
	json_object_set_new(o, "device_name", d->device_name ? json_string(d->device_name) : json_null());
	json_object_set_new(o, "driver", d->driver ? json_string(d->driver) : json_null());
	json_object_set_new(o, "iommu_group", d->group >= 0 ? json_integer(d->group) : json_null());
	for (size_t i = 0; d->group >= 0 && i < ag->facts.ndevs; i++)
		if (ag->facts.devs[i].group == d->group)
			json_array_append_new(members, json_string(ag->facts.devs[i].addr));
	json_object_set_new(o, "group_members", members);
	json_object_set_new(o, "boot_vga", d->boot_vga < 0 ? json_null() : json_boolean(d->boot_vga));
	if (d->bootfb)
		json_object_set_new(o, "bootfb", json_true());
	json_object_set_new(o, "reset_methods", strv_json(&d->reset_methods));
	json_object_set_new(o, "net", strv_json(&d->net));
	json_object_set_new(o, "block", strv_json(&d->block));
	return o;
}
