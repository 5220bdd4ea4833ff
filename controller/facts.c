#include "facts.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "fleet.h"
#include "json_writer.h"
#include "selector.h"

/* Whether the selector text sel (checked when the plan was compiled) picks
 * dev, a device of the facts. */
static int
selector_matches(const char *sel, json_t *dev)
{
	const char *addr = json_string_value(json_object_get(dev, "address"));
	const char *vendor = json_string_value(json_object_get(dev, "vendor"));
	const char *device = json_string_value(json_object_get(dev, "device"));
	struct orch_selector s;
	struct orch_pci_address a;

	if (addr == NULL || orch_pci_address_parse(&a, addr) != 0 ||
	    orch_selector_parse(&s, sel, strlen(sel)) != 0)
		return 0;
	return orch_selector_matches(&s, &a, vendor ? (unsigned)strtoul(vendor, NULL, 16) : 0x10000,
				     device ? (unsigned)strtoul(device, NULL, 16) : 0x10000);
}

/* Returns the devices of facts that the selectors pick (a new array). */
static json_t *
facts_select(json_t *facts, json_t *select)
{
	json_t *out = json_array(), *dev, *sel;
	size_t i, j;

	json_array_foreach(json_object_get(facts, "devices"), i, dev) {
		json_array_foreach(select, j, sel) {
			if (selector_matches(json_string_value(sel), dev)) {
				json_array_append(out, dev);
				break;
			}
		}
	}
	return out;
}

static json_t *
device_by_address(json_t *facts, const char *addr)
{
	json_t *dev;
	size_t i;

	json_array_foreach(json_object_get(facts, "devices"), i, dev) {
		const char *a = json_string_value(json_object_get(dev, "address"));

		if (a != NULL && strcmp(a, addr) == 0)
			return dev;
	}
	return NULL;
}

static int
in_selection(json_t *selected, const char *addr)
{
	json_t *dev;
	size_t i;

	json_array_foreach(selected, i, dev) {
		if (strcmp(json_string_value(json_object_get(dev, "address")), addr) == 0)
			return 1;
	}
	return 0;
}

/* "isolated", "no IOMMU group", or "shares group with 0000:00:1f.3 ..." */
static void
isolation(json_t *facts, json_t *selected, json_t *dev, char *out, size_t outlen)
{
	json_t *m;
	size_t i, used = 0;

	if (!json_is_integer(json_object_get(dev, "iommu_group"))) {
		snprintf(out, outlen, "no IOMMU group");
		return;
	}
	out[0] = '\0';
	json_array_foreach(json_object_get(dev, "group_members"), i, m) {
		const char *addr = json_string_value(m);
		json_t *md = addr ? device_by_address(facts, addr) : NULL;
		const char *cls = json_string_value(json_object_get(md, "class"));

		if (addr == NULL || in_selection(selected, addr) || (cls && strncmp(cls, "0604", 4) == 0))
			continue;
		used += (size_t)snprintf(out + used, used < outlen ? outlen - used : 0, "%s%s",
					 used ? " " : "not isolated: shares its group with ", addr);
	}
	if (out[0] == '\0')
		snprintf(out, outlen, "isolated");
}

static const char *
str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

/* s, which came from a node, fit for a terminal (escape.h). */
static const char *
clean(char *buf, size_t len, const char *s)
{
	return orch_escape(buf, len, s, strlen(s), 0);
}

static const char *
yes_no(json_t *v)
{
	return json_is_true(v) ? "yes" : json_is_false(v) ? "no" : "?";
}

static void
print_device(FILE *out, json_t *facts, json_t *selected, json_t *dev, int show_isolation)
{
	char iso[512], group[32], b[7][512];
	json_t *g = json_object_get(dev, "iommu_group");

	if (json_is_integer(g))
		snprintf(group, sizeof(group), "%lld", (long long)json_integer_value(g));
	else
		snprintf(group, sizeof(group), "-");
	if (show_isolation)
		isolation(facts, selected, dev, iso, sizeof(iso));
	else
		iso[0] = '\0';
	fprintf(out, "  %-12s %s:%s %s %s  driver %s  group %s%s%s\n", clean(b[0], sizeof(b[0]), str(dev, "address", "?")),
		clean(b[1], sizeof(b[1]), str(dev, "vendor", "?")), clean(b[2], sizeof(b[2]), str(dev, "device", "?")),
		clean(b[3], sizeof(b[3]), str(dev, "vendor_name", "")), clean(b[4], sizeof(b[4]), str(dev, "device_name", "")),
		clean(b[5], sizeof(b[5]), str(dev, "driver", "-")), group, iso[0] ? "  " : "", clean(b[6], sizeof(b[6]), iso));
}

void
facts_print_table(FILE *out, const struct fleet *f, int all_devices)
{
	int w = 4;

	for (size_t i = 0; i < f->n; i++) {
		int n = (int)strlen(f->hosts[i].plan.target.name);

		w = n > w ? n : w;
	}
	fprintf(out, "%-*s  %-12s %-22s %-5s %-9s %s\n", w, "HOST", "LOADER", "KERNEL", "IOMMU", "IRQ-REMAP",
		"REBOOT-PENDING");
	for (size_t i = 0; i < f->n; i++) {
		const char *name = f->hosts[i].plan.target.name;
		const struct outcome *o = &f->hosts[i].outcome;
		json_t *select = f->hosts[i].plan.select;
		json_t *facts = outcome_facts(o), *selected, *dev;
		json_t *iommu = json_object_get(facts, "iommu");
		char b[3][512];
		size_t j;

		if (facts == NULL) {
			fprintf(out, "%-*s  %s: %s\n", w, name,
				o->state == HOST_UNREACHABLE ? "UNREACHABLE" : "FAILED",
				clean(b[0], sizeof(b[0]), o->msg ? o->msg : "no facts"));
			continue;
		}
		fprintf(out, "%-*s  %-12s %-22s %-5s %-9s %s\n", w, name,
			clean(b[1], sizeof(b[1]), str(json_object_get(facts, "boot"), "loader", "?")),
			clean(b[2], sizeof(b[2]), str(json_object_get(facts, "kernel"), "running", "?")),
			json_is_true(json_object_get(iommu, "active")) ? "on" : "off",
			yes_no(json_object_get(iommu, "interrupt_remapping")),
			yes_no(json_object_get(facts, "reboot_pending")));
		selected = facts_select(facts, select);
		if (all_devices) {
			json_array_foreach(json_object_get(facts, "devices"), j, dev)
				print_device(out, facts, selected, dev, in_selection(selected, str(dev, "address", "")));
		} else {
			json_array_foreach(selected, j, dev)
				print_device(out, facts, selected, dev, 1);
		}
		if (json_array_size(select) == 0)
			fprintf(out, "  (no passthrough devices selected)\n");
		else if (json_array_size(selected) == 0)
			fprintf(out, "  (the passthrough selectors match no device)\n");
		json_decref(selected);
		outcome_compact(o);
	}
}

void
facts_write_json(FILE *out, const struct results *r)
{
	const struct fleet *f = r->fleet;
	struct json_writer w;

	json_writer_open(&w, out);
	json_writer_member(&w, "orch", json_string(ORCH_VERSION));
	json_writer_begin(&w, "hosts");
	for (size_t i = 0; i < f->n; i++) {
		const char *name = f->hosts[i].plan.target.name;
		const struct outcome *o = &f->hosts[i].outcome;
		json_t *select = f->hosts[i].plan.select;
		json_t *facts = outcome_facts(o), *selected, *dev, *sel = json_array();
		size_t j;

		if (facts == NULL) {
			json_writer_member(&w, name, json_pack("{s:s,s:s?}",
				"status", o->state == HOST_UNREACHABLE ? "unreachable" : "failed", "msg", o->msg));
			json_decref(sel);
			continue;
		}
		selected = facts_select(facts, select);
		json_array_foreach(selected, j, dev) {
			char iso[512];

			isolation(facts, selected, dev, iso, sizeof(iso));
			json_array_append_new(sel, json_pack("{s:s,s:b,s:s}", "address", str(dev, "address", "?"),
				"isolated", strcmp(iso, "isolated") == 0, "isolation", iso));
		}
		json_decref(selected);
		json_writer_member(&w, name, json_pack("{s:s,s:O,s:O,s:o}", "status", "ok",
			"facts", facts, "passthrough", select, "selected", sel));
		outcome_compact(o);
	}
	json_writer_end(&w);
	json_writer_member(&w, "exit_status", json_integer(results_exit_status(r)));
	json_writer_end(&w);
}
