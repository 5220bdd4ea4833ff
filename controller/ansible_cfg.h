/* Ansible's own settings that change how it connects and that orch does
 * not read: from the ansible.cfg Ansible would read and from its ANSIBLE_*
 * environment variables. orch takes its connection from the inventory, its
 * options and ~/.ssh/config; a setting it passes over is said, never
 * dropped without a word. */
#ifndef ORCH_ANSIBLE_CFG_H
#define ORCH_ANSIBLE_CFG_H

#include <stddef.h>
#include <stdio.h>

/* The ansible.cfg Ansible reads (ansible-core config/manager.py,
 * find_ini_config_file: the first that exists and can be read of
 * $ANSIBLE_CONFIG, a file or a directory holding ansible.cfg; ./ansible.cfg
 * unless the directory is world-writable; ~/.ansible.cfg;
 * /etc/ansible/ansible.cfg) into path, or 0 with none. */
int ansible_cfg_find(char *path, size_t pathlen);

/* Writes a warning to out for each such setting, in that file (section and
 * key, its line) and in the environment, with what orch reads instead.
 * Returns the number of warnings. */
size_t ansible_cfg_warn(FILE *out);

#endif
