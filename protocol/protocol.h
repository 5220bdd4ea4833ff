/* The agent protocol's names, statuses and version: the one place that the
 * agent and the controller both take them from. docs/protocol.md is the full
 * schema. */
#ifndef ORCH_PROTOCOL_H
#define ORCH_PROTOCOL_H

#define ORCH_PROTOCOL_VERSION 1

/* Where the agent keeps its state on a node (all under the plan's root). */
#define ORCH_STATE_DIR "/var/lib/orch"
#define ORCH_BACKUP_DIR "/var/lib/orch/backup"
#define ORCH_BIN_DIR "/var/lib/orch/bin"
#define ORCH_PENDING_FILE "/var/lib/orch/refresh-pending"

/* Step names, in the order the controller compiles them. */
#define ORCH_STEP_FACTS "facts"
#define ORCH_STEP_DEVICES "devices"
#define ORCH_STEP_KERNEL_CMDLINE "kernel_cmdline"
#define ORCH_STEP_VFIO_MODULES "vfio_modules"
#define ORCH_STEP_VFIO_BIND "vfio_bind"
#define ORCH_STEP_HOST_DRIVERS "host_drivers"
#define ORCH_STEP_UNSAFE_INTERRUPTS "unsafe_interrupts"
#define ORCH_STEP_IGNORE_MSRS "ignore_msrs"
#define ORCH_STEP_REFRESH "refresh"
#define ORCH_STEP_VERIFY "verify"
#define ORCH_STEP_REBOOT "reboot"
#define ORCH_STEP_ROLLBACK "rollback"
#define ORCH_STEP_MAINTENANCE "maintenance"
#define ORCH_STEP_GUESTS "guests"
#define ORCH_STEP_PCI_MAPPING "pci_mapping"
#define ORCH_STEP_HA_SERVICES "ha_services"
#define ORCH_STEP_CEPH_NOOUT "ceph_noout"
#define ORCH_STEP_CEPH_HEALTH "ceph_health"

/* A step's outcome; the names are what the protocol's "status" carries. */
enum orch_status {
	ORCH_OK,
	ORCH_CHANGED,
	ORCH_FAILED,
	ORCH_SKIPPED,
};

/* Returns "ok", "skipped", "changed" or "failed". */
const char *orch_status_name(enum orch_status status);

/* Stores the status named name in *out; returns 0, or -1 for any other name
 * (NULL included). */
int orch_status_parse(const char *name, enum orch_status *out);

/* The kinds of line the agent writes: a result per step, then a summary;
 * or, for a plan it refuses, one error line. */
enum orch_message {
	ORCH_MSG_RESULT,
	ORCH_MSG_SUMMARY,
	ORCH_MSG_ERROR,
};

/* Returns "result", "summary" or "error". */
const char *orch_message_name(enum orch_message type);

/* Stores the kind of line named name in *out; returns 0 or -1. */
int orch_message_parse(const char *name, enum orch_message *out);

/* Agent exit codes. */
#define ORCH_AGENT_EXIT_OK 0
#define ORCH_AGENT_EXIT_FAILED 1   /* a step failed */
#define ORCH_AGENT_EXIT_BADPLAN 2  /* the plan was refused; nothing was done */

/* Files the agent owns on a node (drop-ins; the admin's own files are only
 * edited where there is no drop-in mechanism: /etc/modules and
 * /etc/kernel/cmdline). */
#define ORCH_GRUB_DROPIN "/etc/default/grub.d/orch.cfg"
#define ORCH_MODPROBE_VFIO "/etc/modprobe.d/orch-vfio-pci.conf"
#define ORCH_MODPROBE_HOST_DRIVERS "/etc/modprobe.d/orch-host-drivers.conf"
#define ORCH_MODPROBE_UNSAFE_IRQ "/etc/modprobe.d/orch-unsafe-interrupts.conf"
#define ORCH_MODPROBE_KVM "/etc/modprobe.d/orch-kvm.conf"
/* initramfs-tools copies /etc/initramfs-tools/scripts/ into every image it
 * builds; init-top scripts run before udev's coldplug (docs/agent.md). */
#define ORCH_INITRAMFS_BIND "/etc/initramfs-tools/scripts/init-top/orch-vfio-pci"
/* Written by orch before the init-top script took its place; removed. */
#define ORCH_UDEV_RULES "/etc/udev/rules.d/80-orch-vfio-pci.rules"

#endif
