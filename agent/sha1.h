/* SHA-1, for the digest Proxmox's section-config files carry: the API's
 * `digest` is sha1_hex of the file's bytes (pve-common SectionConfig.pm,
 * parse_config), which `pvesh set --digest` compares with the file as it is
 * when it writes. Not used for anything that needs a secure hash. */
#ifndef ORCH_AGENT_SHA1_H
#define ORCH_AGENT_SHA1_H

#include <stddef.h>

/* Writes the 40 lower-case hex digits of SHA-1(data) and a NUL to hex. */
void sha1_hex(const void *data, size_t len, char hex[41]);

#endif
