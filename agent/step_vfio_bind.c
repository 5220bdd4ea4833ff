/* vfio_bind: give the selected devices to vfio-pci at boot: by ID with
 * `options vfio-pci ids=`, or by address with driver_override when a host
 * device shares the ID (domain.md §2). */
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "fileops.h"
#include "pci.h"
#include "protocol.h"
#include "steps.h"

/* orch owns vfio-pci's ids and disable_vga wherever they are written: a
 * line of another file that sets them otherwise is disabled (claim.h). */
static int claim_vfio_pci(struct agent *ag, struct result *r, const struct strv *ids, bool disable_vga,
                          const char *modprobe)
{
	const struct claim cl[] = {
		{ .module = "vfio-pci", .param = "ids", .kind = CLAIM_ID_SET, .want_ids = ids,
		  .why = ids->n ? "vfio-pci ids= is set in " ORCH_MODPROBE_VFIO
		                : "orch binds no device by ID: vfio-pci ids= would claim devices nobody chose" },
		{ .module = "vfio-pci", .param = "disable_vga", .kind = CLAIM_BOOL, .want_bool = disable_vga,
		  .why = disable_vga ? "vfio-pci disable_vga= is set in " ORCH_MODPROBE_VFIO
		                     : "orch decided vfio-pci disable_vga=0" },
	};
	const struct mp_override ov = { ORCH_MODPROBE_VFIO, modprobe };

	return claim_enforce(ag, r, cl, 2, &ov, 1);
}

int step_vfio_bind(struct agent *ag, const struct step *st, struct result *r)
{
	const char *dv = arg_choice(st, "disable_vga", "auto");
	struct strv ids = { 0 };
	struct sb opts, rules, m;
	bool vga = false, disable_vga;
	char *modprobe = NULL, *udev = NULL;
	int a, b;

	sb_init(&opts);
	sb_init(&rules);
	sb_init(&m);
	for (size_t i = 0; i < ag->nsel; i++) {
		const struct pci_device *d = ag->sel[i].dev;
		if (pci_is_vga(d))
			vga = true;
		if (ag->sel[i].by_address) {
			sb_addf(&rules, "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", "
			                "ATTR{driver_override}=\"vfio-pci\"\n", d->addr);
			sb_addf(&m, "%s%s", m.len ? ", " : "", d->addr);
		} else {
			char id[16];
			snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
			if (!strv_has(&ids, id))
				strv_push(&ids, id);
		}
	}
	/* disable_vga=1 is for VGA-class devices used with OVMF */
	disable_vga = strcmp(dv, "yes") == 0 || (strcmp(dv, "auto") == 0 && vga);
	if (ids.n || disable_vga) {
		sb_adds(&opts, "# Written by orch: bind the selected devices to vfio-pci at boot.\n"
		               "options vfio-pci");
		for (size_t i = 0; i < ids.n; i++)
			sb_addf(&opts, "%s%s", i ? "," : " ids=", ids.v[i]);
		if (disable_vga)
			sb_adds(&opts, " disable_vga=1");
		sb_adds(&opts, "\n");
		modprobe = opts.s;
	}
	if (rules.len) {
		udev = xasprintf("# Written by orch: these devices share their ID with a device the host keeps,\n"
		                 "# so vfio-pci gets them by address.\n%s", rules.s);
	}
	a = node_ensure(ag, r, ORCH_MODPROBE_VFIO, modprobe, NEED_INITRAMFS);
	b = a < 0 ? -1 : node_ensure(ag, r, ORCH_UDEV_RULES, udev, NEED_INITRAMFS);
	if (a > 0 || b > 0) {
		result_set(r, ST_CHANGED);
		r->reboot_needed = true;
	}
	if (a >= 0 && b >= 0 && claim_vfio_pci(ag, r, &ids, disable_vga, modprobe) < 0)
		a = -1;
	if (a >= 0 && b >= 0) {
		if (ids.n) {
			char *j = NULL;
			struct sb s;
			sb_init(&s);
			for (size_t i = 0; i < ids.n; i++)
				sb_addf(&s, "%s%s", i ? "," : "", ids.v[i]);
			j = sb_detach(&s);
			sb_release(&s);
			result_msg(r, "vfio-pci ids=%s", j);
			free(j);
		}
		if (m.len)
			result_msg(r, "by address (driver_override): %s", m.s);
		if (disable_vga)
			result_msg(r, "disable_vga=1");
	}
	free(udev);
	sb_release(&opts);
	sb_release(&rules);
	sb_release(&m);
	strv_release(&ids);
	return a < 0 || b < 0 ? -1 : 0;
}
