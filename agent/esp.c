/* proxmox-boot-tool's ESPs (proxmox-kernel-helper: src/proxmox-boot/functions,
 * zz-proxmox-boot, src/bin/proxmox-boot-tool). The ESPs are not mounted on a
 * running node; which loader each one boots next is read from `status`,
 * which mounts them in its own namespace. */
#include "esp.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"

#define ESP_LIST "/etc/kernel/proxmox-boot-uuids"

static bool hex4(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* grep -qE '[0-9a-fA-F]{4}-[0-9a-fA-F]{4}': anywhere in the line */
bool esp_uuid_valid(const char *uuid)
{
	size_t n = strlen(uuid);
	for (size_t i = 0; i + 9 <= n; i++)
		if (hex4(uuid + i) && uuid[i + 4] == '-' && hex4(uuid + i + 5))
			return true;
	return false;
}

/* `<kind> (versions: <v>, <v>)` joined by ", ": what _status_detail prints
 * (PVE 8: "uefi" for a loader.conf; PVE 9 names it "systemd-boot"). */
static int parse_kinds(const char *p)
{
	static const struct {
		const char *word;
		int kind;
	} words[] = { { "uefi", ESP_KIND_SDBOOT }, { "systemd-boot", ESP_KIND_SDBOOT }, { "grub", ESP_KIND_GRUB } };
	int kinds = 0;

	while (*p) {
		size_t i, n = 0;
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			n = strlen(words[i].word);
			if (strncmp(p, words[i].word, n) == 0 && starts_with(p + n, " (versions: "))
				break;
		}
		if (i == sizeof(words) / sizeof(words[0]) || (kinds & words[i].kind))
			return -2;
		kinds |= words[i].kind;
		p = strchr(p + n, ')');
		if (!p)
			return -2;
		p++;
		if (*p && !starts_with(p, ", "))
			return -2;
		if (*p)
			p += 2;
	}
	return kinds;
}

int pbt_status_kinds(const char *out, const char *uuid, char **line)
{
	static const char mid[] = " is configured with: ";
	size_t ulen = strlen(uuid);

	if (line)
		*line = NULL;
	for (const char *l = out; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		if (len >= ulen + sizeof(mid) - 1 && strncmp(l, uuid, ulen) == 0 &&
		    strncmp(l + ulen, mid, sizeof(mid) - 1) == 0) {
			char *copy = xstrndup(l, len), *end = copy + len;
			while (end > copy && (end[-1] == '\r' || end[-1] == ' '))
				*--end = '\0';
			int kinds = parse_kinds(copy + ulen + sizeof(mid) - 1);
			if (line)
				*line = copy;
			else
				free(copy);
			return kinds;
		}
		l = nl ? nl + 1 : NULL;
	}
	return -1;
}

/* update_esp_func: grub=1 when EFI/proxmox/grubx64.efi is on the ESP (which
 * `init <esp> grub` installs beside its grub directory); UEFI without it
 * needs loader.conf (systemd-boot); legacy BIOS needs the grub directory. */
enum loader esp_hook_loader(int kinds, bool uefi)
{
	if (kinds & ESP_KIND_GRUB)
		return LOADER_GRUB_PBT;
	if (uefi && (kinds & ESP_KIND_SDBOOT))
		return LOADER_SYSTEMD_BOOT;
	return LOADER_NONE;
}

/* Without a status line for an ESP: the hints the running system gives. */
static enum loader hinted_loader(const struct facts *f, const char **why)
{
	if (!f->uefi) {
		*why = "booted legacy BIOS: GRUB";
		return LOADER_GRUB_PBT;
	}
	if (f->secure_boot) {
		*why = "Secure Boot on: GRUB through shim";
		return LOADER_GRUB_PBT;
	}
	if (f->booted == LOADER_GRUB) {
		*why = "booted by GRUB now (BOOT_IMAGE= in /proc/cmdline)";
		return LOADER_GRUB_PBT;
	}
	*why = f->booted == LOADER_SYSTEMD_BOOT ? "booted by systemd-boot now (EFI variable LoaderInfo)"
	                                        : "booted UEFI without GRUB's traces: systemd-boot";
	return LOADER_SYSTEMD_BOOT;
}

static unsigned source_of(enum loader l)
{
	return l == LOADER_SYSTEMD_BOOT ? SRC_KERNEL_CMDLINE : l == LOADER_GRUB_PBT ? SRC_GRUB_DEFAULTS : 0;
}

void esp_gather(struct agent *ag)
{
	struct facts *f = &ag->facts;
	char *p = node_path(ag, ESP_LIST), *buf = NULL, *status = NULL;
	size_t npresent = 0;
	const char *why;

	if (read_file(p, 1 << 16, &buf, NULL) < 0) {
		free(p);
		f->pbt = false;
		f->loader = LOADER_GRUB;
		f->cmdline_sources = SRC_GRUB_DEFAULTS;
		strv_push(&f->boot_evidence, "plain GRUB: no " ESP_LIST);
		return;
	}
	free(p);
	f->pbt = true;
	/* loop_esp_list: every non-empty line as it is (IFS= read -r) */
	for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!*line)
			continue;
		f->esps = xrealloc(f->esps, (f->nesps + 1) * sizeof(*f->esps));
		struct esp *e = &f->esps[f->nesps++];
		*e = (struct esp){ .uuid = xstrdup(line), .loader = LOADER_NONE };
		if (!esp_uuid_valid(line)) {
			e->evidence = xstrdup("does not look like a VFAT-UUID: proxmox-boot-tool skips it");
			continue;
		}
		struct stat st;
		char *link = node_pathf(ag, "/dev/disk/by-uuid/%s", line);
		e->present = stat(link, &st) == 0;
		free(link);
		if (!e->present)
			e->evidence = xasprintf("/dev/disk/by-uuid/%s does not exist: proxmox-boot-tool skips it", line);
		npresent += e->present;
	}
	free(buf);
	strv_push_own(&f->boot_evidence, xasprintf(ESP_LIST " lists %zu ESP%s, %zu present", f->nesps,
	                                           f->nesps == 1 ? "" : "s", npresent));

	if (npresent)
		status = cmd_output(ag, (const char *const[]){ "proxmox-boot-tool", "status", NULL }, 120);
	f->cmdline_sources = 0;
	bool grub_before = false;
	for (size_t i = 0; i < f->nesps; i++) {
		struct esp *e = &f->esps[i];
		char *line = NULL;
		if (!e->present)
			continue;
		int kinds = status ? pbt_status_kinds(status, e->uuid, &line) : -1;
		if (kinds >= 0) {
			e->loader = esp_hook_loader(kinds, f->uefi);
			e->evidence = xasprintf("proxmox-boot-tool status: %s%s", line,
			                        e->loader == LOADER_NONE ? " (nothing the sync hook boots: skipped)" : "");
		} else {
			e->loader = hinted_loader(f, &why);
			e->evidence = kinds == -2 ? xasprintf("status line not understood ('%s'); %s", line, why)
			                          : xasprintf("no proxmox-boot-tool status line; %s", why);
		}
		free(line);
		if (e->loader == LOADER_SYSTEMD_BOOT && grub_before) {
			/* zz-proxmox-boot 8.1.0 sets grub=1 and never resets it */
			char *more = xasprintf("%s; proxmox-kernel-helper 8.1.0's sync hook, which keeps GRUB from an "
			                       "ESP listed before it, would skip it",
			                       e->evidence);
			free(e->evidence);
			e->evidence = more;
		}
		grub_before = grub_before || e->loader == LOADER_GRUB_PBT;
		f->cmdline_sources |= source_of(e->loader);
		strv_push_own(&f->boot_evidence, xasprintf("ESP %s: %s", e->uuid, e->evidence));
	}
	free(status);
	for (size_t i = 0; i < f->nesps; i++)
		if (!f->esps[i].present)
			strv_push_own(&f->boot_evidence, xasprintf("ESP %s: %s", f->esps[i].uuid, f->esps[i].evidence));

	if (!f->cmdline_sources) {
		/* nothing will be published (the steps that publish refuse);
		 * the hints still say which line the node's loader reads */
		enum loader l = hinted_loader(f, &why);
		f->cmdline_sources = source_of(l);
		strv_push_own(&f->boot_evidence, xasprintf("no ESP to publish to; %s", why));
	}
	f->loader = f->cmdline_sources == (SRC_KERNEL_CMDLINE | SRC_GRUB_DEFAULTS) ? LOADER_MIXED
	            : f->cmdline_sources == SRC_KERNEL_CMDLINE                     ? LOADER_SYSTEMD_BOOT
	                                                                           : LOADER_GRUB_PBT;
}

void esps_release(struct facts *f)
{
	for (size_t i = 0; i < f->nesps; i++) {
		free(f->esps[i].uuid);
		free(f->esps[i].evidence);
	}
	free(f->esps);
	f->esps = NULL;
	f->nesps = 0;
}

static bool usable(const struct esp *e)
{
	return e->present && (e->loader == LOADER_GRUB_PBT || e->loader == LOADER_SYSTEMD_BOOT);
}

/* The ESPs the next refresh publishes to: present and set up. */
static size_t esps_usable(const struct facts *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nesps; i++)
		n += usable(&f->esps[i]);
	return n;
}

int esps_publish_check(const struct agent *ag, struct result *r, const char *what)
{
	const struct facts *f = &ag->facts;
	struct sb why;

	if (!f->pbt)
		return 0;
	sb_init(&why);
	for (size_t i = 0; i < f->nesps; i++)
		if (!usable(&f->esps[i]))
			sb_addf(&why, "%sESP %s: %s", why.len ? "; " : "", f->esps[i].uuid, f->esps[i].evidence);
	if (!esps_usable(f)) {
		result_fail(r, "nowhere to publish %s: no ESP of " ESP_LIST " can be written (%s); the node would "
		               "boot what it booted before. Set up an ESP with 'proxmox-boot-tool init <partition>' "
		               "and drop the stale entries with 'proxmox-boot-tool clean'",
		            what, why.len ? why.s : "the file lists none");
		sb_release(&why);
		return -1;
	}
	if (why.len)
		result_msg(r, "not published to every ESP: %s", why.s);
	sb_release(&why);
	return 0;
}
