/* The node's PCI devices: libpci for the devices, their IDs, names,
 * drivers and IOMMU groups; sysfs for what libpci does not know (boot_vga,
 * reset methods, the network interfaces and disks under a device). */
#ifndef ORCH_AGENT_PCI_H
#define ORCH_AGENT_PCI_H

#include "agent.h"

/* Fills ag->facts.devs (sorted by address). Returns 0, or -1 with a message in err. */
int pci_gather(struct agent *ag, char *err, size_t errlen);
void pci_device_release(struct pci_device *d);
bool pci_is_vga(const struct pci_device *d);
json_t *pci_device_json(const struct agent *ag, const struct pci_device *d);

#endif
