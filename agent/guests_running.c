#include "guests_running.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* `qm list` and `pct list` list the VMIDs that pmxcfs' VM list puts on this
 * node (qemu-server src/PVE/QemuServer.pm config_list, pve-container
 * src/PVE/LXC.pm config_list: node eq PVE::INotify::nodename, type qemu or
 * lxc). pmxcfs builds that list from the files
 * /etc/pve/nodes/<node>/{qemu-server,lxc}/<vmid>.conf (pve-cluster
 * src/pmxcfs/memdb.c memdb_recreate_vmlist, vmlist_add_dir), so those
 * directories are what is read here. */

/* pve-common src/PVE/INotify.pm nodename: uname's nodename up to the first
 * dot. pve-cluster src/pmxcfs/memdb.c valid_nodename: pmxcfs lists the
 * guests of a node directory only when its name keeps the LDH rule. */
static char *node_name(const char *hostname)
{
	size_t n = strcspn(hostname, ".");

	if (n == 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = hostname[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      (c == '-' && i != 0 && i != n - 1)))
			return NULL;
	}
	return xstrndup(hostname, n);
}

/* pve-cluster src/pmxcfs/memdb.c name_is_vm_config: "<vmid>.conf", the VMID
 * without a leading zero (so never 0) and at most 2^32-1. */
static bool name_is_vm_config(const char *name, uint32_t *vmid)
{
	char *end;
	unsigned long long v;

	if (name[0] < '1' || name[0] > '9')
		return false;
	errno = 0;
	v = strtoull(name, &end, 10);
	if (errno != 0 || v > UINT32_MAX || strcmp(end, ".conf") != 0)
		return false;
	*vmid = (uint32_t)v;
	return true;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The VMIDs configured in /etc/pve/nodes/<node>/<kind>, ascending. pmxcfs
 * counts regular files only (vmlist_add_dir: DT_REG). */
static uint32_t *configured(const struct agent *ag, const char *node, const char *kind, size_t *n)
{
	char *dir = node_pathf(ag, "/etc/pve/nodes/%s/%s", node, kind);
	DIR *d = opendir(dir);
	struct dirent *e;
	uint32_t *ids = NULL, vmid;
	size_t cap = 0;

	*n = 0;
	while (d && (e = readdir(d))) {
		struct stat st;
		if (!name_is_vm_config(e->d_name, &vmid))
			continue;
		if (e->d_type != DT_REG &&
		    (e->d_type != DT_UNKNOWN || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		     !S_ISREG(st.st_mode)))
			continue;
		if (*n == cap)
			ids = xrealloc(ids, (cap = cap ? 2 * cap : 16) * sizeof(*ids));
		ids[(*n)++] = vmid;
	}
	if (d)
		closedir(d);
	free(dir);
	if (*n > 1)
		qsort(ids, *n, sizeof(*ids), cmp_u32);
	return ids;
}

/* Whether the argument `p` of a command line is an option, as qemu-server
 * src/PVE/QemuServer/Helpers.pm parse_cmdline decides it (m/^--?(.*)$/: a
 * newline only at the very end); `*name` is the option without its dashes
 * (and without that newline), `*len` its length. */
static bool cmdline_option(const char *p, const char **name, size_t *len)
{
	const char *nl;

	if (p[0] != '-')
		return false;
	*name = p + 1 + (p[1] == '-');
	*len = strlen(*name);
	nl = strchr(*name, '\n');
	if (nl && nl[1] != '\0')
		return false;
	if (nl)
		(*len)--;
	return true;
}

/* Perl's truth of a string: neither "" nor "0". */
static bool perl_true(const char *s)
{
	return s[0] != '\0' && strcmp(s, "0") != 0;
}

/* qemu-server src/PVE/QemuServer/Helpers.pm parse_cmdline and
 * instance_running_locally: /proc/<pid>/cmdline, up to its first newline
 * (Perl reads a line), is the command line of a QEMU (its program ends in
 * "kvm" or is named "qemu-*") that was given "-pidfile <pidfile>". */
static bool qemu_with_pidfile(const struct agent *ag, const char *pid, const char *pidfile)
{
	char *path = node_pathf(ag, "/proc/%s/cmdline", pid), *buf = NULL, *p, *end, *base;
	const char *cmd, *pending = NULL, *value = NULL, *name;
	size_t len, cmdlen, namelen, pendinglen = 0;
	bool ok = false;

	if (read_file(path, 1 << 20, &buf, &len) < 0 || len == 0)
		goto out;
	if ((p = memchr(buf, '\n', len)))
		len = (size_t)(p - buf) + 1;
	buf[len] = '\0';
	end = buf + len;
	/* split(/\0/, $line): the first field is the program. */
	cmd = buf;
	if (!perl_true(cmd))
		goto out;
	cmdlen = strlen(cmd);
	if (cmdlen && cmd[cmdlen - 1] == '\n')
		cmdlen--;
	base = strrchr(cmd, '/');
	base = base ? base + 1 : (char *)cmd;
	if (!(cmdlen >= 3 && memcmp(cmd + cmdlen - 3, "kvm", 3) == 0) &&
	    !(strncmp(base, "qemu-", 5) == 0 && strlen(base) > 5))
		goto out;
	/* The value of the last "-pidfile": an option right after it leaves it
	 * without one; a value of "" or "0" is skipped, as Perl's `next if !$p`. */
	for (p = buf; p < end; p += strlen(p) + 1) {
		if (!perl_true(p))
			continue;
		if (cmdline_option(p, &name, &namelen)) {
			if (pending && pendinglen == 7 && memcmp(pending, "pidfile", 7) == 0)
				value = NULL;
			pending = name;
			pendinglen = namelen;
		} else if (pending) {
			if (pendinglen == 7 && memcmp(pending, "pidfile", 7) == 0)
				value = p;
			pending = NULL;
		}
	}
	ok = value && perl_true(value) && strcmp(value, pidfile) == 0;
out:
	free(buf);
	free(path);
	return ok;
}

/* One field of /proc/<pid>/stat as pve-common src/PVE/ProcFSTools.pm
 * read_proc_pid_stat matches it: 's' -?\d+, 'u' \d+, '0' the literal 0.
 * Returns the end of the field, or NULL. */
static const char *stat_field(const char *s, char kind)
{
	const char *d;

	if (kind == '0')
		return *s == '0' ? s + 1 : NULL;
	if (kind == 's' && *s == '-')
		s++;
	for (d = s; *d >= '0' && *d <= '9'; d++)
		;
	return d > s ? d : NULL;
}

/* pve-common src/PVE/ProcFSTools.pm read_proc_pid_stat and
 * check_process_running: the first line of /proc/<pid>/stat matches
 * "<pid> (<comm>) <state> " and the fields 4 to 42 of proc(5) as numbers
 * (field 21, itrealvalue, 0), and the state is not Z (a zombie). The comm
 * may hold ") ": as the regex's greedy (.*), every ") " from the last one
 * back is tried. */
static bool process_running(const struct agent *ag, const char *pid)
{
	/* fields 4..42: ppid pgrp session tty_nr tpgid | flags minflt cminflt
	 * majflt cmajflt utime stime | cutime cstime priority nice num_threads |
	 * itrealvalue | starttime vsize | rss | rsslim..wchan (13) | exit_signal
	 * processor | rt_priority policy delayacct_blkio_ticks */
	static const char fields[] = "sssss" "uuuuuuu" "sssss" "0" "uu" "s" "uuuuuuuuuuuuu" "ss" "uuu";
	char *path = node_pathf(ag, "/proc/%s/stat", pid), *line = read_line(path);
	size_t pidlen = strlen(pid);
	bool ok = false;

	free(path);
	if (!line)
		return false;
	if (strncmp(line, pid, pidlen) != 0 || strncmp(line + pidlen, " (", 2) != 0)
		goto out;
	for (size_t i = strlen(line); i > pidlen + 2;) {
		const char *s = line + --i;
		char state;
		if (strncmp(s, ") ", 2) != 0)
			continue;
		state = s[2];
		if (state == '\0' || isspace((unsigned char)state) || s[3] != ' ')
			continue;
		s += 4;
		for (size_t f = 0; s && fields[f]; f++) {
			s = stat_field(s, fields[f]);
			if (s && fields[f + 1])
				s = *s == ' ' ? s + 1 : NULL;
		}
		if (s) {
			ok = state != 'Z';
			break;
		}
	}
out:
	free(line);
	return ok;
}

/* qemu-server src/PVE/QemuServer.pm vzlist and vmstatus: a VM of this node
 * runs when check_running finds a pid for it (src/PVE/QemuServer/Helpers.pm
 * vm_running_locally, instance_running_locally): the first line of
 * /var/run/qemu-server/<vmid>.pid is a pid (m/^(\d+)$/) whose process is a
 * QEMU started with that pid file and is not a zombie. `qm list` prints
 * that status as is (src/PVE/CLI/qm.pm list: without --full there is no
 * qmpstatus, so a paused VM is running too). */
static bool vm_running(const struct agent *ag, uint32_t vmid)
{
	char pidfile[64], *path, *buf = NULL, *nl;
	size_t len;
	bool ok = false;

	snprintf(pidfile, sizeof(pidfile), "/var/run/qemu-server/%u.pid", (unsigned)vmid);
	path = node_path(ag, pidfile);
	if (read_file(path, 1 << 16, &buf, &len) < 0)
		goto out;
	if ((nl = memchr(buf, '\n', len)))
		len = (size_t)(nl - buf);
	buf[len] = '\0';
	if (len == 0 || strspn(buf, "0123456789") != len)
		goto out;
	ok = qemu_with_pidfile(ag, buf, pidfile) && process_running(ag, buf);
out:
	free(buf);
	free(path);
	return ok;
}

/* pve-container src/PVE/LXC.pm list_active_containers: a container runs
 * while its monitor listens on the abstract socket
 * "@/var/lib/lxc/<vmid>/command", a line of /proc/net/unix that matches
 * m/^[a-f0-9]+:\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\d+\s+(\S+)$/ (the path
 * the last field, nothing after it but the newline). Appends each such
 * VMID to `active` as written there. */
static void active_containers(const struct agent *ag, struct strv *active)
{
	char *path = node_path(ag, "/proc/net/unix"), *line = NULL;
	FILE *f = fopen(path, "re");
	size_t cap = 0;
	ssize_t n;

	free(path);
	if (!f)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		char *tok[9], *save = NULL, *s = line, *id;
		size_t nt = 0, hex;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || isspace((unsigned char)line[n - 1]))
			continue;
		hex = strspn(line, "0123456789abcdef");
		if (hex == 0 || line[hex] != ':' || !isspace((unsigned char)line[hex + 1]))
			continue;
		for (char *t = strtok_r(s, " \t\r\f\v", &save); t && nt < 9; t = strtok_r(NULL, " \t\r\f\v", &save))
			tok[nt++] = t;
		if (nt != 8 || strspn(tok[6], "0123456789") != strlen(tok[6]))
			continue;
		if (!starts_with(tok[7], "@/var/lib/lxc/"))
			continue;
		id = tok[7] + strlen("@/var/lib/lxc/");
		size_t digits = strspn(id, "0123456789");
		if (digits == 0 || strcmp(id + digits, "/command") != 0)
			continue;
		strv_push_own(active, xstrndup(id, digits));
	}
	free(line);
	fclose(f);
}

void guests_running(const struct agent *ag, const char *hostname, struct strv *out)
{
	char *node = hostname ? node_name(hostname) : NULL;
	uint32_t *ids;
	size_t n;

	if (!node)
		return;
	ids = configured(ag, node, "qemu-server", &n);
	for (size_t i = 0; i < n; i++)
		if (vm_running(ag, ids[i]))
			strv_push_own(out, xasprintf("qm %u", (unsigned)ids[i]));
	free(ids);

	/* pve-container src/PVE/LXC.pm vmstatus: running when the container's
	 * VMID is among the active ones, else stopped. */
	ids = configured(ag, node, "lxc", &n);
	if (n) {
		struct strv active = { 0 };
		active_containers(ag, &active);
		for (size_t i = 0; i < n; i++) {
			char id[16];
			snprintf(id, sizeof(id), "%u", (unsigned)ids[i]);
			if (strv_has(&active, id))
				strv_push_own(out, xasprintf("pct %s", id));
		}
		strv_release(&active);
	}
	free(ids);
	free(node);
}
