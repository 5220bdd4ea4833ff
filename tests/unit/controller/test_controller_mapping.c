/*
 * PCI resource mappings (protocol/pcimap.c, controller/mapping.c): the entry
 * schema of pve-guest-common's PVE/Mapping/PCI.pm, its assert_valid (what
 * qemu-server checks at every VM start), an entry built from a node's facts,
 * and the cluster checks. What tests/controller/pci_mapping_*.sh see
 * through sshd, rule by rule.
 */
#include "compile.h"

#include "mapping.h"
#include "pcimap.h"

/* A node's facts: a GPU (01:00.0, 10de:1b81, subsystem 1462:3302, group 1)
 * with its audio function (01:00.1, 10de:10f0), a second GPU alone in 02:00
 * (10de:1b80, no subsystem, group 2), and a NIC (03:00.0). */
#define DEVICES                                                                                              \
	"[{\"address\": \"0000:01:00.0\", \"vendor\": \"10de\", \"device\": \"1b81\", \"subsystem_vendor\": \"1462\"," \
	" \"subsystem_device\": \"3302\", \"iommu_group\": 1},"                                                     \
	" {\"address\": \"0000:01:00.1\", \"vendor\": \"10de\", \"device\": \"10f0\", \"subsystem_vendor\": \"1462\"," \
	" \"subsystem_device\": \"3302\", \"iommu_group\": 1},"                                                     \
	" {\"address\": \"0000:02:00.0\", \"vendor\": \"10de\", \"device\": \"1b80\", \"subsystem_vendor\": null,"    \
	" \"subsystem_device\": null, \"iommu_group\": 2},"                                                         \
	" {\"address\": \"0000:03:00.0\", \"vendor\": \"8086\", \"device\": \"1572\", \"subsystem_vendor\": \"8086\"," \
	" \"subsystem_device\": \"0000\", \"iommu_group\": null}]"

static json_t *
facts(const char *hostname)
{
	char text[2048];
	json_t *f;

	snprintf(text, sizeof(text), "{\"hostname\": \"%s\", \"devices\": " DEVICES "}", hostname);
	f = json_loads(text, 0, NULL);
	if (f == NULL)
		abort();
	return f;
}

/* The entry built for selectors sel (a JSON array), formatted; or the error. */
static void
built(const char *hostname, const char *sel, const char *want)
{
	json_t *f = facts(hostname), *s = json_loads(sel, 0, NULL);
	struct pcimap_entry e;
	char err[512], *text;

	if (mapping_entry_from_facts(&e, f, s, err, sizeof(err)) != 0) {
		CHECK_STR(err, want);
	} else {
		text = pcimap_entry_format(&e);
		CHECK_STR(text, want);
		free(text);
		pcimap_entry_release(&e);
	}
	json_decref(f);
	json_decref(s);
}

static void
entry_is_built_from_the_facts(void)
{
	/* every function of the slot: the slot, the attributes of function 0 */
	built("pve1.example.org", "[\"01:00\"]",
	      "node=pve1,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1");
	built("pve1", "[\"0000:01:00.0\", \"0000:01:00.1\"]",
	      "node=pve1,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1");
	/* one function of two: the function */
	built("pve1", "[\"0000:01:00.1\"]", "node=pve1,path=0000:01:00.1,id=10de:10f0,subsystem-id=1462:3302,iommugroup=1");
	/* no subsystem ID, an IOMMU group; no IOMMU group */
	built("pve1", "[\"10de:1b80\"]", "node=pve1,path=0000:02:00,id=10de:1b80,iommugroup=2");
	built("pve1", "[\"03:00.0\"]", "node=pve1,path=0000:03:00,id=8086:1572,subsystem-id=8086:0000");
}

static void
entry_of_devices_of_two_ids_or_none_is_refused(void)
{
	built("pve1", "[\"01:00\", \"02:00\"]",
	      "0000:01:00.0 (10de:1b81, subsystem 1462:3302) and 0000:02:00.0 (10de:1b80, subsystem none) are "
	      "selected: the paths of one mapping entry are alternatives of one kind and must have one id and "
	      "subsystem-id");
	built("pve1", "[\"05:00\"]", "no device of passthrough [\"05:00\"] on node 'pve1'");
	built("pve_1", "[\"01:00\"]", "hostname 'pve_1' is not a Proxmox node name");
}

static int
parsed(const char *s, const char *want_err)
{
	struct pcimap_entry e;
	char err[512] = "";
	int rc = pcimap_entry_parse(&e, s, err, sizeof(err));

	if (rc == 0)
		pcimap_entry_release(&e);
	if (want_err != NULL)
		CHECK_STR(err, want_err);
	return rc;
}

static void
entries_are_checked_against_the_schema(void)
{
	CHECK(parsed("node=pve1,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1", NULL) == 0);
	CHECK(parsed("id=10DE:1B81,path=0000:01:00.0;0000:02:00.0,node=pve-1,description=GPU", NULL) == 0);
	CHECK(parsed("node=pve1,path=0000:01:00,id=10de:1b81,,", NULL) == 0);
	CHECK(parsed("node=pve1,path=0000:01:00", "property 'id' is missing") == -1);
	CHECK(parsed("node=pve1,path=0000:01:00,id=10de:1b8", "id: '10de:1b8' does not match the regex pattern (VVVV:DDDD)") ==
	      -1);
	CHECK(parsed("node=pve1,path=0000:01:0A,id=10de:1b81",
		     "path: '0000:01:0A' does not match the regex pattern (0000:01:00[.0][;...], lower case)") == -1);
	CHECK(parsed("node=-pve1,path=0000:01:00,id=10de:1b81", "node: '-pve1' does not look like a valid node name") == -1);
	CHECK(parsed("node=pve1,path=0000:01:00,id=10de:1b81,iommugroup=x", "iommugroup: 'x' is not an integer") == -1);
	CHECK(parsed("node=pve1,path=0000:01:00,id=10de:1b81,mdev=1",
		     "invalid key in comma-separated list property: mdev") == -1);
	CHECK(parsed("node=pve1,node=pve2,path=0000:01:00,id=10de:1b81",
		     "duplicate key in comma-separated list property: node") == -1);
	CHECK(parsed("node=pve1,path,id=10de:1b81", "'path' is not key=value") == -1);
	CHECK(pcimap_valid_id("gpu") && pcimap_valid_id("G_1-x") && !pcimap_valid_id("g") && !pcimap_valid_id("1gpu") &&
	      !pcimap_valid_id("gpu.a") && !pcimap_valid_id(""));
}

/* assert_valid of the entry text against the facts' devices. */
static void
asserted(const char *entry, const char *want_err)
{
	json_t *f = facts("pve1");
	struct pcimap_entry e;
	char err[512] = "";

	CHECK(pcimap_entry_parse(&e, entry, err, sizeof(err)) == 0);
	if (want_err == NULL) {
		CHECK(mapping_check_entry("gpu", &e, f, err, sizeof(err)) == 0);
		CHECK_STR(err, "");
	} else {
		CHECK(mapping_check_entry("gpu", &e, f, err, sizeof(err)) == -1);
		CHECK_STR(err, want_err);
	}
	pcimap_entry_release(&e);
	json_decref(f);
}

static void
assert_valid_checks_as_qemu_server_does(void)
{
	asserted("node=pve1,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1", NULL);
	/* a slot is checked as its function 0 */
	asserted("node=pve1,path=0000:02:00,id=10de:1b80,iommugroup=2", NULL);
	asserted("node=pve1,path=0000:01:00,id=10de:1b81,iommugroup=1",
		 "missing expected property 'subsystem-id' for device '0000:01:00.0'");
	asserted("node=pve1,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302",
		 "missing expected property 'iommugroup' for device '0000:01:00.0'");
	asserted("node=pve1,path=0000:02:00,id=10de:1b80,subsystem-id=1462:3302,iommugroup=2",
		 "unexpected property 'subsystem-id' configured for device '0000:02:00.0'");
	asserted("node=pve1,path=0000:03:00.0,id=8086:1572,subsystem-id=8086:0000,iommugroup=3",
		 "unexpected property 'iommugroup' configured for device '0000:03:00.0'");
	asserted("node=pve1,path=0000:01:00,id=10de:1b80,subsystem-id=1462:3302,iommugroup=1",
		 "'id' does not match for 'gpu' (10de:1b81 != 10de:1b80)");
	/* Proxmox compares strings: sysfs has lower case */
	asserted("node=pve1,path=0000:01:00,id=10DE:1B81,subsystem-id=1462:3302,iommugroup=1",
		 "'id' does not match for 'gpu' (10de:1b81 != 10DE:1B81)");
	asserted("node=pve1,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=9",
		 "'iommugroup' does not match for 'gpu' (1 != 9)");
	asserted("node=pve1,path=0000:05:00,id=10de:1b81", "pci device '0000:05:00.0' not found");
	/* the IOMMU group of the first path only; id and subsystem-id of each */
	asserted("node=pve1,path=0000:01:00.0;0000:01:00.1,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1",
		 "'id' does not match for 'gpu' (10de:10f0 != 10de:1b81)");
}

static void
cluster_checks_name_the_host(void)
{
	const char *hosts[] = {"n1", "n2", "n3"};
	json_t *f[3];
	char err[512];

	f[0] = json_loads("{\"cluster\": {\"member\": true, \"name\": \"a\", \"quorate\": true}}", 0, NULL);
	f[1] = json_loads("{\"cluster\": {\"member\": true, \"name\": \"a\", \"quorate\": false}}", 0, NULL);
	f[2] = json_loads("{\"cluster\": {\"member\": true, \"name\": \"b\", \"quorate\": true}}", 0, NULL);
	CHECK(mapping_check_cluster("gpu", hosts, f, 1, err, sizeof(err)) == 0);
	CHECK(mapping_check_cluster("gpu", hosts, f, 2, err, sizeof(err)) == -1);
	CHECK_STR(err, "mapping 'gpu' not written: n2: cluster 'a' is not quorate (pvecm status), and /etc/pve is "
		  "read-only without quorum");
	CHECK(mapping_check_cluster("gpu", hosts, f, 3, err, sizeof(err)) == -1);
	CHECK_STR(err, "mapping 'gpu' not written: its nodes are not of one cluster: n1 is in cluster 'a', n3 in 'b'");
	json_decref(f[1]);
	f[1] = json_loads("{\"cluster\": {\"member\": false, \"name\": null, \"quorate\": false}}", 0, NULL);
	CHECK(mapping_check_cluster("gpu", hosts, f, 2, err, sizeof(err)) == -1);
	CHECK_STR(err, "mapping 'gpu' not written: n2 is not a member of a Proxmox cluster (no /etc/pve/corosync.conf), "
		  "and a mapping lives in the cluster's /etc/pve");
	for (int k = 0; k < 3; k++)
		json_decref(f[k]);
}

int
main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "entry_is_built_from_the_facts", entry_is_built_from_the_facts },
		{ "entry_of_devices_of_two_ids_or_none_is_refused", entry_of_devices_of_two_ids_or_none_is_refused },
		{ "entries_are_checked_against_the_schema", entries_are_checked_against_the_schema },
		{ "assert_valid_checks_as_qemu_server_does", assert_valid_checks_as_qemu_server_does },
		{ "cluster_checks_name_the_host", cluster_checks_name_the_host },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
