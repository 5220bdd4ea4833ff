/*
 * Times inventory_load_sources() on a generated inventory tree of the shape
 * admins keep beside Ansible:
 *
 *   TREE/hosts.yml           the yaml plugin's format: HOSTS hosts in groups
 *                            of 100 (pve_000...), `proxmox` over them, `gpu`
 *                            across them, inline vars on some hosts
 *   TREE/group_vars/         all.yml and one entry per pve_NNN group, in turn
 *                            NAME.yml, NAME.json, NAME/ (two files), NAME
 *   TREE/host_vars/          one entry for every 10th host, the same forms
 *
 *   inventory_tree_bench [HOSTS [RUNS]] [--write DIR | --tree DIR]
 *
 * Writes the tree (to DIR, kept, or to a temporary directory, removed; with
 * --tree, reads the one a --write left in DIR with the same HOSTS), then
 * reads it RUNS times (default 10000 hosts, 9 runs) and prints min,
 * median and max of inventory_load_sources() (wall clock and CPU time) and
 * of inventory_to_json(), with the machine's load average. Exits 1 when the tree is not read as
 * written: a host missing, or a variable of each file form not where it
 * should be. `compare_tree_bench.py` times `ansible-inventory` on the same tree.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inventory.h"

#define PER_GROUP 100

static char tree[2048];

__attribute__((format(printf, 2, 3))) static void
write_file(const char *text, const char *fmt, ...)
{
	char path[2048 + 512 + 2], rel[512];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

__attribute__((format(printf, 1, 2))) static void
make_dir(const char *fmt, ...)
{
	char path[2048 + 512 + 2], rel[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		exit(2);
	}
}

struct text {
	char *p;
	size_t n, cap;
};

__attribute__((format(printf, 2, 3))) static void
add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->n)
			break;
		t->cap = t->cap ? t->cap * 2 : 1 << 20;
		if ((t->p = realloc(t->p, t->cap)) == NULL) {
			perror("realloc");
			exit(2);
		}
	}
	t->n += (size_t)n;
}

static const char *
host_name(int h)
{
	static char name[64];

	snprintf(name, sizeof(name), "node%05d.dc%d.example.com", h, (h / PER_GROUP) % 4);
	return name;
}

/* A vars file for a group or host, in form FORM (0 .yml, 1 .json, 2 a
 * directory, 3 no extension), with `form` set to the form's name so the
 * check can tell which file was read. */
static void
write_vars(const char *dir, const char *name, int form, int n)
{
	static const char *const forms[] = { "yml", "json", "dir", "none" };
	char yaml[2048], json[2048];

	snprintf(yaml, sizeof(yaml),
		 "---\n"
		 "# generated\n"
		 "form: %s\n"
		 "site: dc%d\n"
		 "bind_by: auto\n"
		 "iommu_pt: yes\n"
		 "reboot: \"no\"\n"
		 "slots: &slots\n"
		 "  - \"0000:%02x:00.0\"\n"
		 "  - \"0000:%02x:00.1\"\n"
		 "limits: {max_vfs: %d, mtu: 9000, ratio: 0.75}\n"
		 "tags: [pve, \"rack-%d\", gpu]\n"
		 "spare_slots: *slots\n",
		 forms[form], n % 4, n % 256, n % 256, n % 64, n % 40);
	snprintf(json, sizeof(json),
		 "{\n  \"form\": \"%s\",\n  \"site\": \"dc%d\",\n  \"bind_by\": \"auto\",\n  \"iommu_pt\": true,\n"
		 "  \"slots\": [\"0000:%02x:00.0\", \"0000:%02x:00.1\"],\n"
		 "  \"limits\": {\"max_vfs\": %d, \"mtu\": 9000, \"ratio\": 0.75},\n"
		 "  \"tags\": [\"pve\", \"rack-%d\", \"gpu\"]\n}\n",
		 forms[form], n % 4, n % 256, n % 256, n % 64, n % 40);
	switch (form) {
	case 0:
		write_file(yaml, "%s/%s.yml", dir, name);
		break;
	case 1:
		write_file(json, "%s/%s.json", dir, name);
		break;
	case 2:
		make_dir("%s/%s", dir, name);
		write_file(json, "%s/%s/10-main.json", dir, name);
		/* later files win: the directory's form is the last file's */
		write_file("form: dir\nnote: |\n  kept in a directory\n  of several files\n", "%s/%s/20-form.yml", dir,
			   name);
		break;
	default:
		write_file(yaml, "%s/%s", dir, name);
		break;
	}
}

static void
generate(int hosts)
{
	int groups = (hosts + PER_GROUP - 1) / PER_GROUP;
	struct text t = { 0 };
	char name[64];

	add(&t, "# generated: %d hosts in %d groups\nall:\n  vars:\n    ansible_user: root\n  children:\n", hosts,
	    groups);
	add(&t, "    proxmox:\n      children:\n");
	for (int g = 0; g < groups; g++) {
		add(&t, "        pve_%03d:\n          hosts:\n", g);
		for (int h = g * PER_GROUP; h < hosts && h < (g + 1) * PER_GROUP; h++) {
			add(&t, "            %s:", host_name(h));
			if (h % 7 == 0)
				add(&t, "\n              ansible_host: 10.%d.%d.%d\n              ansible_port: 2222\n",
				    (h >> 16) & 255, (h >> 8) & 255, h & 255);
			else
				add(&t, "\n");
		}
	}
	add(&t, "    gpu:\n      hosts:\n");
	for (int h = 0; h < hosts; h += 10)
		add(&t, "        %s:\n", host_name(h));
	add(&t, "      vars:\n        disable_vga: auto\n        ignore_msrs: yes\n");
	write_file(t.p, "hosts.yml");
	free(t.p);

	make_dir("group_vars");
	make_dir("host_vars");
	write_file("ansible_python_interpreter: /usr/bin/python3\nreboot: auto\n", "group_vars/all.yml");
	for (int g = 0; g < groups; g++) {
		snprintf(name, sizeof(name), "pve_%03d", g);
		write_vars("group_vars", name, g % 4, g);
	}
	for (int h = 0; h < hosts; h += 10)
		write_vars("host_vars", host_name(h), (h / 10) % 4, h);
}

static double
clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double
now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time: what the machine's other load does not change much */
static double
cpu_ms(void)
{
	return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *ms, int runs)
{
	qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
	printf("%-30s min %8.2f ms   median %8.2f ms   max %8.2f ms   (%d runs)\n", what, ms[0], ms[runs / 2],
	       ms[runs - 1], runs);
}

static size_t
find_host(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inventory_host_count(inv); i++) {
		if (strcmp(inventory_host_name(inv, i), name) == 0)
			return i;
	}
	return (size_t)-1;
}

/* Each file form read where it should be: a host of each host_vars form, a
 * host of a group of each group_vars form (and not a host_vars host). */
static int
check(const struct inventory *inv, int hosts)
{
	static const char *const forms[] = { "yml", "json", "dir", "none" };
	int bad = 0;

	if (inventory_host_count(inv) != (size_t)hosts) {
		fprintf(stderr, "read %zu hosts, generated %d\n", inventory_host_count(inv), hosts);
		return -1;
	}
	for (int form = 0; form < 4; form++) {
		int with_host_vars = form * 10, in_group = form * PER_GROUP + 1;
		const int probe[2] = { with_host_vars, in_group };

		for (int k = 0; k < 2; k++) {
			const char *v;
			size_t i;

			if (probe[k] >= hosts)
				continue;
			i = find_host(inv, host_name(probe[k]));
			v = i == (size_t)-1 ? NULL : inventory_host_var(inv, i, "form");
			if (v == NULL || strcmp(v, forms[form]) != 0) {
				fprintf(stderr, "%s: form is %s, want %s\n", host_name(probe[k]), v ? v : "(unset)",
					forms[form]);
				bad = 1;
			}
		}
	}
	return bad ? -1 : 0;
}

static void
remove_tree(const char *dir)
{
	char cmd[4200];

	/* only the directory this program made with mkdtemp() */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

int
main(int argc, char **argv)
{
	int hosts = 10000, runs = 9, positional = 0, keep = 0, existing = 0, r = 1;
	double *load_ms, *load_cpu_ms, *json_ms;
	char source[4200], loadavg[128] = "?";
	const char *sources[1] = { source };
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--write") == 0 && i + 1 < argc) {
			snprintf(tree, sizeof(tree), "%s", argv[++i]);
			keep = 1;
		} else if (strcmp(argv[i], "--tree") == 0 && i + 1 < argc) {
			snprintf(tree, sizeof(tree), "%s", argv[++i]);
			keep = existing = 1;
		} else if (positional++ == 0) {
			hosts = atoi(argv[i]);
		} else {
			runs = atoi(argv[i]);
		}
	}
	if (hosts < 1 || runs < 1) {
		fprintf(stderr, "usage: inventory_tree_bench [HOSTS [RUNS]] [--write DIR | --tree DIR]\n");
		return 2;
	}
	if (existing) {
		/* read as it is */
	} else if (keep) {
		if (mkdir(tree, 0755) < 0 && errno != EEXIST) {
			perror(tree);
			return 2;
		}
	} else {
		const char *tmp = getenv("TMPDIR");

		snprintf(tree, sizeof(tree), "%s/orch-tree-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (mkdtemp(tree) == NULL) {
			perror("mkdtemp");
			return 2;
		}
	}
	if (!existing)
		generate(hosts);
	snprintf(source, sizeof(source), "%s/hosts.yml", tree);
	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fgets(loadavg, sizeof(loadavg), f) != NULL)
			loadavg[strcspn(loadavg, "\n")] = '\0';
		fclose(f);
	}
	printf("tree: %s: %d hosts, group_vars for %d groups, host_vars for %d hosts\n", tree, hosts,
	       (hosts + PER_GROUP - 1) / PER_GROUP, (hosts + 9) / 10);
	printf("load average: %s (%ld CPUs)\n", loadavg, sysconf(_SC_NPROCESSORS_ONLN));
	load_ms = calloc((size_t)runs, sizeof(double));
	load_cpu_ms = calloc((size_t)runs, sizeof(double));
	json_ms = calloc((size_t)runs, sizeof(double));
	for (int k = 0; k < runs; k++) {
		struct inventory *inv = NULL;
		char err[4096];
		json_t *j;
		double t0 = now_ms(), c0 = cpu_ms();

		if (inventory_load_sources(&inv, sources, 1, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
		load_ms[k] = now_ms() - t0;
		load_cpu_ms[k] = cpu_ms() - c0;
		if (k == 0) {
			for (size_t w = 0; w < inventory_warning_count(inv); w++)
				fprintf(stderr, "warning: %s\n", inventory_warning(inv, w));
			if (check(inv, hosts) < 0) {
				inventory_free(inv);
				goto out;
			}
		}
		t0 = now_ms();
		j = inventory_to_json(inv);
		json_ms[k] = now_ms() - t0;
		json_decref(j);
		inventory_free(inv);
		if (j == NULL) {
			fprintf(stderr, "inventory_to_json failed\n");
			goto out;
		}
	}
	report("inventory_load_sources", load_ms, runs);
	report("inventory_load_sources (CPU)", load_cpu_ms, runs);
	report("inventory_to_json", json_ms, runs);
	r = 0;
out:
	free(load_ms);
	free(load_cpu_ms);
	free(json_ms);
	if (!keep)
		remove_tree(tree);
	return r;
}
