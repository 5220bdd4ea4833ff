/* ceph_noout and ceph_health: the cluster-wide Ceph steps of a rolling
 * reboot, run on one member. `noout` keeps the OSDs of a rebooting node from
 * being marked out (and their data moved) while it is down; the health the
 * cluster had before the rollout is what the next batch waits for. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "steps.h"

/* The OSD map's flags from `ceph osd dump --format json`: "flags_set" (an
 * array), or "flags" (a comma-separated string) in older releases. Returns
 * 1 when noout is set, 0 when not, -1 (r failed) when it cannot tell. */
static int noout_is_set(struct agent *ag, struct result *r)
{
	const char *const argv[] = { "ceph", "osd", "dump", "--format", "json", NULL };
	char *out = cmd_output(ag, argv, 60);
	json_t *doc, *set, *v;
	json_error_t jerr;
	const char *flags;
	size_t i;
	int found = 0;

	if (!out)
		return result_fail(r, "'ceph osd dump --format json' failed or ceph is not installed");
	doc = json_loads(out, 0, &jerr);
	free(out);
	if (!doc)
		return result_fail(r, "'ceph osd dump --format json': not JSON (%s)", jerr.text);
	if (json_is_array(set = json_object_get(doc, "flags_set"))) {
		json_array_foreach(set, i, v)
			found |= json_is_string(v) && strcmp(json_string_value(v), "noout") == 0;
	} else if ((flags = json_string_value(json_object_get(doc, "flags")))) {
		for (const char *p = flags; (p = strstr(p, "noout")); p += 5)
			found |= (p == flags || p[-1] == ',') && (p[5] == '\0' || p[5] == ',');
	} else {
		json_decref(doc);
		return result_fail(r, "'ceph osd dump --format json' has no flags");
	}
	json_decref(doc);
	return found;
}

int step_ceph_noout(struct agent *ag, const struct step *st, struct result *r)
{
	bool want = arg_bool(st, "set", true);
	const char *const argv[] = { "ceph", "osd", want ? "set" : "unset", "noout", NULL };
	int is = noout_is_set(ag, r);

	if (is < 0)
		return -1;
	r->facts = json_pack("{s:b}", "was_set", is);
	if (is == want) {
		result_msg(r, "noout %s", is ? "already set (left set)" : "not set");
		return 0;
	}
	if (cmd_run(ag, r, argv, 60) != 0)
		return -1;
	result_set(r, ORCH_CHANGED);
	result_msg(r, "noout %s", want ? "set" : "unset");
	return 0;
}

/* `ceph health detail --format json`: {"status": "HEALTH_WARN", "checks":
 * {"OSD_DOWN": {"severity": ..., "summary": {"message": "1 osds down"}}}}. */
int step_ceph_health(struct agent *ag, const struct step *st, struct result *r)
{
	const char *const argv[] = { "ceph", "health", "detail", "--format", "json", NULL };
	char *out = cmd_output(ag, argv, 60);
	json_t *doc, *checks, *c, *names;
	json_error_t jerr;
	const char *status, *name;
	struct sb m;

	(void)st;
	if (!out)
		return result_fail(r, "'ceph health detail --format json' failed or ceph is not installed");
	doc = json_loads(out, 0, &jerr);
	free(out);
	if (!doc)
		return result_fail(r, "'ceph health detail --format json': not JSON (%s)", jerr.text);
	status = json_string_value(json_object_get(doc, "status"));
	checks = json_object_get(doc, "checks");
	if (!status || (checks && !json_is_object(checks))) {
		json_decref(doc);
		return result_fail(r, "'ceph health detail --format json' has no status");
	}
	names = json_object();
	sb_init(&m);
	sb_adds(&m, status);
	json_object_foreach(checks, name, c) {
		const char *msg = json_string_value(json_object_get(json_object_get(c, "summary"), "message"));
		json_object_set_new(names, name, json_string(msg ? msg : ""));
		sb_addf(&m, "%s %s (%s)", m.len == strlen(status) ? ":" : ",", name, msg ? msg : "");
	}
	r->facts = json_pack("{s:s, s:o}", "status", status, "checks", names);
	result_msg(r, "%s", m.s);
	sb_release(&m);
	json_decref(doc);
	return 0;
}
