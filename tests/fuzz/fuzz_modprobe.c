/* The modprobe.d reader and the line disabler: any text parses, and once
 * every entry is disabled the text has no entry left (continuation lines
 * included), whatever the backslashes and comments around them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modprobe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct modprobe_config c = { 0 }, again = { 0 };
	struct mp_disable *d;

	modprobe_add_file(&c, "/etc/modprobe.d/fuzz.conf", text);
	modprobe_add_cmdline(&c, text);
	d = xcalloc(c.n + 1, sizeof(*d));
	size_t n = 0;
	for (size_t i = 0; i < c.n; i++) {
		char *v = modprobe_param(&c, c.e[i].module, "ids", NULL);
		free(v);
		if (c.e[i].file == 0)
			d[n++] = (struct mp_disable){ .e = &c.e[i], .why = "fuzz" };
	}
	char *out = modprobe_disable(&c, 0, d, n);
	modprobe_add_file(&again, "/etc/modprobe.d/fuzz.conf", out);
	if (again.n != 0)
		abort();
	free(out);
	free(d);
	modprobe_release(&again);
	modprobe_release(&c);
	free(text);
	return 0;
}
