/* `proxmox-boot-tool status` as proxmox-kernel-helper's _status_detail prints
 * it, and the loader its sync hook (zz-proxmox-boot) then uses per ESP. */
#include <stdlib.h>

#include "esp.h"
#include "harness.h"

/* PVE 8 after `proxmox-boot-tool init <esp> grub` on the second ESP: the
 * loader.conf stays, and `ls EFI/proxmox` lists GRUB's files as versions. */
static const char pve8[] =
	"Re-executing '/usr/sbin/proxmox-boot-tool' in new private mount namespace..\n"
	"System currently booted with uefi\n"
	"WARN: /dev/disk/by-uuid/0C1D-2E3F does not exist - clean '/etc/kernel/proxmox-boot-uuids'! - skipping\n"
	"8F22-7B5D is configured with: uefi (versions: 6.5.11-8-pve, 6.5.13-5-pve)\n"
	"8F23-3F8E is configured with: uefi (versions: 6.5.11-8-pve, 6.5.13-5-pve, grub.cfg, grubx64.efi, "
	"shimx64.efi), grub (versions: 6.5.11-8-pve, 6.5.13-5-pve)\n"
	"4A1B-2C3D is configured with: grub (versions: 6.8.12-4-pve)\n"
	"9E9E-0000 is configured with: \n";

static void reads_each_esps_kinds_from_pve8_status(void)
{
	char *line = NULL;

	CHECK(pbt_status_kinds(pve8, "8F22-7B5D", &line) == ESP_KIND_SDBOOT);
	CHECK_STR(line, "8F22-7B5D is configured with: uefi (versions: 6.5.11-8-pve, 6.5.13-5-pve)");
	free(line);
	CHECK(pbt_status_kinds(pve8, "8F23-3F8E", NULL) == (ESP_KIND_SDBOOT | ESP_KIND_GRUB));
	CHECK(pbt_status_kinds(pve8, "4A1B-2C3D", NULL) == ESP_KIND_GRUB);
	CHECK(pbt_status_kinds(pve8, "9E9E-0000", NULL) == 0);
}

static void reads_pve9_systemd_boot_kind(void)
{
	const char out[] = "System currently booted with uefi\n"
	                   "B1E4-07A9 is configured with: systemd-boot (versions: 6.14.8-2-pve)\n";
	CHECK(pbt_status_kinds(out, "B1E4-07A9", NULL) == ESP_KIND_SDBOOT);
}

static void an_esp_without_a_line_or_with_another_format_is_not_guessed(void)
{
	char *line = NULL;

	/* skipped with a WARN (no by-uuid link): no line */
	CHECK(pbt_status_kinds(pve8, "0C1D-2E3F", NULL) == -1);
	/* a prefix of a listed UUID is another UUID */
	CHECK(pbt_status_kinds(pve8, "8F22-7B5", NULL) == -1);
	CHECK(pbt_status_kinds("", "8F22-7B5D", NULL) == -1);
	CHECK(pbt_status_kinds("8F22-7B5D is configured with: refind (versions: 1)\n", "8F22-7B5D", &line) == -2);
	CHECK_STR(line, "8F22-7B5D is configured with: refind (versions: 1)");
	free(line);
	CHECK(pbt_status_kinds("8F22-7B5D is configured with: grub (versions: 6.8\n", "8F22-7B5D", NULL) == -2);
	CHECK(pbt_status_kinds("8F22-7B5D is configured with: grub (versions: 6.8) uefi\n", "8F22-7B5D", NULL) == -2);
}

static void grub_on_the_esp_boots_next_even_beside_systemd_boot(void)
{
	CHECK(esp_hook_loader(ESP_KIND_SDBOOT | ESP_KIND_GRUB, true) == LOADER_GRUB_PBT);
	CHECK(esp_hook_loader(ESP_KIND_GRUB, true) == LOADER_GRUB_PBT);
	CHECK(esp_hook_loader(ESP_KIND_SDBOOT, true) == LOADER_SYSTEMD_BOOT);
	CHECK(esp_hook_loader(ESP_KIND_GRUB, false) == LOADER_GRUB_PBT);
	/* legacy BIOS boots GRUB only; an ESP set up with nothing is skipped */
	CHECK(esp_hook_loader(ESP_KIND_SDBOOT, false) == LOADER_NONE);
	CHECK(esp_hook_loader(0, true) == LOADER_NONE);
}

static void uuid_check_is_the_hooks(void)
{
	CHECK(esp_uuid_valid("8F22-7B5D"));
	CHECK(esp_uuid_valid("8f22-7b5d"));
	CHECK(esp_uuid_valid(" 8F22-7B5D trailing"));
	CHECK(!esp_uuid_valid("8F22_7B5D"));
	CHECK(!esp_uuid_valid("# comment"));
	CHECK(!esp_uuid_valid(""));
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "reads_each_esps_kinds_from_pve8_status", reads_each_esps_kinds_from_pve8_status },
		{ "reads_pve9_systemd_boot_kind", reads_pve9_systemd_boot_kind },
		{ "an_esp_without_a_line_or_with_another_format_is_not_guessed",
		  an_esp_without_a_line_or_with_another_format_is_not_guessed },
		{ "grub_on_the_esp_boots_next_even_beside_systemd_boot", grub_on_the_esp_boots_next_even_beside_systemd_boot },
		{ "uuid_check_is_the_hooks", uuid_check_is_the_hooks },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
