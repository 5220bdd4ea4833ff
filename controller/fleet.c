#include "fleet.h"

#include <stdlib.h>
#include <string.h>

#include "inventory/inventory.h"

int
fleet_build(struct fleet *out, const struct inventory *inv, const struct options *opts, FILE *errf)
{
	size_t total = inventory_host_count(inv), n = 0;
	const char *limit = opts->limit ? opts->limit : "all";
	unsigned char *selected = calloc(total ? total : 1, 1);
	char err[1024];
	int bad = 0;

	*out = (struct fleet){0};
	if (selected == NULL)
		goto oom;
	if (inventory_match(inv, limit, selected, err, sizeof(err)) != 0) {
		fprintf(errf, "orch: %s\n", err);
		free(selected);
		return -1;
	}
	for (size_t i = 0; i < total; i++)
		n += selected[i] != 0;
	if (n == 0) {
		char sources[1024];

		fprintf(errf, "orch: no hosts match '%s' in '%s'\n", limit, cli_sources(opts, sources, sizeof(sources)));
		free(selected);
		return -1;
	}
	if ((out->hosts = calloc(n, sizeof(*out->hosts))) == NULL)
		goto oom;
	for (size_t i = 0; i < total; i++) {
		struct host *h = &out->hosts[out->n];

		if (!selected[i])
			continue;
		if (plan_compile(&h->plan, inv, i, opts, err, sizeof(err)) != 0) {
			fprintf(errf, "orch: %s\n", err);
			bad = 1;
			continue;
		}
		out->n++;
		if ((h->plan_text = json_dumps(h->plan.plan, JSON_COMPACT)) == NULL)
			goto oom;
		if (strlen(h->plan_text) > PLAN_ARG_MAX) {
			fprintf(errf, "orch: the plan of host '%s' is %zu bytes: more than the %d orch sends a node\n",
				h->plan.target.name, strlen(h->plan_text), PLAN_ARG_MAX);
			bad = 1;
		}
	}
	free(selected);
	if (bad) {
		fleet_release(out);
		return -1;
	}
	return 0;
oom:
	fputs("orch: out of memory\n", errf);
	free(selected);
	fleet_release(out);
	return -1;
}

void
fleet_release(struct fleet *f)
{
	for (size_t i = 0; i < f->n; i++) {
		plan_release(&f->hosts[i].plan);
		free(f->hosts[i].plan_text);
	}
	free(f->hosts);
	*f = (struct fleet){0};
}
