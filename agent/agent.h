/* The agent's run context: the plan's settings, the node's facts (gathered
 * once, before any step) and what the steps have done so far. One struct,
 * passed down; the agent keeps no other mutable state. */
#ifndef ORCH_AGENT_H
#define ORCH_AGENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "util.h"

enum loader { LOADER_GRUB, LOADER_GRUB_PBT, LOADER_SYSTEMD_BOOT };
enum cpu_vendor { CPU_OTHER, CPU_INTEL, CPU_AMD };

struct pci_device {
	char addr[16];          /* "0000:01:00.0" */
	unsigned vendor, device, class_code; /* class_code: 0x0300 */
	unsigned subsys_vendor, subsys_device;
	char *vendor_name, *device_name;
	char *driver;           /* driver in use, NULL if none */
	char *module;           /* kernel module of that driver (or the driver's name) */
	char *modalias;         /* "pci:v000010DEd00001B81sv...", what picks its driver at boot */
	int group;              /* IOMMU group, -1 without */
	int boot_vga;           /* 1, 0, or -1 when the device has no boot_vga */
	bool bootfb;            /* a BOOTFB region lies in one of its BARs */
	bool bridge;
	struct strv reset_methods;
	struct strv net;        /* network interfaces under it */
	struct strv block;      /* block devices (whole disks) under it */
};

struct facts {
	char *hostname, *boot_id;
	enum cpu_vendor cpu;
	enum loader loader;
	bool uefi, secure_boot;
	struct strv boot_evidence;
	char *kernel_running, *kernel_target;
	bool intel_iommu_default_on, vfio_virqfd_module;
	char *cmdline_live, *cmdline_configured;
	char *cmdline_error;     /* why the configured cmdline could not be read */
	bool iommu_active;
	struct strv iommu_units;
	bool irq_remapping;
	char *irq_remapping_evidence;
	struct strv kernel_log;
	struct strv loaded_modules;
	struct pci_device *devs;
	size_t ndevs;
	/* Proxmox cluster and guests (pvecm, qm, pct) */
	bool cluster_member, quorate;
	char *cluster_name;
	struct strv running_guests;   /* "qm 100", "pct 201" */
};

struct selected {
	struct pci_device *dev;
	bool by_address;        /* bound through driver_override, not by ID */
	char builtin[64];       /* its driver, when built into the kernel that boots next; "" if not */
};

enum need { NEED_BOOT = 1, NEED_INITRAMFS = 2 };

struct agent {
	const char *root;       /* "" for the real root, else an absolute path without trailing '/' */
	const char *host;
	bool check, diff;
	struct facts facts;
	bool have_selection;
	struct selected *sel;
	size_t nsel;
	unsigned needs;         /* enum need bits: refreshes the changes so far call for */
	bool reboot_needed;
	FILE *out;
};

/* A path on the node: the plan's root joined with `path` (absolute). */
char *node_path(const struct agent *ag, const char *path);
/* Same, formatted. */
char *node_pathf(const struct agent *ag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One step's outcome, as printed on its result line. */
enum status { ST_OK, ST_CHANGED, ST_FAILED, ST_SKIPPED };

struct result {
	const char *name;
	enum status status;
	struct sb msg;
	json_t *diff;            /* array or NULL */
	json_t *commands;        /* array or NULL */
	json_t *facts;           /* object or NULL */
	bool reboot_needed;
};

void result_init(struct result *r, const char *name);
void result_release(struct result *r);
/* Sets the status, keeping the worst of the old and new (failed > changed > ok). */
void result_set(struct result *r, enum status st);
/* Appends "; "-separated text to the message. */
void result_msg(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fails the step with a message; returns -1 so steps can `return result_fail(...)`. */
int result_fail(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *status_name(enum status st);

/* A JSON array of the list's strings. */
json_t *strv_json(const struct strv *l);

#endif
