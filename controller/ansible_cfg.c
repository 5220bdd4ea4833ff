#include "ansible_cfg.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"

/* A setting: its section and key in ansible.cfg, its environment variable,
 * the values with which Ansible connects as orch does (NULL-terminated,
 * compared without case; NULL: every value is warned about), and what orch
 * does instead. Names and sections: ansible-core config/base.yml. */
static const struct setting {
	const char *section, *key, *env;
	const char *const *same;
	const char *instead;
} settings[] = {
	{"defaults", "remote_user", "ANSIBLE_REMOTE_USER", NULL, "use ansible_user in the inventory"},
	{"defaults", "remote_port", "ANSIBLE_REMOTE_PORT", NULL, "use ansible_port in the inventory"},
	{"defaults", "private_key_file", "ANSIBLE_PRIVATE_KEY_FILE", NULL,
	 "use ansible_ssh_private_key_file in the inventory, or -i"},
	{"defaults", "host_key_checking", "ANSIBLE_HOST_KEY_CHECKING",
	 (const char *const[]){"true", "yes", "on", "1", "y", "t", NULL},
	 "orch always checks host keys: --known-hosts, --accept-new"},
	{"defaults", "timeout", "ANSIBLE_TIMEOUT", NULL, "use -T/--timeout"},
	{"defaults", "forks", "ANSIBLE_FORKS", NULL, "use -f/--forks"},
	{"privilege_escalation", "become", "ANSIBLE_BECOME",
	 (const char *const[]){"false", "no", "off", "0", "n", "f", NULL}, "use ansible_become in the inventory"},
	{"privilege_escalation", "become_user", "ANSIBLE_BECOME_USER", (const char *const[]){"root", NULL},
	 "the agent runs as root"},
	{"privilege_escalation", "become_method", "ANSIBLE_BECOME_METHOD", (const char *const[]){"sudo", NULL},
	 "orch becomes root with sudo -n"},
	{"ssh_connection", "ssh_args", "ANSIBLE_SSH_ARGS", NULL, "use a Host block of ~/.ssh/config"},
	{"ssh_connection", "ssh_common_args", "ANSIBLE_SSH_COMMON_ARGS", NULL, "use a Host block of ~/.ssh/config"},
	{"ssh_connection", "ssh_extra_args", "ANSIBLE_SSH_EXTRA_ARGS", NULL, "use a Host block of ~/.ssh/config"},
};

static int
readable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && access(path, R_OK) == 0;
}

int
ansible_cfg_find(char *path, size_t pathlen)
{
	const char *env = getenv("ANSIBLE_CONFIG"), *home = getenv("HOME");
	char cwd[4096];
	struct stat st;

	if (env != NULL) {
		if (stat(env, &st) == 0 && S_ISDIR(st.st_mode))
			snprintf(path, pathlen, "%s/ansible.cfg", env);
		else
			snprintf(path, pathlen, "%s", env);
		if (readable_file(path))
			return 1;
	}
	/* a world-writable directory is not a source: anyone could put one there */
	if (getcwd(cwd, sizeof(cwd)) != NULL && stat(cwd, &st) == 0 && !(st.st_mode & S_IWOTH) &&
	    readable_file("ansible.cfg")) {
		snprintf(path, pathlen, "%s/ansible.cfg", cwd);
		return 1;
	}
	if (home != NULL && home[0] != '\0') {
		snprintf(path, pathlen, "%s/.ansible.cfg", home);
		if (readable_file(path))
			return 1;
	}
	snprintf(path, pathlen, "/etc/ansible/ansible.cfg");
	return readable_file(path);
}

static int
same_as_orch(const struct setting *s, const char *value)
{
	if (s->same == NULL)
		return 0;
	for (const char *const *v = s->same; *v != NULL; v++) {
		if (strcasecmp(value, *v) == 0)
			return 1;
	}
	return 0;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* The settings of the INI file at path (Python's configparser: [section],
 * key = value or key: value, keys without case, # and ; comment lines, an
 * inline comment after " ;"). */
static size_t
warn_file(FILE *out, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096], section[256] = "", shown[300];
	size_t count = 0, lineno = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *l = line, *sep, *key, *value, *c;

		lineno++;
		/* an indented line goes on the value before it */
		if (isspace((unsigned char)l[0]) && trim(l)[0] != '\0')
			continue;
		l = trim(l);
		if (l[0] == '\0' || l[0] == '#' || l[0] == ';')
			continue;
		if (l[0] == '[') {
			if ((c = strchr(l, ']')) != NULL) {
				*c = '\0';
				snprintf(section, sizeof(section), "%s", l + 1);
			}
			continue;
		}
		if ((sep = strpbrk(l, "=:")) == NULL)
			continue;
		*sep = '\0';
		key = trim(l);
		value = sep + 1;
		for (c = value; (c = strchr(c, ';')) != NULL; c++) {
			if (c > value && isspace((unsigned char)c[-1])) {
				*c = '\0';
				break;
			}
		}
		value = trim(value);
		for (size_t k = 0; k < sizeof(settings) / sizeof(settings[0]); k++) {
			const struct setting *s = &settings[k];

			if (strcmp(section, s->section) != 0 || strcasecmp(key, s->key) != 0 || same_as_orch(s, value))
				continue;
			orch_escape(shown, sizeof(shown), value, strlen(value), 200);
			fprintf(out, "orch: warning: %s:%zu: [%s] %s = %s is not read by orch (%s)\n", path, lineno,
				s->section, s->key, shown, s->instead);
			count++;
		}
	}
	fclose(f);
	return count;
}

size_t
ansible_cfg_warn(FILE *out)
{
	char path[4200], shown[300];
	size_t count = 0;

	if (ansible_cfg_find(path, sizeof(path)))
		count += warn_file(out, path);
	for (size_t k = 0; k < sizeof(settings) / sizeof(settings[0]); k++) {
		const struct setting *s = &settings[k];
		const char *v = getenv(s->env);

		if (v == NULL || same_as_orch(s, v))
			continue;
		orch_escape(shown, sizeof(shown), v, strlen(v), 200);
		fprintf(out, "orch: warning: the environment's %s=%s is not read by orch (%s)\n", s->env, shown,
			s->instead);
		count++;
	}
	return count;
}
