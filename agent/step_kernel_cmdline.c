/* kernel_cmdline: the IOMMU options on the kernel command line, where the
 * node's boot loader reads them (docs/agent.md "The
 * kernel command line"). Options are merged into what the admin wrote,
 * never put in place of it: intel_iommu=on,igfx_off keeps igfx_off, and
 * initcall_blacklist= keeps the admin's entries. */
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "esp.h"
#include "facts.h"
#include "fileops.h"
#include "protocol.h"
#include "steps.h"

#define SYSTEMD_BOOT_CMDLINE "/etc/kernel/cmdline"

/* One option of a comma-list parameter: intel_iommu=on is {"intel_iommu", "on"};
 * `why` says why a defeating one goes (NULL: it turns the IOMMU off). */
struct opt {
	const char *key, *opt;
	const char *why;
};

#define DEFEAT_MAX 32

/* What orch may add; anything else on the line is the admin's. */
static const struct opt managed[] = {
	{ "intel_iommu", "on", NULL },
	{ "iommu", "pt", NULL },
	{ "initcall_blacklist", "sysfb_init", NULL },
};

/* What the step wants of the line, whichever file carries it. */
struct cmdline_plan {
	struct opt want[3];
	size_t nwant;
	struct opt defeat[DEFEAT_MAX]; /* options that defeat orch's decision: taken out wherever they are */
	size_t ndefeat;
	struct strv notes;      /* what the message reports beside the change */
	struct strv owned;      /* strings the defeat entries point into */
	char *final;            /* the line the next boot gets, once edited */
};

static void plan_release(struct cmdline_plan *pl)
{
	strv_release(&pl->notes);
	strv_release(&pl->owned);
	free(pl->final);
}

static bool opt_in(const struct opt *list, size_t n, const struct opt *o)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].key, o->key) == 0 && strcmp(list[i].opt, o->opt) == 0)
			return true;
	return false;
}

static void note(struct cmdline_plan *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct cmdline_plan *pl, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0) {
		if (!strv_has(&pl->notes, s))
			strv_push(&pl->notes, s);
		free(s);
	}
	va_end(ap);
}

static bool uses_vtd(const struct agent *ag)
{
	return ag->facts.cpu == CPU_INTEL || ag->facts.cpu == CPU_ZHAOXIN;
}

#define VFIO_IDS_WHY "vfio-pci ids= on the command line is applied after every modprobe file and would " \
	"replace orch's (" ORCH_MODPROBE_VFIO ")"

/* orch owns vfio-pci's ids wherever they are written (docs/agent.md,
 * "modprobe: the effective configuration"): kmod applies module options of
 * the command line after every file, so a vfio-pci.ids= there whose set is
 * not the one orch binds by ID wins over orch's file. Such a token goes
 * whole: each of its IDs is a defeating option. One with the same set
 * agrees and stays. */
static void defeat_vfio_pci_ids(struct agent *ag, struct cmdline_plan *pl)
{
	static const char *const keys[] = { "vfio-pci.ids", "vfio_pci.ids" };
	const struct facts *f = &ag->facts;
	const char *lines[] = { f->cmdline_kernel, f->cmdline_grub, f->cmdline_configured };
	struct strv want = { 0 };

	for (size_t i = 0; i < ag->nsel; i++) {
		char id[16];
		if (ag->sel[i].by_address)
			continue;
		snprintf(id, sizeof(id), "%04x:%04x", ag->sel[i].dev->vendor, ag->sel[i].dev->device);
		if (!strv_has(&want, id))
			strv_push(&want, id);
	}
	for (size_t l = 0; l < sizeof(lines) / sizeof(lines[0]); l++) {
		struct strv toks = { 0 };
		cmdline_split(lines[l] ? lines[l] : "", &toks);
		for (size_t t = 0; t < toks.n; t++) {
			for (size_t k = 0; k < 2; k++) {
				size_t kl = strlen(keys[k]);
				if (strncmp(toks.v[t], keys[k], kl) != 0 || toks.v[t][kl] != '=')
					continue;
				struct strv have = { 0 };
				bool same = true;
				for (char *s = toks.v[t] + kl + 1; *s;) {
					size_t n = strcspn(s, ",");
					if (n) {
						char *id = xstrndup(s, n);
						for (char *c = id; *c; c++)
							*c = (char)tolower((unsigned char)*c);
						if (!strv_has(&have, id))
							strv_push_own(&have, id);
						else
							free(id);
					}
					s += n + (s[n] == ',');
				}
				for (size_t i = 0; same && i < have.n; i++)
					same = strv_has(&want, have.v[i]);
				for (size_t i = 0; same && i < want.n; i++)
					same = strv_has(&have, want.v[i]);
				for (size_t i = 0; !same && i < have.n && pl->ndefeat < DEFEAT_MAX; i++) {
					struct opt o = { keys[k], NULL, VFIO_IDS_WHY };
					for (size_t j = 0; j < pl->owned.n; j++)
						if (strcmp(pl->owned.v[j], have.v[i]) == 0)
							o.opt = pl->owned.v[j];
					if (!o.opt) {
						strv_push(&pl->owned, have.v[i]);
						o.opt = pl->owned.v[pl->owned.n - 1];
					}
					if (!opt_in(pl->defeat, pl->ndefeat, &o))
						pl->defeat[pl->ndefeat++] = o;
				}
				strv_release(&have);
			}
		}
		strv_release(&toks);
	}
	strv_release(&want);
}

/* intel_iommu=on is needed where a kernel that boots lacks VT-d by default:
 * the next one, the one after a one-boot pin, or, when the pin or
 * GRUB_DEFAULT names no installed kernel, any installed one. */
static bool needs_intel_iommu_on(struct agent *ag)
{
	const struct facts *f = &ag->facts;

	if (!uses_vtd(ag))
		return false;
	if (!f->intel_iommu_default_on)
		return true;
	if (f->kernel_after && !kernel_vtd_default_on(ag, f->kernel_after))
		return true;
	return f->kernel_target_unresolved && f->kernels_vtd_off.n;
}

static void make_plan(struct agent *ag, const struct step *st, struct cmdline_plan *pl)
{
	const struct facts *f = &ag->facts;
	const char *fb = arg_choice(st, "framebuffer", "auto");
	bool fb_in_bar = false;

	/* amd_iommu=on is not a valid value: AMD's IOMMU is on by default */
	if (needs_intel_iommu_on(ag))
		pl->want[pl->nwant++] = managed[0];
	if (arg_bool(st, "iommu_pt", false))
		pl->want[pl->nwant++] = managed[1];
	for (size_t i = 0; i < ag->nsel; i++)
		if (ag->sel[i].dev->bootfb)
			fb_in_bar = true;
	/* since 6.0 vfio-pci takes the firmware framebuffer off a VGA device it binds */
	if (strcmp(fb, "yes") == 0 || (strcmp(fb, "auto") == 0 && fb_in_bar && kver_num(f->kernel_target) < 600))
		pl->want[pl->nwant++] = managed[2];

	/* iommu=off turns off every IOMMU (arch/x86/kernel/pci-dma.c, no_iommu) */
	pl->defeat[pl->ndefeat++] = (struct opt){ "iommu", "off", NULL };
	if (uses_vtd(ag))
		pl->defeat[pl->ndefeat++] = (struct opt){ "intel_iommu", "off", NULL };
	if (f->cpu == CPU_AMD)
		pl->defeat[pl->ndefeat++] = (struct opt){ "amd_iommu", "off", NULL };

	defeat_vfio_pci_ids(ag, pl);

	if (f->kernel_target_unresolved)
		note(pl, "%s: deciding for every installed kernel", f->kernel_target_unresolved);
	if (f->kernel_after)
		note(pl, "kernel %s boots once (" NEXT_BOOT_PIN "), then %s", f->kernel_target, f->kernel_after);
}

/* Findings on the final line: kernels that would still boot without an
 * IOMMU, and a hand-written amd_iommu=on that does nothing. */
static void final_notes(struct agent *ag, struct cmdline_plan *pl, const char *where_amd_on)
{
	const struct facts *f = &ag->facts;
	struct strv toks = { 0 };

	cmdline_split(pl->final ? pl->final : "", &toks);
	if (uses_vtd(ag) && !cmdline_gives(&toks, "intel_iommu", "on") && f->kernels_vtd_off.n) {
		char *l = cmdline_join(&f->kernels_vtd_off);
		note(pl, "installed kernels that would boot without an IOMMU if chosen instead of %s: %s",
		     f->kernel_target, l);
		free(l);
	}
	if (cmdline_lists(&toks, "amd_iommu", "on"))
		note(pl, "amd_iommu=on (%s) has no effect: 'on' is not an amd_iommu option (AMD's IOMMU is on by "
		         "default); left as it is", where_amd_on);
	strv_release(&toks);
}

/* Backup of the original /etc/kernel/cmdline: the tokens there are the
 * admin's, anything orch manages that is not there is orch's. */
static void original_tokens(struct agent *ag, const char *path, struct strv *out, const struct strv *now)
{
	char *p = node_pathf(ag, ORCH_BACKUP_DIR "/files%s", path), *buf = NULL;

	if (read_file(p, 1 << 20, &buf, NULL) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		cmdline_split(buf, out);
	} else {
		for (size_t i = 0; i < now->n; i++)
			strv_push(out, now->v[i]);
	}
	free(buf);
	free(p);
}

/* systemd-boot: the first line of /etc/kernel/cmdline, edited in place. */
static int edit_kernel_cmdline_file(struct agent *ag, struct result *r, struct cmdline_plan *pl, const char *path)
{
	char *old = NULL, *line, *rest, *content;
	struct strv toks = { 0 }, orig = { 0 };
	int have, ret;

	have = node_read(ag, r, path, &old);
	if (have <= 0) {
		if (have == 0)
			result_fail(r, "systemd-boot node without %s", path);
		return -1;
	}
	rest = strchr(old, '\n');
	line = rest ? xstrndup(old, (size_t)(rest - old)) : xstrdup(old);
	rest = rest ? rest + 1 : "";
	if (!cmdline_balanced(line)) {
		ret = result_fail(r, "the first line of %s has an unbalanced '\"'; an option added after it would "
		                     "land inside the quotes", path);
		goto out;
	}
	cmdline_split(line, &toks);
	bool has_root = false;
	for (size_t i = 0; i < toks.n; i++)
		if (starts_with(toks.v[i], "root="))
			has_root = true;
	if (!has_root) {
		ret = result_fail(r, "the first line of %s has no root=; proxmox-boot-tool refresh would fail, fix it "
		                     "first", path);
		goto out;
	}
	original_tokens(ag, path, &orig, &toks);
	for (size_t i = 0; i < pl->ndefeat; i++)
		if (cmdline_remove_opt(&toks, pl->defeat[i].key, pl->defeat[i].opt))
			note(pl, "removed '%s=%s' from %s:1: %s", pl->defeat[i].key, pl->defeat[i].opt, path,
			     pl->defeat[i].why ? pl->defeat[i].why : "it turns the IOMMU off");
	for (size_t i = 0; i < sizeof(managed) / sizeof(managed[0]); i++) {
		const struct opt *m = &managed[i];
		if (!opt_in(pl->want, pl->nwant, m) && cmdline_lists(&toks, m->key, m->opt) &&
		    !cmdline_lists(&orig, m->key, m->opt)) {
			cmdline_remove_opt(&toks, m->key, m->opt);
			note(pl, "removed '%s=%s' that orch had added and no longer needs", m->key, m->opt);
		}
	}
	for (size_t i = 0; i < pl->nwant; i++)
		cmdline_add_opt(&toks, pl->want[i].key, pl->want[i].opt);
	free(pl->final);
	pl->final = cmdline_join(&toks);
	content = xasprintf("%s\n%s", pl->final, rest);
	ret = node_ensure(ag, r, path, content, NEED_BOOT);
	free(content);
	char *where = xasprintf("%s:1", path);
	final_notes(ag, pl, where);
	free(where);
out:
	strv_release(&toks);
	strv_release(&orig);
	free(line);
	free(old);
	return ret;
}

/* ------------------------------------------------------------------ GRUB */

/* The admin's GRUB defaults files in update-grub's order (orch's drop-in aside). */
static void grub_admin_files(struct agent *ag, struct strv *out)
{
	char *dir = node_path(ag, "/etc/default/grub.d");
	struct strv names = { 0 };
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 4 && strcmp(e->d_name + n - 4, ".cfg") == 0)
			strv_push_own(&names, xasprintf("/etc/default/grub.d/%s", e->d_name));
	}
	if (d)
		closedir(d);
	free(dir);
	strv_sort(&names);
	strv_push(out, "/etc/default/grub");
	for (size_t i = 0; i < names.n; i++)
		if (strcmp(names.v[i], ORCH_GRUB_DROPIN) != 0)
			strv_push(out, names.v[i]);
	strv_release(&names);
}

/* Edits of the admin's files, as they would be left. */
struct grub_edits {
	struct grub_override *ov;   /* path and content owned */
	size_t n;
	struct strv unsafe;         /* "file:line" of assignments whose value orch cannot edit */
};

static void edits_release(struct grub_edits *ed)
{
	for (size_t i = 0; i < ed->n; i++) {
		free((char *)ed->ov[i].path);
		free((char *)ed->ov[i].content);
	}
	free(ed->ov);
	strv_release(&ed->unsafe);
}

/* Whether the line assigns GRUB_CMDLINE_LINUX or GRUB_CMDLINE_LINUX_DEFAULT;
 * *value points after its '='. */
static bool cmdline_assignment(const char *line, const char **value)
{
	const char *s = line + strspn(line, " \t");

	if (starts_with(s, "export") && (s[6] == ' ' || s[6] == '\t'))
		s += 6 + strspn(s + 6, " \t");
	if (!starts_with(s, "GRUB_CMDLINE_LINUX"))
		return false;
	s += strlen("GRUB_CMDLINE_LINUX");
	if (starts_with(s, "_DEFAULT"))
		s += strlen("_DEFAULT");
	if (*s != '=')
		return false;
	*value = s + 1;
	return true;
}

/* A word that expands to itself: the value's own variable, or plain text. */
static bool self_reference(const char *w, size_t n)
{
	static const char *const ok[] = { "$GRUB_CMDLINE_LINUX", "${GRUB_CMDLINE_LINUX}", "$GRUB_CMDLINE_LINUX_DEFAULT",
	                                   "${GRUB_CMDLINE_LINUX_DEFAULT}" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strlen(ok[i]) == n && strncmp(w, ok[i], n) == 0)
			return true;
	return false;
}

/* Takes key's `opt` out of the literal words of one assignment line;
 * returns the new line or NULL when it has none. A word with an expansion
 * is not touched: its file:line is noted in ed->unsafe. */
static char *edit_assignment(const char *line, const char *where, const struct opt *o, struct grub_edits *ed)
{
	const char *value;
	char *cur = xstrdup(line);
	bool changed = false;

	if (!cmdline_assignment(line, &value)) {
		free(cur);
		return NULL;
	}
	size_t vstart = (size_t)(value - line);
	for (bool again = true; again;) {
		again = false;
		size_t i = vstart;
		char quote = 0;
		while (cur[i]) {
			char ch = cur[i];
			if (!quote && (ch == ';' || ch == '#' || ch == '\n'))
				break;
			if (ch == '"' || ch == '\'') {
				if (!quote)
					quote = ch;
				else if (quote == ch)
					quote = 0;
				i++;
				continue;
			}
			if (ch == ' ' || ch == '\t') {
				if (!quote)
					break;   /* the end of the assignment's word */
				i++;
				continue;
			}
			size_t ws = i;
			while (cur[i] && !strchr(" \t\"'\n;", cur[i]))
				i++;
			size_t n = i - ws;
			char *w = xstrndup(cur + ws, n);
			if (strpbrk(w, "$`\\")) {
				if (!self_reference(w, n) && !strv_has(&ed->unsafe, where))
					strv_push(&ed->unsafe, where);
				free(w);
				continue;
			}
			char *t = cmdline_token_without(w, o->key, o->opt);
			free(w);
			if (!t)
				continue;
			size_t from = ws, to = i;
			if (!*t) {
				/* the word goes with one blank beside it */
				if (from > vstart && (cur[from - 1] == ' ' || cur[from - 1] == '\t'))
					from--;
				else if (cur[to] == ' ' || cur[to] == '\t')
					to++;
			}
			char *next = xasprintf("%.*s%s%s", (int)from, cur, t, cur + to);
			free(t);
			free(cur);
			cur = next;
			changed = again = true;
			break;
		}
	}
	if (!changed) {
		free(cur);
		return NULL;
	}
	return cur;
}

static const char *edited_content(struct grub_edits *ed, const char *path)
{
	for (size_t i = 0; i < ed->n; i++)
		if (strcmp(ed->ov[i].path, path) == 0)
			return ed->ov[i].content;
	return NULL;
}

static void set_edited(struct grub_edits *ed, const char *path, char *content)
{
	for (size_t i = 0; i < ed->n; i++) {
		if (strcmp(ed->ov[i].path, path) == 0) {
			free((char *)ed->ov[i].content);
			ed->ov[i].content = content;
			return;
		}
	}
	ed->ov = xrealloc(ed->ov, (ed->n + 2) * sizeof(*ed->ov));
	ed->ov[ed->n].path = xstrdup(path);
	ed->ov[ed->n++].content = content;
}

/* Takes a defeating option out of every assignment line of the admin's
 * files that holds it literally; notes each file:line. */
static int unset_in_admin_files(struct agent *ag, struct result *r, struct cmdline_plan *pl, const struct strv *files,
                                const struct opt *o, struct grub_edits *ed)
{
	for (size_t f = 0; f < files->n; f++) {
		const char *path = files->v[f];
		char *text = NULL;
		const char *have = edited_content(ed, path);
		if (have) {
			text = xstrdup(have);
		} else {
			int got = node_read(ag, r, path, &text);
			if (got < 0)
				return -1;
			if (got == 0)
				continue;
		}
		struct sb out;
		bool changed = false;
		unsigned lineno = 0;
		sb_init(&out);
		for (char *l = text; *l;) {
			size_t n = strcspn(l, "\n");
			char *line = xstrndup(l, n);
			char *where = xasprintf("%s:%u", path, ++lineno);
			char *edited = edit_assignment(line, where, o, ed);
			if (edited) {
				note(pl, "removed '%s=%s' from %s: %s", o->key, o->opt, where,
				     o->why ? o->why : "it turns the IOMMU off");
				changed = true;
			}
			sb_adds(&out, edited ? edited : line);
			if (l[n] == '\n')
				sb_adds(&out, "\n");
			free(edited);
			free(where);
			free(line);
			l += n + (l[n] == '\n');
		}
		if (changed)
			set_edited(ed, path, sb_detach(&out));
		sb_release(&out);
		free(text);
	}
	return 0;
}

/* The amd_iommu=on assignment lines, for the finding. */
static char *where_listed(struct agent *ag, const struct strv *files, const struct grub_edits *ed, const char *key,
                          const char *opt)
{
	struct strv at = { 0 };

	for (size_t f = 0; f < files->n; f++) {
		char *text = NULL, *p = node_path(ag, files->v[f]);
		const char *have = edited_content((struct grub_edits *)ed, files->v[f]);
		if (have)
			text = xstrdup(have);
		else if (read_file(p, 1 << 20, &text, NULL) < 0)
			text = NULL;
		free(p);
		unsigned lineno = 0;
		for (char *l = text; l && *l;) {
			size_t n = strcspn(l, "\n");
			char *line = xstrndup(l, n);
			const char *value;
			lineno++;
			if (cmdline_assignment(line, &value)) {
				struct strv t = { 0 };
				char *v = xstrdup(value);
				for (char *c = v; *c; c++)
					if (*c == '"' || *c == '\'')
						*c = ' ';
				cmdline_split(v, &t);
				if (cmdline_lists(&t, key, opt))
					strv_push_own(&at, xasprintf("%s:%u", files->v[f], lineno));
				strv_release(&t);
				free(v);
			}
			free(line);
			l += n + (l[n] == '\n');
		}
		free(text);
	}
	char *s = at.n ? cmdline_join(&at) : xstrdup("the GRUB defaults");
	strv_release(&at);
	return s;
}

/* GRUB: a drop-in of our own that appends to the admin's value, so their
 * files stay as they are (but for an option that turns the IOMMU off, taken
 * out where it is written) and removing ours undoes it. */
static int edit_grub_defaults(struct agent *ag, struct result *r, struct cmdline_plan *pl)
{
	struct strv files = { 0 }, have = { 0 }, missing = { 0 }, now = { 0 };
	struct grub_edits ed = { 0 };
	char *why = NULL, *line = NULL, *content = NULL;
	int ret = -1, changed = 0;

	grub_admin_files(ag, &files);
	/* the admin's line, without orch's drop-in */
	struct grub_override none = { ORCH_GRUB_DROPIN, NULL };
	line = grub_cmdline(ag, &none, 1, &why);
	if (!line) {
		result_fail(r, "%s", why);
		goto out;
	}
	cmdline_split(line, &have);
	for (size_t i = 0; i < pl->ndefeat; i++)
		if (cmdline_lists(&have, pl->defeat[i].key, pl->defeat[i].opt) &&
		    unset_in_admin_files(ag, r, pl, &files, &pl->defeat[i], &ed) < 0)
			goto out;

	/* the line with the admin's files edited: no defeating option may be left */
	ed.ov = xrealloc(ed.ov, (ed.n + 1) * sizeof(*ed.ov));
	ed.ov[ed.n] = (struct grub_override){ ORCH_GRUB_DROPIN, NULL };
	free(line);
	line = grub_cmdline(ag, ed.ov, ed.n + 1, &why);
	if (!line) {
		result_fail(r, "%s", why);
		goto out;
	}
	strv_release(&have);
	cmdline_split(line, &have);
	for (size_t i = 0; i < pl->ndefeat; i++) {
		if (cmdline_lists(&have, pl->defeat[i].key, pl->defeat[i].opt)) {
			char *u = ed.unsafe.n ? cmdline_join(&ed.unsafe) : xstrdup("no assignment holds it literally");
			result_fail(r, "'%s=%s' must go (%s) and orch cannot take it out of the GRUB defaults: "
			               "it comes from an expansion (%s); remove it by hand",
			            pl->defeat[i].key, pl->defeat[i].opt,
			            pl->defeat[i].why ? pl->defeat[i].why : "it turns the IOMMU off", u);
			free(u);
			goto out;
		}
	}
	for (size_t i = 0; i < pl->nwant; i++)
		if (!cmdline_gives(&have, pl->want[i].key, pl->want[i].opt))
			strv_push_own(&missing, xasprintf("%s=%s", pl->want[i].key, pl->want[i].opt));
	if (missing.n) {
		char *toks = cmdline_join(&missing);
		content = xasprintf("# Written by orch: kernel options for PCI passthrough.\n"
		                    "# Removing this file (then update-grub) undoes it.\n"
		                    "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT %s\"\n",
		                    toks);
		free(toks);
	}
	ed.ov[ed.n].content = content;
	free(pl->final);
	pl->final = grub_cmdline(ag, ed.ov, ed.n + 1, &why);
	ed.ov[ed.n].content = NULL;
	if (!pl->final) {
		result_fail(r, "%s", why);
		goto out;
	}
	cmdline_split(pl->final, &now);
	for (size_t i = 0; i < pl->nwant; i++) {
		if (!cmdline_gives(&now, pl->want[i].key, pl->want[i].opt)) {
			result_fail(r, "a defaults file read after " ORCH_GRUB_DROPIN " sets GRUB_CMDLINE_LINUX_DEFAULT "
			               "again, dropping '%s=%s'", pl->want[i].key, pl->want[i].opt);
			goto out;
		}
	}
	for (size_t i = 0; i < ed.n; i++) {
		int c = node_ensure(ag, r, ed.ov[i].path, ed.ov[i].content, NEED_BOOT);
		if (c < 0)
			goto out;
		changed |= c;
	}
	int c = node_ensure(ag, r, ORCH_GRUB_DROPIN, content, NEED_BOOT);
	if (c < 0)
		goto out;
	changed |= c;
	ret = changed;
	char *where = where_listed(ag, &files, &ed, "amd_iommu", "on");
	final_notes(ag, pl, where);
	free(where);
out:
	free(why);
	free(line);
	free(content);
	edits_release(&ed);
	strv_release(&files);
	strv_release(&have);
	strv_release(&missing);
	strv_release(&now);
	return ret;
}

/* The steps after this one decide from the line the next boot gets now
 * (the modprobe options of the command line among them). */
static void configured_now(struct agent *ag, enum cmdline_source src, const char *line)
{
	struct facts *f = &ag->facts;
	char **slot = src == SRC_KERNEL_CMDLINE ? &f->cmdline_kernel : &f->cmdline_grub;

	free(*slot);
	*slot = xstrdup(line);
	if (f->cmdline_configured_source == src && f->cmdline_configured) {
		free(f->cmdline_configured);
		f->cmdline_configured = xstrdup(line);
	}
}

/* Every source the next boot reads gets the tokens: where the ESPs
 * disagree (one GRUB, one systemd-boot) that is both, and the refresh
 * publishes both (docs/agent.md, "The boot loader that boots next"). */
int step_kernel_cmdline(struct agent *ag, const struct step *st, struct result *r)
{
	static const enum cmdline_source order[] = { SRC_KERNEL_CMDLINE, SRC_GRUB_DEFAULTS };
	const struct facts *f = &ag->facts;
	struct cmdline_plan pl = { 0 };
	struct strv changed = { 0 }, kept = { 0 };
	int ret = 0;

	if (esps_publish_check(ag, r, "the command line") < 0)
		return -1;
	make_plan(ag, st, &pl);
	for (size_t i = 0; ret >= 0 && i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(f->cmdline_sources & order[i]))
			continue;
		bool sd = order[i] == SRC_KERNEL_CMDLINE;
		const char *file = sd ? SYSTEMD_BOOT_CMDLINE : ORCH_GRUB_DROPIN;
		ret = sd ? edit_kernel_cmdline_file(ag, r, &pl, SYSTEMD_BOOT_CMDLINE) : edit_grub_defaults(ag, r, &pl);
		strv_push_own(ret > 0 ? &changed : &kept, xasprintf("%s (%s)", file, sd ? "systemd-boot" : "GRUB"));
		if (ret >= 0 && pl.final)
			configured_now(ag, order[i], pl.final);
	}
	if (ret >= 0) {
		struct sb w;
		sb_init(&w);
		for (size_t i = 0; i < pl.nwant; i++)
			sb_addf(&w, "%s%s=%s", i ? " " : "", pl.want[i].key, pl.want[i].opt);
		if (changed.n) {
			result_set(r, ORCH_CHANGED);
			for (size_t i = 0; i < changed.n; i++) {
				if (w.len)
					result_msg(r, "%s: %s (kernel %s from %s)", changed.v[i], w.s, f->kernel_target,
					           f->kernel_target_from);
				else
					result_msg(r, "%s: no option to add (kernel %s from %s)", changed.v[i],
					           f->kernel_target, f->kernel_target_from);
			}
			r->reboot_needed = true;
		}
		for (size_t i = 0; i < kept.n; i++) {
			if (pl.nwant)
				result_msg(r, "%s already gives the kernel what it needs (kernel %s from %s)", kept.v[i],
				           f->kernel_target, f->kernel_target_from);
			else
				result_msg(r, "%s: no kernel option needed (%s, kernel %s from %s)", kept.v[i],
				           f->cpu == CPU_AMD ? "AMD IOMMU is on by default" : "IOMMU on by default",
				           f->kernel_target, f->kernel_target_from);
		}
		sb_release(&w);
		for (size_t i = 0; i < pl.notes.n; i++)
			result_msg(r, "%s", pl.notes.v[i]);
	}
	plan_release(&pl);
	strv_release(&changed);
	strv_release(&kept);
	return ret < 0 ? -1 : 0;
}
