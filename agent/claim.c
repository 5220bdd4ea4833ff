#include "claim.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "fileops.h"
#include "protocol.h"

static const char *const orch_files[] = {
	ORCH_MODPROBE_VFIO, ORCH_MODPROBE_HOST_DRIVERS, ORCH_MODPROBE_UNSAFE_IRQ, ORCH_MODPROBE_KVM, NULL,
};

bool claim_orch_file(const char *path)
{
	for (size_t i = 0; orch_files[i]; i++)
		if (strcmp(orch_files[i], path) == 0)
			return true;
	return false;
}

static void id_set(const char *v, struct strv *out)
{
	char *copy = xstrdup(v ? v : ""), *save = NULL;
	for (char *p = copy; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (*t && !strv_has(out, t))
			strv_push(out, t);
	free(copy);
}

/* Whether value `v` of a claimed parameter agrees with orch's decision. */
static bool claim_agrees(const struct claim *cl, const char *v)
{
	if (cl->kind == CLAIM_BOOL)
		return mp_bool(v) == cl->want_bool;
	/* vfio-pci claims every device whose ID is listed: the same set, in
	 * any order, is the same decision */
	struct strv got = { 0 }, want = { 0 };
	bool same;
	id_set(v, &got);
	for (size_t i = 0; i < cl->want_ids->n; i++)
		id_set(cl->want_ids->v[i], &want);
	same = got.n == want.n;
	for (size_t i = 0; same && i < got.n; i++)
		same = strv_has(&want, got.v[i]);
	strv_release(&got);
	strv_release(&want);
	return same;
}

void claim_load(struct agent *ag, struct modprobe_config *c, const struct mp_override *ov, size_t nov)
{
	modprobe_load(c, ag->root, ag->facts.cmdline_configured, ov, nov);
}

/* Where the configured command line carries `tok`: the file and line. */
static char *cmdline_where(struct agent *ag, const char *tok)
{
	struct strv files = { 0 };
	char *found = NULL;

	if (ag->facts.loader == LOADER_SYSTEMD_BOOT) {
		strv_push(&files, "/etc/kernel/cmdline");
	} else {
		char *dir = node_path(ag, "/etc/default/grub.d");
		DIR *d = opendir(dir);
		struct dirent *e;
		strv_push(&files, "/etc/default/grub");
		while (d && (e = readdir(d)))
			if (strlen(e->d_name) > 4 && strcmp(e->d_name + strlen(e->d_name) - 4, ".cfg") == 0)
				strv_push_own(&files, xasprintf("/etc/default/grub.d/%s", e->d_name));
		if (d)
			closedir(d);
		free(dir);
	}
	for (size_t i = 0; !found && i < files.n; i++) {
		char *p = node_path(ag, files.v[i]), *buf = NULL;
		unsigned line = 1;
		if (read_file(p, 1 << 20, &buf, NULL) == 0) {
			for (char *l = buf; l && *l && !found; line++) {
				char *nl = strchr(l, '\n');
				if (nl)
					*nl = '\0';
				if (strstr(l, tok))
					found = xasprintf("%s:%u", files.v[i], line);
				l = nl ? nl + 1 : NULL;
			}
		}
		free(buf);
		free(p);
	}
	strv_release(&files);
	return found ? found : xstrdup("the configured kernel command line");
}

/* The directories an admin edits and that survive a reboot and a package
 * upgrade; lines elsewhere are disabled in a same-named /etc copy. */
static bool editable(const char *path)
{
	return starts_with(path, "/etc/modprobe.d/") || starts_with(path, "/usr/local/lib/modprobe.d/");
}

/* What orch keeps of a disabled options line: the parameters it does not
 * claim, on a line of their own, or NULL when none is left. */
static char *kept_params(const struct mp_entry *e, const struct claim *cl, size_t ncl)
{
	struct mp_param *p;
	size_t n = mp_params(e->args, &p);
	struct sb out;
	bool any = false;

	sb_init(&out);
	sb_addf(&out, "options %s", e->spelled);
	for (size_t i = 0; i < n; i++) {
		bool claimed = false;
		for (size_t k = 0; k < ncl; k++) {
			char *m = modprobe_norm(xstrdup(cl[k].module)), *pn = modprobe_norm(xstrdup(cl[k].param));
			claimed = claimed || (strcmp(m, e->module) == 0 && strcmp(pn, p[i].name) == 0);
			free(m);
			free(pn);
		}
		if (!claimed) {
			sb_addf(&out, " %s", p[i].raw);
			any = true;
		}
	}
	mp_params_release(p, n);
	if (!any) {
		sb_release(&out);
		return NULL;
	}
	return sb_detach(&out);
}

int claim_disable(struct agent *ag, struct result *r, const struct modprobe_config *c, const struct mp_disable *dis,
                  size_t ndis)
{
	int changed = 0;

	for (size_t f = 0; f < c->nfiles && changed >= 0; f++) {
		struct sb lines;
		bool any = false;
		sb_init(&lines);
		for (size_t i = 0; i < ndis; i++)
			if (dis[i].e->file == f) {
				char *w = modprobe_where(c, dis[i].e);
				static const char *const cmd[] = { "alias", "blacklist", "options", "install", "remove",
				                                   "softdep", "weakdep" };
				sb_addf(&lines, "%s%s (%s %s%s%s)", any ? ", " : "", w, cmd[dis[i].e->cmd], dis[i].e->spelled,
				        dis[i].e->args[0] ? " " : "", dis[i].e->args);
				free(w);
				any = true;
			}
		if (any) {
			const char *path = c->files[f].path;
			char *text = modprobe_disable(c, f, dis, ndis), *target = NULL, *content = text;
			int ret;
			if (!editable(path)) {
				target = xasprintf("/etc/modprobe.d/%s", strrchr(path, '/') + 1);
				content = xasprintf("# Copied by orch from %s: this file's name hides that one, which is\n"
				                    "# not the admin's to edit; a line contradicting orch is disabled below.\n%s",
				                    path, text);
			}
			ret = node_ensure(ag, r, target ? target : path, content, NEED_INITRAMFS);
			if (ret < 0) {
				changed = -1;
			} else if (ret > 0) {
				changed = 1;
				result_set(r, ORCH_CHANGED);
				r->reboot_needed = true;
				result_msg(r, "disabled %s%s%s", lines.s, target ? " in its copy " : "", target ? target : "");
			}
			if (content != text)
				free(content);
			free(text);
			free(target);
		}
		sb_release(&lines);
	}
	return changed;
}

int claim_enforce(struct agent *ag, struct result *r, const struct claim *cl, size_t ncl,
                  const struct mp_override *ov, size_t nov)
{
	struct modprobe_config c;
	struct mp_disable *dis = NULL;
	struct strv why = { 0 }, repl = { 0 };
	size_t ndis = 0;
	int changed = 0;

	claim_load(ag, &c, ov, nov);
	for (size_t i = 0; i < c.n; i++) {
		struct mp_entry *e = &c.e[i];
		struct sb note;
		if (e->cmd != MP_OPTIONS || (e->file != MP_CMDLINE && claim_orch_file(c.files[e->file].path)))
			continue;
		sb_init(&note);
		for (size_t k = 0; k < ncl; k++) {
			char *m = modprobe_norm(xstrdup(cl[k].module)), *v = NULL;
			if (strcmp(m, e->module) == 0 && modprobe_entry_param(e, cl[k].param, &v) &&
			    !claim_agrees(&cl[k], v)) {
				if (e->file == MP_CMDLINE) {
					char *tok = xasprintf("%s.%s=", e->spelled, cl[k].param);
					char *where = cmdline_where(ag, tok);
					result_msg(r, "%s.%s=%s on the kernel command line (%s) wins over every file and "
					              "contradicts orch (%s): remove it", e->spelled, cl[k].param, v, where,
					           cl[k].why);
					free(where);
					free(tok);
				} else {
					sb_addf(&note, "%s%s", note.len ? "; " : "", cl[k].why);
				}
			}
			free(v);
			free(m);
		}
		if (note.len) {
			dis = xrealloc(dis, (ndis + 1) * sizeof(*dis));
			strv_push(&why, note.s);
			char *k = kept_params(e, cl, ncl);
			strv_push_own(&repl, k ? k : xstrdup(""));
			dis[ndis++] = (struct mp_disable){ .e = e };
		}
		sb_release(&note);
	}
	for (size_t i = 0; i < ndis; i++) {
		dis[i].why = why.v[i];
		dis[i].replacement = repl.v[i][0] ? repl.v[i] : NULL;
	}
	changed = claim_disable(ag, r, &c, dis, ndis);
	free(dis);
	strv_release(&why);
	strv_release(&repl);
	modprobe_release(&c);
	return changed;
}

json_t *claim_facts(struct agent *ag)
{
	static const char *const owned[][2] = {
		{ "vfio_pci", "ids" }, { "vfio_pci", "disable_vga" },
		{ "vfio_iommu_type1", "allow_unsafe_interrupts" }, { "kvm", "ignore_msrs" },
	};
	struct modprobe_config c;
	json_t *files = json_array(), *settings = json_object();

	claim_load(ag, &c, NULL, 0);
	for (size_t i = 0; i < c.nfiles; i++)
		json_array_append_new(files, json_string(c.files[i].path));
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		const struct mp_entry *e;
		char *v = modprobe_param(&c, owned[i][0], owned[i][1], &e), *key;
		if (!v)
			continue;
		char *w = modprobe_where(&c, e);
		key = xasprintf("%s.%s", owned[i][0], owned[i][1]);
		json_object_set_new(settings, key, json_pack("{s:s, s:s}", "value", v, "from", w));
		free(key);
		free(w);
		free(v);
	}
	json_t *o = json_pack("{s:o, s:o, s:o}", "files", files, "hidden", strv_json(&c.hidden), "settings", settings);
	modprobe_release(&c);
	return o;
}
