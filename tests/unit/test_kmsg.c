/* The kernel log record parser. */
#include "harness.h"
#include "kmsg.h"

static void reads_dev_kmsg_records_and_skips_continuations(void)
{
	const char log[] = "6,339,5140900,-;DMAR: IOMMU enabled\n"
	                   " SUBSYSTEM=pci\n"
	                   "6,340,5140901,-;pci 0000:00:02.0: Adding to iommu group 0\n"
	                   "4,341,5140902,c;e1000 0000:00:02.0 eth0: (PCI:33MHz:32-bit) 52:54:00:12:34:56\n"
	                   "6,342,5140903,-;DMAR-IR: Enabled IRQ remapping in x2apic mode\n";
	struct strv out = { 0 };
	kmsg_iommu_lines(log, sizeof(log) - 1, &out, 100);
	CHECK(out.n == 3);
	CHECK_STR(out.v[0], "DMAR: IOMMU enabled");
	CHECK_STR(out.v[1], "pci 0000:00:02.0: Adding to iommu group 0");
	CHECK_STR(out.v[2], "DMAR-IR: Enabled IRQ remapping in x2apic mode");
	strv_release(&out);
}

static void reads_klogctl_text(void)
{
	const char log[] = "<6>[    0.512000] AMD-Vi: Interrupt remapping enabled\n<4>[    1.0] unrelated\n";
	struct strv out = { 0 };
	kmsg_iommu_lines(log, sizeof(log) - 1, &out, 100);
	CHECK(out.n == 1);
	CHECK_STR(out.v[0], "AMD-Vi: Interrupt remapping enabled");
	strv_release(&out);
}

static void decodes_escapes_and_drops_control_bytes(void)
{
	const char log[] = "6,1,1,-;vfio-pci 0000:01:00.0: \\x41\\x07ok\x01\n";
	struct strv out = { 0 };
	kmsg_iommu_lines(log, sizeof(log) - 1, &out, 100);
	CHECK(out.n == 1);
	CHECK_STR(out.v[0], "vfio-pci 0000:01:00.0: Aok");
	strv_release(&out);
}

static void ignores_malformed_records_and_respects_the_limit(void)
{
	const char log[] = "garbage DMAR\n,;DMAR\nx,1;DMAR\n6,1,1,-;DMAR: a\n6,2,2,-;DMAR: b\n6,3,3,-;DMAR: c";
	struct strv out = { 0 };
	kmsg_iommu_lines(log, sizeof(log) - 1, &out, 2);
	CHECK(out.n == 2);
	CHECK_STR(out.v[0], "DMAR: a");
	strv_release(&out);
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "reads_dev_kmsg_records_and_skips_continuations", reads_dev_kmsg_records_and_skips_continuations },
		{ "reads_klogctl_text", reads_klogctl_text },
		{ "decodes_escapes_and_drops_control_bytes", decodes_escapes_and_drops_control_bytes },
		{ "ignores_malformed_records_and_respects_the_limit", ignores_malformed_records_and_respects_the_limit },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
