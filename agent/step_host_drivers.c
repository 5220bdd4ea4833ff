/* host_drivers: keep the host's drivers off the selected devices. softdep
 * makes vfio-pci load first; a driver is blacklisted only when no device
 * the host keeps needs it (blacklisting amdgpu would kill the host's own AMD
 * GPU; docs/agent.md "Where each setting goes"). */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "fileops.h"
#include "protocol.h"
#include "steps.h"

static char *module_norm(const char *s)
{
	char *m = xstrdup(s);
	for (char *p = m; *p; p++)
		if (*p == '-')
			*p = '_';
	return m;
}

static bool is_vfio(const char *m)
{
	return starts_with(m, "vfio") || strcmp(m, "pci_stub") == 0;
}

/* modules.alias of the kernel that boots next: "alias <pattern> <module>". */
struct aliases {
	char *buf;
	struct strv pat, mod;
};

static void aliases_load(struct agent *ag, struct aliases *al)
{
	char *p = node_pathf(ag, "/lib/modules/%s/modules.alias", ag->facts.kernel_target), *save = NULL;

	memset(al, 0, sizeof(*al));
	if (read_file(p, 64 << 20, &al->buf, NULL) == 0) {
		for (char *line = strtok_r(al->buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char pat[512], mod[128];
			if (sscanf(line, "alias %511s %127s", pat, mod) == 2 && starts_with(pat, "pci:")) {
				strv_push(&al->pat, pat);
				strv_push_own(&al->mod, module_norm(mod));
			}
		}
	}
	free(p);
}

static void aliases_release(struct aliases *al)
{
	free(al->buf);
	strv_release(&al->pat);
	strv_release(&al->mod);
}

/* The host modules that would drive a device: the one bound now, and those
 * whose aliases match it (what loads at boot, and what a device already on
 * vfio-pci was driven by). */
static void device_modules(const struct aliases *al, const struct pci_device *d, struct strv *out)
{
	if (d->module) {
		char *m = module_norm(d->module);
		if (!is_vfio(m) && !strv_has(out, m))
			strv_push(out, m);
		free(m);
	}
	for (size_t i = 0; d->modalias && i < al->pat.n; i++)
		if (!is_vfio(al->mod.v[i]) && fnmatch(al->pat.v[i], d->modalias, 0) == 0 && !strv_has(out, al->mod.v[i]))
			strv_push(out, al->mod.v[i]);
}

static bool is_selected(const struct agent *ag, const struct pci_device *d)
{
	for (size_t i = 0; i < ag->nsel; i++)
		if (ag->sel[i].dev == d)
			return true;
	return false;
}

/* A device the host keeps that needs module `m`, or NULL. */
static const struct pci_device *host_user(const struct agent *ag, const struct aliases *al, const char *m)
{
	for (size_t i = 0; i < ag->facts.ndevs; i++) {
		const struct pci_device *d = &ag->facts.devs[i];
		struct strv mods = { 0 };
		bool uses;
		if (is_selected(ag, d))
			continue;
		device_modules(al, d, &mods);
		uses = strv_has(&mods, m);
		strv_release(&mods);
		if (uses)
			return d;
	}
	return NULL;
}

/* NVIDIA's proprietary stack is several modules that load together. */
static void add_family(struct strv *l, const char *m)
{
	static const char *const nvidia[] = { "nvidia", "nvidia_drm", "nvidia_modeset", "nvidia_uvm" };
	if (strcmp(m, "nvidia") == 0) {
		for (size_t i = 0; i < 4; i++)
			if (!strv_has(l, nvidia[i]))
				strv_push(l, nvidia[i]);
	} else if (!strv_has(l, m)) {
		strv_push(l, m);
	}
}

/* The admin's other lines about these drivers. A softdep of a driver orch
 * softdeps that does not load vfio-pci first contradicts orch (kmod uses
 * the first softdep that matches): it is disabled, its own dependencies
 * kept behind vfio-pci on the line under it. A blacklist of a driver a
 * device the host keeps needs is the admin's (and breaks that device): it
 * is reported, not changed. */
static int claim_host_drivers(struct agent *ag, struct result *r, const struct aliases *al, const struct strv *soft,
                              const char *content)
{
	const struct mp_override ov = { ORCH_MODPROBE_HOST_DRIVERS, content };
	struct modprobe_config c;
	struct mp_disable *dis = NULL;
	struct strv repl = { 0 };
	size_t ndis = 0;
	int ret;

	claim_load(ag, &c, &ov, 1);
	for (size_t i = 0; i < c.n; i++) {
		const struct mp_entry *e = &c.e[i];
		if (e->file != MP_CMDLINE && claim_orch_file(c.files[e->file].path))
			continue;
		if (e->cmd == MP_BLACKLIST) {
			const struct pci_device *u = host_user(ag, al, e->module);
			if (u) {
				char *w = modprobe_where(&c, e);
				result_msg(r, "finding: 'blacklist %s' at %s keeps %s from %s, which stays with the host "
				              "(left as it is)", e->spelled, w, e->module, u->addr);
				free(w);
			}
		} else if (e->cmd == MP_SOFTDEP && !modprobe_softdep_pre_has(e, "vfio_pci")) {
			bool ours = false;
			for (size_t k = 0; k < soft->n; k++)
				ours = ours || fnmatch(e->module, soft->v[k], 0) == 0;
			if (!ours || e->file == MP_CMDLINE)
				continue;
			dis = xrealloc(dis, (ndis + 1) * sizeof(*dis));
			/* kmod reads any number of pre:/post: groups; one reads better */
			strv_push_own(&repl, starts_with(e->args, "pre: ")
			                             ? xasprintf("softdep %s pre: vfio-pci %s", e->spelled, e->args + 5)
			                             : xasprintf("softdep %s pre: vfio-pci %s", e->spelled, e->args));
			dis[ndis++] = (struct mp_disable){ .e = e, .why = "softdep " ORCH_MODPROBE_HOST_DRIVERS
			                                                 " loads vfio-pci first" };
		}
	}
	for (size_t i = 0; i < ndis; i++)
		dis[i].replacement = repl.v[i];
	ret = claim_disable(ag, r, &c, dis, ndis);
	free(dis);
	strv_release(&repl);
	modprobe_release(&c);
	return ret;
}

int step_host_drivers(struct agent *ag, const struct step *st, struct result *r)
{
	const char *mode = arg_choice(st, "mode", "auto");
	struct aliases al;
	struct strv soft = { 0 }, black = { 0 }, kept = { 0 }, builtin = { 0 };
	struct sb content, m;
	int ret = 0;

	aliases_load(ag, &al);
	sb_init(&content);
	sb_init(&m);
	if (strcmp(mode, "list") == 0) {
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(st->args, "drivers"), i, item) {
			char *mod = module_norm(json_string_value(item));
			const struct pci_device *u = host_user(ag, &al, mod);
			if (u)
				ret = result_fail(r, "driver '%s' is needed by %s, which stays with the host; not "
				                     "blacklisting it", mod, u->addr);
			add_family(&soft, mod);
			add_family(&black, mod);
			free(mod);
		}
	} else if (strcmp(mode, "auto") == 0) {
		for (size_t i = 0; i < ag->nsel; i++) {
			struct strv mods = { 0 };
			char *bi = module_norm(ag->sel[i].builtin);
			device_modules(&al, ag->sel[i].dev, &mods);
			/* softdep and blacklist do nothing to a built-in driver: the
			 * device is bound by address instead (vfio_bind) */
			for (size_t k = 0; k < mods.n; k++)
				if (strcmp(mods.v[k], bi) != 0 && !strv_has(&soft, mods.v[k]))
					strv_push(&soft, mods.v[k]);
			if (bi[0] && !strv_has(&builtin, bi))
				strv_push(&builtin, bi);
			free(bi);
			strv_release(&mods);
		}
		for (size_t i = 0; i < soft.n; i++) {
			const struct pci_device *u = host_user(ag, &al, soft.v[i]);
			if (u)
				strv_push_own(&kept, xasprintf("%s (%s needs it)", soft.v[i], u->addr));
			else
				add_family(&black, soft.v[i]);
		}
	}
	if (ret < 0)
		goto out;
	if (soft.n || black.n) {
		sb_adds(&content, "# Written by orch: vfio-pci first, and the host drivers of the passed-through\n"
		                  "# devices kept off them.\n");
		for (size_t i = 0; i < soft.n; i++)
			sb_addf(&content, "softdep %s pre: vfio-pci\n", soft.v[i]);
		for (size_t i = 0; i < black.n; i++)
			sb_addf(&content, "blacklist %s\n", black.v[i]);
	}
	ret = node_ensure(ag, r, ORCH_MODPROBE_HOST_DRIVERS, content.len ? content.s : NULL, NEED_INITRAMFS);
	if (ret < 0)
		goto out;
	if (ret > 0) {
		result_set(r, ORCH_CHANGED);
		r->reboot_needed = true;
	}
	for (size_t i = 0; i < soft.n; i++)
		sb_addf(&m, "%s%s", i ? ", " : "softdep ", soft.v[i]);
	for (size_t i = 0; i < black.n; i++)
		sb_addf(&m, "%s%s", i ? ", " : "; blacklist ", black.v[i]);
	for (size_t i = 0; i < kept.n; i++)
		sb_addf(&m, "%s%s", i ? ", " : "; not blacklisted: ", kept.v[i]);
	for (size_t i = 0; i < builtin.n; i++)
		sb_addf(&m, "%s%s", i ? ", " : m.len ? "; built in (bound by address instead): "
		                                      : "built in (bound by address instead): ", builtin.v[i]);
	result_msg(r, "%s", m.len ? m.s : strcmp(mode, "none") == 0 ? "host drivers left alone (host_drivers=none)"
	                                                            : "the selected devices have no host driver");
	ret = claim_host_drivers(ag, r, &al, &soft, content.len ? content.s : NULL) < 0 ? -1 : 0;
out:
	aliases_release(&al);
	sb_release(&content);
	sb_release(&m);
	strv_release(&soft);
	strv_release(&black);
	strv_release(&kept);
	strv_release(&builtin);
	return ret;
}
