/* The VFIO proof, in the order QEMU takes the steps (qemu
 * hw/vfio/container.c: vfio_connect_container, vfio_get_iommu_type,
 * vfio_get_device; hw/vfio/pci.c: the config region read). What makes a
 * group viable is the kernel's: drivers/vfio/group.c
 * (vfio_group_ioctl_get_status: VFIO_GROUP_FLAGS_VIABLE unless a member's
 * driver claimed the group's DMA ownership) and the drivers that set
 * driver_managed_dma (vfio-pci and its variants, pci-stub, pcieport); before
 * 5.19 drivers/vfio/vfio.c's vfio_dev_driver_allowed had the same list. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfio.h"

static enum vfio_outcome failed(struct vfio_proof *out, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum vfio_outcome failed(struct vfio_proof *out, const char *step, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	out->step = step;
	out->outcome = VFIO_FAILED;
	return out->outcome;
}

enum vfio_outcome vfio_prove(struct vfio_proof *out, const char *container, const char *group, const char *addr,
                             unsigned vendor, unsigned device)
{
	int cfd = -1, gfd = -1, dfd = -1;
	bool attached = false;
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info region = { .argsz = sizeof(region), .index = VFIO_PCI_CONFIG_REGION_INDEX };
	unsigned char id[4];
	ssize_t n;
	int v, type;

	memset(out, 0, sizeof(*out));
	out->outcome = VFIO_USABLE;
	cfd = open(container, O_RDWR | O_CLOEXEC);
	if (cfd < 0) {
		failed(out, "open container", "%s: %s", container, strerror(errno));
		goto out;
	}
	v = ioctl(cfd, VFIO_GET_API_VERSION);
	if (v != VFIO_API_VERSION) {
		failed(out, "VFIO_GET_API_VERSION", "%s: %s", container,
		       v < 0 ? strerror(errno) : "API version not the one this agent speaks");
		goto out;
	}
	if (ioctl(cfd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0) {
		type = VFIO_TYPE1v2_IOMMU;
		out->iommu = "type1v2";
	} else if (ioctl(cfd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0) {
		type = VFIO_TYPE1_IOMMU;
		out->iommu = "type1";
	} else {
		failed(out, "VFIO_CHECK_EXTENSION", "%s has no type 1 IOMMU (is vfio_iommu_type1 loaded?)", container);
		goto out;
	}
	gfd = open(group, O_RDWR | O_CLOEXEC);
	if (gfd < 0) {
		failed(out, "open group", "%s: %s", group, strerror(errno));
		/* the kernel lets one opener hold a group: a guest does */
		if (errno == EBUSY)
			out->outcome = VFIO_BUSY;
		goto out;
	}
	if (ioctl(gfd, VFIO_GROUP_GET_STATUS, &status) < 0) {
		failed(out, "VFIO_GROUP_GET_STATUS", "%s: %s", group, strerror(errno));
		goto out;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		failed(out, "VFIO_GROUP_GET_STATUS", "%s is not viable", group);
		goto out;
	}
	if (ioctl(gfd, VFIO_GROUP_SET_CONTAINER, &cfd) < 0) {
		failed(out, "VFIO_GROUP_SET_CONTAINER", "%s: %s", group, strerror(errno));
		goto out;
	}
	attached = true;
	if (ioctl(cfd, VFIO_SET_IOMMU, type) < 0) {
		failed(out, "VFIO_SET_IOMMU", "%s: %s: %s", container, out->iommu, strerror(errno));
		goto out;
	}
	dfd = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, addr);
	if (dfd < 0) {
		failed(out, "VFIO_GROUP_GET_DEVICE_FD", "%s in %s: %s", addr, group, strerror(errno));
		goto out;
	}
	if (ioctl(dfd, VFIO_DEVICE_GET_INFO, &info) < 0) {
		failed(out, "VFIO_DEVICE_GET_INFO", "%s: %s", addr, strerror(errno));
		goto out;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) || info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
		failed(out, "VFIO_DEVICE_GET_INFO", "%s: not a PCI device to vfio (flags 0x%x, %u regions)", addr,
		       info.flags, info.num_regions);
		goto out;
	}
	if (ioctl(dfd, VFIO_DEVICE_GET_REGION_INFO, &region) < 0) {
		failed(out, "VFIO_DEVICE_GET_REGION_INFO", "%s: config region: %s", addr, strerror(errno));
		goto out;
	}
	if (!(region.flags & VFIO_REGION_INFO_FLAG_READ) || region.size < sizeof(id)) {
		failed(out, "VFIO_DEVICE_GET_REGION_INFO", "%s: config region not readable (flags 0x%x, size %llu)",
		       addr, region.flags, (unsigned long long)region.size);
		goto out;
	}
	n = pread(dfd, id, sizeof(id), (off_t)region.offset);
	if (n != (ssize_t)sizeof(id)) {
		failed(out, "pread config", "%s: %s", addr, n < 0 ? strerror(errno) : "short read");
		goto out;
	}
	/* PCI config space is little-endian */
	if ((unsigned)(id[0] | id[1] << 8) != vendor || (unsigned)(id[2] | id[3] << 8) != device)
		failed(out, "pread config", "%s: config space says %02x%02x:%02x%02x, sysfs %04x:%04x", addr, id[1],
		       id[0], id[3], id[2], vendor, device);
out:
	/* reverse order: the device, the group out of the container, the group, the container */
	if (dfd >= 0)
		close(dfd);
	if (attached && ioctl(gfd, VFIO_GROUP_UNSET_CONTAINER) < 0 && out->outcome == VFIO_USABLE)
		failed(out, "VFIO_GROUP_UNSET_CONTAINER", "%s: %s", group, strerror(errno));
	if (gfd >= 0)
		close(gfd);
	if (cfd >= 0)
		close(cfd);
	return out->outcome;
}

static bool driver_keeps_group_viable(const char *drv)
{
	return strstr(drv, "vfio") || strcmp(drv, "pci-stub") == 0 || strcmp(drv, "pcieport") == 0;
}

int vfio_group_holders(struct strv *out, const char *root, int group)
{
	char *dir = xasprintf("%s/sys/kernel/iommu_groups/%d/devices", root, group);
	struct strv members = { 0 };
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d) {
		free(dir);
		return -1;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			strv_push(&members, e->d_name);
	closedir(d);
	strv_sort(&members);
	for (size_t i = 0; i < members.n; i++) {
		char *link = xasprintf("%s/%s/driver", dir, members.v[i]);
		char *drv = link_basename(link);
		if (drv && !driver_keeps_group_viable(drv)) {
			strv_push_own(out, xasprintf("%s is on %s", members.v[i], drv));
			n++;
		}
		free(drv);
		free(link);
	}
	strv_release(&members);
	free(dir);
	return n;
}

int vfio_group_users(struct strv *out, const char *root, const char *path)
{
	char *procdir = xasprintf("%s/proc", root);
	DIR *p = opendir(procdir);
	struct dirent *e;
	int n = 0;

	if (!p) {
		free(procdir);
		return 0;
	}
	while ((e = readdir(p))) {
		char *end, *fddir, *commpath, *comm;
		bool holds = false;
		DIR *fds;
		struct dirent *f;

		strtol(e->d_name, &end, 10);
		if (!*e->d_name || *end)
			continue;
		fddir = xasprintf("%s/%s/fd", procdir, e->d_name);
		fds = opendir(fddir);
		while (fds && !holds && (f = readdir(fds))) {
			char *l = xasprintf("%s/%s", fddir, f->d_name);
			char target[PATH_MAX];
			ssize_t len = readlink(l, target, sizeof(target) - 1);
			if (len > 0) {
				target[len] = '\0';
				holds = strcmp(target, path) == 0;
			}
			free(l);
		}
		if (fds)
			closedir(fds);
		free(fddir);
		if (!holds)
			continue;
		commpath = xasprintf("%s/%s/comm", procdir, e->d_name);
		comm = read_line(commpath);
		strv_push_own(out, xasprintf("%s (%s)", e->d_name, comm ? comm : "?"));
		free(comm);
		free(commpath);
		n++;
	}
	closedir(p);
	free(procdir);
	return n;
}
