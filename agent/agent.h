/* The agent's run context: the plan's settings, the node's facts (gathered
 * once, before any step) and what the steps have done so far. One struct,
 * passed down; the agent keeps no other mutable state. */
#ifndef ORCH_AGENT_H
#define ORCH_AGENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "protocol.h"
#include "util.h"

/* The boot loader: of the node as a whole (LOADER_MIXED: its ESPs disagree),
 * of one ESP, or the one that booted now. */
enum loader { LOADER_GRUB, LOADER_GRUB_PBT, LOADER_SYSTEMD_BOOT, LOADER_MIXED, LOADER_NONE, LOADER_UNKNOWN };
/* Where the next boot reads its command line from: a set of these bits. */
enum cmdline_source {
	SRC_KERNEL_CMDLINE = 1, /* first line of /etc/kernel/cmdline: systemd-boot entries on the ESPs */
	SRC_GRUB_DEFAULTS = 2,  /* GRUB_CMDLINE_LINUX(_DEFAULT) of /etc/default/grub and its grub.d drop-ins */
};
/* CPU_ZHAOXIN: Zhaoxin and Centaur, whose IOMMU is VT-d (intel_iommu=). */
enum cpu_vendor { CPU_OTHER, CPU_INTEL, CPU_AMD, CPU_ZHAOXIN };

struct pci_device {
	char addr[16];          /* "0000:01:00.0" */
	unsigned vendor, device, class_code; /* class_code: 0x0300 */
	unsigned subsys_vendor, subsys_device;
	bool has_subsys;        /* the subsystem IDs are known (sysfs has them) */
	char *vendor_name, *device_name;
	char *driver;           /* driver in use, NULL if none */
	char *module;           /* kernel module of that driver (or the driver's name) */
	char *modalias;         /* "pci:v000010DEd00001B81sv...", what picks its driver at boot */
	int group;              /* IOMMU group, -1 without */
	int boot_vga;           /* 1, 0, or -1 when the device has no boot_vga */
	bool bootfb;            /* a firmware framebuffer (BOOTFB, efifb or vesafb region of
	                           /proc/iomem) lies in one of its BARs */
	bool bridge;
	struct strv reset_methods;
	struct strv net;        /* network interfaces under it */
	struct strv block;      /* block devices (whole disks) under it */
};

/* One ESP of /etc/kernel/proxmox-boot-uuids and the loader it boots next,
 * as proxmox-boot-tool's sync hook decides it (LOADER_GRUB_PBT,
 * LOADER_SYSTEMD_BOOT; LOADER_NONE: the hook skips it). */
struct esp {
	char *uuid;
	bool present;           /* /dev/disk/by-uuid/<uuid> exists */
	enum loader loader;
	char *evidence;         /* the status line or hint that decided */
};

struct facts {
	char *hostname, *boot_id;
	enum cpu_vendor cpu;
	enum loader loader;     /* what boots next: GRUB, GRUB_PBT, SYSTEMD_BOOT or MIXED */
	enum loader booted;     /* what booted now: GRUB, SYSTEMD_BOOT or UNKNOWN */
	bool uefi, secure_boot;
	bool pbt;               /* /etc/kernel/proxmox-boot-uuids exists: the ESPs are published to */
	struct esp *esps;       /* its entries, in its order */
	size_t nesps;
	unsigned cmdline_sources; /* enum cmdline_source bits the next boot reads */
	struct strv boot_evidence;
	char *kernel_running, *kernel_target;
	char *kernel_target_from;     /* what decided the target: a pin file, GRUB_DEFAULT, newest installed */
	char *kernel_target_unresolved; /* why the pin or GRUB_DEFAULT named no installed kernel, or NULL */
	char *kernel_after;           /* the kernel the boot after the next one boots, when
	                                 /etc/kernel/next-boot-pin decides the next one; else NULL */
	struct strv kernels_installed; /* /boot/vmlinuz-*, newest first */
	struct strv kernels_vtd_off;  /* installed kernels whose config leaves VT-d off */
	bool intel_iommu_default_on, vfio_virqfd_module;
	char *cmdline_live, *cmdline_configured;
	char *cmdline_error;     /* why the configured cmdline could not be read */
	enum cmdline_source cmdline_configured_source; /* whose line cmdline_configured is */
	char *cmdline_kernel, *cmdline_kernel_error; /* each source's configured line, when read next */
	char *cmdline_grub, *cmdline_grub_error;
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
	struct strv ceph_osds;        /* the OSD ids this node runs ("0", "3") */
	bool ceph_cluster;            /* the cluster has Ceph (/etc/pve/ceph.conf) */
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
struct result {
	const char *name;
	enum orch_status status;
	struct sb msg;
	json_t *diff;            /* array or NULL */
	json_t *commands;        /* array or NULL */
	json_t *facts;           /* object or NULL */
	bool reboot_needed;
};

void result_init(struct result *r, const char *name);
void result_release(struct result *r);
/* Sets the status, keeping the worst of the old and new (failed > changed > ok). */
void result_set(struct result *r, enum orch_status st);
/* Appends "; "-separated text to the message. */
void result_msg(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fails the step with a message; returns -1 so steps can `return result_fail(...)`. */
int result_fail(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a file's change to the result's diff: both texts whole (NULL for a
 * file that is not there) and their unified diff. */
void result_add_diff(struct result *r, const char *path, const char *before, const char *after);
/* A JSON array of the list's strings. */
json_t *strv_json(const struct strv *l);

#endif
