/*
 * Times the inventory library on a large generated inventory, the shape a
 * real fleet has: groups of nodes with inline connection vars, group vars,
 * parent groups, a GPU group cutting across them.
 *
 *   inventory_bench [HOSTS [RUNS]] [--write FILE]
 *
 * Prints the median and best wall time of inventory_parse() (and of the
 * variable merge it includes), inventory_to_json() and one inventory_match()
 * over RUNS runs (default 10000 hosts, 7 runs). --write also saves the
 * generated file, e.g. to time `ansible-inventory --list` on it. Exits 1 when
 * the parsed inventory does not hold the hosts generated.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inventory.h"

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

static void
generate(struct text *t, int hosts)
{
	int per_group = 100, groups = (hosts + per_group - 1) / per_group;

	add(t, "# generated: %d hosts in %d groups\n[all:vars]\nansible_user=root\nreboot=auto\n\n", hosts, groups);
	for (int g = 0; g < groups; g++) {
		add(t, "[pve_%03d]\n", g);
		for (int h = g * per_group; h < hosts && h < (g + 1) * per_group; h++) {
			add(t, "node%05d.dc%d.example.com ansible_host=10.%d.%d.%d", h, g % 4, (h >> 16) & 255,
			    (h >> 8) & 255, h & 255);
			if (h % 10 == 0)
				add(t, " passthrough=0000:%02x:00.0,10de:1b81 iommu_pt=True", h % 256);
			if (h % 7 == 0)
				add(t, " ansible_port=2222 note=\"rack %d, slot %d\"", h / 40, h % 40);
			add(t, "\n");
		}
		add(t, "\n[pve_%03d:vars]\nsite=dc%d\nbind_by=auto\n\n", g, g % 4);
	}
	add(t, "[proxmox:children]\n");
	for (int g = 0; g < groups; g++)
		add(t, "pve_%03d\n", g);
	add(t, "\n[gpu]\n");
	for (int h = 0; h < hosts; h += 10)
		add(t, "node%05d.dc%d.example.com\n", h, (h / per_group) % 4);
	add(t, "\n[gpu:vars]\ndisable_vga=auto\nignore_msrs=yes\n");
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
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
	printf("%-34s median %8.2f ms   best %8.2f ms   (%d runs)\n", what, ms[runs / 2], ms[0], runs);
}

int
main(int argc, char **argv)
{
	int hosts = 10000, runs = 7, positional = 0;
	const char *write_to = NULL;
	struct text t = { 0 };
	double *parse_ms, *json_ms, *match_ms;
	size_t selected_count = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--write") == 0 && i + 1 < argc)
			write_to = argv[++i];
		else if (positional++ == 0)
			hosts = atoi(argv[i]);
		else
			runs = atoi(argv[i]);
	}
	if (hosts < 1 || runs < 1) {
		fprintf(stderr, "usage: inventory_bench [HOSTS [RUNS]] [--write FILE]\n");
		return 2;
	}
	generate(&t, hosts);
	if (write_to) {
		FILE *f = fopen(write_to, "w");

		if (f == NULL || fwrite(t.p, 1, t.n, f) != t.n || fclose(f) != 0) {
			perror(write_to);
			return 2;
		}
	}
	parse_ms = calloc((size_t)runs, sizeof(double));
	json_ms = calloc((size_t)runs, sizeof(double));
	match_ms = calloc((size_t)runs, sizeof(double));
	printf("inventory: %d hosts, %.2f MB of INI\n", hosts, (double)t.n / 1e6);
	for (int r = 0; r < runs; r++) {
		struct inventory *inv;
		char err[512];
		unsigned char *sel = malloc((size_t)hosts);
		json_t *j;
		double t0;

		t0 = now_ms();
		if (inventory_parse(&inv, "bench.ini", t.p, t.n, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		parse_ms[r] = now_ms() - t0;
		if (inventory_host_count(inv) != (size_t)hosts) {
			fprintf(stderr, "parsed %zu hosts, generated %d\n", inventory_host_count(inv), hosts);
			return 1;
		}
		t0 = now_ms();
		j = inventory_to_json(inv);
		json_ms[r] = now_ms() - t0;
		if (j == NULL) {
			fprintf(stderr, "inventory_to_json failed\n");
			return 1;
		}
		json_decref(j);
		t0 = now_ms();
		if (inventory_match(inv, "proxmox:&gpu:!*.dc3.example.com", sel, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		match_ms[r] = now_ms() - t0;
		selected_count = 0;
		for (int i = 0; i < hosts; i++)
			selected_count += sel[i];
		free(sel);
		inventory_free(inv);
	}
	report("inventory_parse (parse + merge)", parse_ms, runs);
	report("inventory_to_json", json_ms, runs);
	report("inventory_match (3 parts)", match_ms, runs);
	printf("match selected %zu hosts\n", selected_count);
	free(parse_ms);
	free(json_ms);
	free(match_ms);
	free(t.p);
	return 0;
}
