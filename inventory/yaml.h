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
 * off booleans, 0b/0NNN/0x/sexagesimal integers such as 82:00 = 4920, ~ and
 * null, dates as their isoformat() text); a `!vault` value becomes
 * {"__ansible_vault": "<ciphertext>"} and an `!unsafe` string
 * {"__ansible_unsafe": "<text>"}, as ansible-inventory prints them; keys that
 * are not strings become the text json.dumps gives them (1, true, null).
 * What Ansible warns about (a key given twice, in its words) and keys it
 * prints alike (1 and "1": the later value is kept, as a JSON reader keeps
 * it) are appended to WARNINGS as "FILE:LINE:COL: message" (WARNINGS may be
 * NULL). docs/data-files.md has the rules. 0 on success; -1 with
 * "FILE:LINE:COL: message" (or "FILE: message") in err, also for what
 * Ansible reads but JSON cannot hold: NaN, infinities, integers beyond 64
 * bits, bytes, sets, dates as keys, recursive aliases, and documents aliases
 * expand beyond a million values. The value shares nothing with others.
 * FILENAME is only used in messages.
 */
int inv_yaml_parse(const char *filename, const char *text, size_t len, json_t **out,
		   struct strvec *warnings, char *err, size_t errlen);

/*
 * The Python type of a plain (unquoted, untagged) mapping key written TEXT,
 * as PyYAML's resolver and constructor make it: "str", "bool", "int",
 * "float", "NoneType", "date" or "datetime" ("yes" is a bool, "82:00" an
 * int, "1e3" a str); "merge" for `<<`. Exact and cheap: for callers that
 * must tell a key's type from a libyaml node, as the yaml inventory plugin
 * does for group and host names.
 */
const char *inv_yaml_key_type(const char *text, size_t len);

#endif
