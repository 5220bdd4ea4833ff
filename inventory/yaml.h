/*
 * Data files as ansible-core loads them (DataLoader.load / from_yaml): JSON
 * first, then one YAML document through Ansible's loader (PyYAML's YAML 1.1
 * resolver with Ansible's constructor). Internal to inventory/.
 */
#ifndef ORCH_INVENTORY_YAML_H
#define ORCH_INVENTORY_YAML_H

#include <stddef.h>

#include <jansson.h>

#include "inventory_private.h"

/*
 * Parses LEN bytes of TEXT into *OUT, a new reference to the JSON value
 * `ansible-inventory --list` would print for the data (JSON null for an empty
 * document). YAML 1.1 types are resolved as PyYAML resolves them (yes/no/on/
 * off booleans, 0o/0x/sexagesimal integers, ~ and null); a `!vault` value
 * becomes {"__ansible_vault": "<ciphertext>"} as Ansible prints it; `!unsafe`
 * is a string. What Ansible warns about (a key given twice) is appended to
 * WARNINGS as "FILE:LINE:COL: message" (WARNINGS may be NULL). 0 on success;
 * -1 with "FILE:LINE:COL: message" in err. FILENAME is only used in messages.
 */
int inv_yaml_parse(const char *filename, const char *text, size_t len, json_t **out,
		   struct strvec *warnings, char *err, size_t errlen);

#endif
