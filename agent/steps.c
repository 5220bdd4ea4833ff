#include "steps.h"

#include <string.h>

#include "protocol.h"

static const char *const auto_yes_no[] = { "auto", "yes", "no", NULL };
static const char *const bind_by[] = { "auto", "id", "address", NULL };
static const char *const driver_modes[] = { "auto", "none", "list", NULL };

static const struct arg_spec no_args[] = { { 0 } };
static const struct arg_spec verify_args[] = {
	{ "select", ARG_SELECTORS, NULL },
	{ "unsafe_interrupts", ARG_CHOICE, auto_yes_no },
	{ 0 },
};
static const struct arg_spec devices_args[] = {
	{ "select", ARG_SELECTORS, NULL },
	{ "bind_by", ARG_CHOICE, bind_by },
	{ 0 },
};
static const struct arg_spec cmdline_args[] = {
	{ "iommu_pt", ARG_BOOL, NULL },
	{ "framebuffer", ARG_CHOICE, auto_yes_no },
	{ 0 },
};
static const struct arg_spec bind_args[] = {
	{ "disable_vga", ARG_CHOICE, auto_yes_no },
	{ 0 },
};
static const struct arg_spec driver_args[] = {
	{ "mode", ARG_CHOICE, driver_modes },
	{ "drivers", ARG_NAMES, NULL },
	{ 0 },
};
static const struct arg_spec unsafe_args[] = { { "mode", ARG_CHOICE, auto_yes_no }, { 0 } };
static const struct arg_spec msrs_args[] = { { "enable", ARG_BOOL, NULL }, { 0 } };
static const struct arg_spec pci_mapping_args[] = {
	{ "id", ARG_STRING, NULL },
	{ "map", ARG_STRINGS, NULL },
	{ "nodes", ARG_STRINGS, NULL },
	{ 0 },
};
static const struct arg_spec maintenance_args[] = {
	{ "enable", ARG_BOOL, NULL },
	{ "node", ARG_NAMES, NULL },
	{ 0 },
};
static const struct arg_spec noout_args[] = { { "set", ARG_BOOL, NULL }, { 0 } };
static const struct arg_spec reboot_args[] = { { "allow_guests", ARG_BOOL, NULL }, { 0 } };
static const struct arg_spec guests_args[] = {
	{ "mapping", ARG_ID, NULL },
	{ "vmids", ARG_VMIDS, NULL },
	{ "pcie", ARG_CHOICE, auto_yes_no },
	{ "x_vga", ARG_BOOL, NULL },
	{ "mapping_pending", ARG_BOOL, NULL },
	{ 0 },
};

static const struct step_kind kinds[] = {
	{ ORCH_STEP_FACTS, no_args, false, step_facts },
	{ ORCH_STEP_DEVICES, devices_args, false, step_devices },
	{ ORCH_STEP_KERNEL_CMDLINE, cmdline_args, true, step_kernel_cmdline },
	{ ORCH_STEP_VFIO_MODULES, no_args, false, step_vfio_modules },
	{ ORCH_STEP_VFIO_BIND, bind_args, true, step_vfio_bind },
	{ ORCH_STEP_HOST_DRIVERS, driver_args, true, step_host_drivers },
	{ ORCH_STEP_UNSAFE_INTERRUPTS, unsafe_args, false, step_unsafe_interrupts },
	{ ORCH_STEP_IGNORE_MSRS, msrs_args, false, step_ignore_msrs },
	{ ORCH_STEP_REFRESH, no_args, false, step_refresh },
	{ ORCH_STEP_VERIFY, verify_args, false, step_verify },
	{ ORCH_STEP_ROLLBACK, no_args, false, step_rollback },
	{ ORCH_STEP_REBOOT, reboot_args, false, step_reboot },
	{ ORCH_STEP_MAINTENANCE, maintenance_args, false, step_maintenance },
	{ ORCH_STEP_HA_SERVICES, no_args, false, step_ha_services },
	{ ORCH_STEP_CEPH_NOOUT, noout_args, false, step_ceph_noout },
	{ ORCH_STEP_CEPH_HEALTH, no_args, false, step_ceph_health },
	{ ORCH_STEP_PCI_MAPPING, pci_mapping_args, false, step_pci_mapping },
	{ ORCH_STEP_GUESTS, guests_args, false, step_guests },
};

const struct step_kind *step_kind_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

bool arg_bool(const struct step *st, const char *name, bool def)
{
	json_t *v = json_object_get(st->args, name);
	return v ? json_is_true(v) : def;
}

const char *arg_choice(const struct step *st, const char *name, const char *def)
{
	const char *s = json_string_value(json_object_get(st->args, name));
	return s ? s : def;
}
