/* The VFIO proof's pieces that run without a VFIO device: where the ioctl
 * sequence stops on files that are not VFIO's, the group's holders from a
 * sysfs tree, and the processes that hold a file open. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "vfio.h"

static void a_missing_container_fails_at_its_open(void)
{
	struct vfio_proof p;
	CHECK(vfio_prove(&p, "/nonexistent/vfio", "/nonexistent/1", "0000:01:00.0", 0x10de, 0x1b80) == VFIO_FAILED);
	CHECK_STR(p.step, "open container");
	CHECK(strstr(p.error, "/nonexistent/vfio: No such file or directory") != NULL);
}

static void a_container_that_is_no_vfio_fails_at_the_api_version(void)
{
	struct vfio_proof p;
	CHECK(vfio_prove(&p, "/dev/null", "/dev/null", "0000:01:00.0", 0x10de, 0x1b80) == VFIO_FAILED);
	CHECK_STR(p.step, "VFIO_GET_API_VERSION");
	CHECK(p.iommu == NULL);
}

static char *tree(const char *rel)
{
	static char base[] = "/tmp/orch-test-vfio.XXXXXX";
	static bool made;
	if (!made) {
		CHECK(mkdtemp(base) != NULL);
		made = true;
	}
	return xasprintf("%s%s", base, rel);
}

static void remove_tree(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	free(cmd);
}

static void member(const char *addr, const char *driver)
{
	char *rel = xasprintf("/sys/kernel/iommu_groups/3/devices/%s", addr);
	char *dev = tree(rel);
	char *link = xasprintf("%s/driver", dev);
	free(rel);
	CHECK(mkdir_p(dev, 0755) == 0);
	if (driver) {
		char *target = xasprintf("../../../../bus/pci/drivers/%s", driver);
		CHECK(symlink(target, link) == 0);
		free(target);
	}
	free(link);
	free(dev);
}

static void holders_are_the_members_on_other_drivers(void)
{
	struct strv h = { 0 };
	char *root = tree("");
	member("0000:00:1c.0", "pcieport");
	member("0000:01:00.0", "vfio-pci");
	member("0000:01:00.1", "snd_hda_intel");
	member("0000:01:00.2", "pci-stub");
	member("0000:01:00.3", NULL);
	member("0000:01:00.4", "mlx5_vfio_pci");
	member("0000:00:1f.3", "snd_hda_intel");
	CHECK(vfio_group_holders(&h, root, 3) == 2);
	CHECK(h.n == 2);
	if (h.n == 2) {
		CHECK_STR(h.v[0], "0000:00:1f.3 is on snd_hda_intel");
		CHECK_STR(h.v[1], "0000:01:00.1 is on snd_hda_intel");
	}
	strv_release(&h);
	CHECK(vfio_group_holders(&h, root, 4) == -1);
	remove_tree(root);
	free(root);
}

static void users_are_the_processes_with_the_file_open(void)
{
	struct strv u = { 0 };
	char *path = tree("/dev-vfio-3"), *base = tree("");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	char *me = xasprintf("%d (", (int)getpid());
	CHECK(fd >= 0);
	CHECK(vfio_group_users(&u, "", path) == 1);
	CHECK(u.n == 1 && starts_with(u.v[0], me));
	close(fd);
	strv_release(&u);
	CHECK(vfio_group_users(&u, "", path) == 0);
	unlink(path);
	remove_tree(base);
	free(base);
	free(me);
	free(path);
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "a_missing_container_fails_at_its_open", a_missing_container_fails_at_its_open },
		{ "a_container_that_is_no_vfio_fails_at_the_api_version",
		  a_container_that_is_no_vfio_fails_at_the_api_version },
		{ "holders_are_the_members_on_other_drivers", holders_are_the_members_on_other_drivers },
		{ "users_are_the_processes_with_the_file_open", users_are_the_processes_with_the_file_open },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
