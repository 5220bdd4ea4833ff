/* The passthrough selectors, as users write them and plans carry them:
 *   0000:82:00.0 or 82:00.0   one function (lspci -D and lspci's forms)
 *   0000:82:00 or 82:00       every function of a slot
 *   10de:1b81                 every device with that vendor:device ID
 * A missing domain is 0000, as in lspci and Proxmox's hostpci. Hex digits
 * in either case. The one grammar of the controller (inventory values,
 * the facts table) and the agent (plans). */
#ifndef ORCH_SELECTOR_H
#define ORCH_SELECTOR_H

#include <stddef.h>

enum orch_selector_kind {
	ORCH_SEL_FUNCTION,
	ORCH_SEL_SLOT,
	ORCH_SEL_ID,
};

struct orch_selector {
	enum orch_selector_kind kind;
	unsigned domain, bus, slot, func;   /* ORCH_SEL_FUNCTION, ORCH_SEL_SLOT */
	unsigned vendor, device;            /* ORCH_SEL_ID */
};

/* A PCI function's address as the kernel names it, 0000:82:00.0. */
struct orch_pci_address {
	unsigned domain, bus, slot, func;
};

/* Parses the n bytes at s as one selector into *out. Returns 0, or -1 when
 * they are none of the forms above (a slot above 1f or a function above 7
 * included). */
int orch_selector_parse(struct orch_selector *out, const char *s, size_t n);

/* Parses a full address (0000:82:00.0) into *out; returns 0 or -1. */
int orch_pci_address_parse(struct orch_pci_address *out, const char *s);

/* Whether sel picks the function at addr with IDs vendor:device. */
int orch_selector_matches(const struct orch_selector *sel, const struct orch_pci_address *addr,
			  unsigned vendor, unsigned device);

#endif
