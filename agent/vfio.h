/* The VFIO proof: a selected device opened the way QEMU opens it, through
 * the container, its group and the device's config region, and closed
 * again so that it is left as it was found. */
#ifndef ORCH_AGENT_VFIO_H
#define ORCH_AGENT_VFIO_H

#include "util.h"

/* How the proof ended. VFIO_BUSY: the group is open elsewhere (a guest has
 * the device), so it could not be tried; that is no fault of the device. */
enum vfio_outcome { VFIO_USABLE, VFIO_FAILED, VFIO_BUSY };

struct vfio_proof {
	enum vfio_outcome outcome;
	const char *step;       /* the ioctl or call that failed or found the group busy; NULL when usable */
	char error[256];        /* why, errno text included; "" when usable */
	const char *iommu;      /* "type1v2" or "type1" once chosen (VFIO_SET_IOMMU), else NULL */
};

/* Opens `container` (/dev/vfio/vfio) and `group` (/dev/vfio/<N>), checks the
 * API version and that the group is viable, attaches the group with a type 1
 * IOMMU (v2 where the kernel has it), gets the device `addr`'s fd and reads
 * its config header through VFIO_PCI_CONFIG_REGION_INDEX, whose vendor and
 * device must be `vendor`, `device`. Everything opened is closed again, the
 * group taken out of the container first. Fills `out`; returns its outcome. */
enum vfio_outcome vfio_prove(struct vfio_proof *out, const char *container, const char *group, const char *addr,
                             unsigned vendor, unsigned device);

/* The members of IOMMU group `group` under `root` ("" for the running
 * system; its /sys/kernel/iommu_groups/<group>/devices) that keep the group
 * from being viable: those bound to a driver that is neither a vfio driver
 * nor one the kernel lets a vfio group share (pci-stub, pcieport). Appends
 * "<address> is on <driver>" to `out`, in address order; returns how many,
 * or -1 when the group cannot be listed. */
int vfio_group_holders(struct strv *out, const char *root, int group);

/* The processes under `root` with `path` (/dev/vfio/<N>) open, as "<pid>
 * (<comm>)", appended to `out`; returns how many. */
int vfio_group_users(struct strv *out, const char *root, const char *path);

#endif
