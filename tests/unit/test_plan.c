/* Plan validation: a bad plan is refused whole, naming the field at fault. */
#include "harness.h"
#include "plan.h"

static int parse(const char *text, char *err, size_t n)
{
	struct plan p;
	int r = plan_parse(&p, text, strlen(text), err, n);
	if (r == 0)
		plan_release(&p);
	return r;
}

#define REFUSED_WITH(text, needle)                                                  \
	do {                                                                        \
		char err[512] = "";                                                 \
		CHECK(parse(text, err, sizeof(err)) == -1);                         \
		if (!strstr(err, needle)) {                                         \
			fprintf(stderr, "%s:%d: error [%s] lacks [%s]\n", __FILE__, __LINE__, err, needle); \
			harness_failures++;                                         \
		}                                                                   \
	} while (0)

static void accepts_the_documented_example(void)
{
	char err[256] = "";
	CHECK(parse("{\"version\":1,\"host\":\"pve1\",\"check\":false,\"diff\":true,\"root\":\"/\",\"steps\":["
	            "{\"name\":\"facts\"},{\"name\":\"devices\",\"args\":{\"select\":[\"01:00\"],\"bind_by\":\"auto\"}},"
	            "{\"name\":\"kernel_cmdline\",\"args\":{\"iommu_pt\":false,\"framebuffer\":\"auto\"}},"
	            "{\"name\":\"vfio_modules\"},{\"name\":\"vfio_bind\",\"args\":{\"disable_vga\":\"auto\"}},"
	            "{\"name\":\"host_drivers\",\"args\":{\"mode\":\"auto\"}},"
	            "{\"name\":\"unsafe_interrupts\",\"args\":{\"mode\":\"auto\"}},"
	            "{\"name\":\"ignore_msrs\",\"args\":{\"enable\":false}},{\"name\":\"refresh\"}]}",
	            err, sizeof(err)) == 0);
	CHECK_STR(err, "");
}

static void refuses_malformed_json_with_its_position(void)
{
	REFUSED_WITH("{\"version\":1,", "not valid JSON at line 1");
}

static void refuses_another_version(void)
{
	REFUSED_WITH("{\"version\":2,\"steps\":[]}", "version 2 is not supported");
}

static void refuses_unknown_fields_steps_and_arguments(void)
{
	REFUSED_WITH("{\"version\":1,\"steps\":[],\"force\":true}", "unknown field 'force'");
	REFUSED_WITH("{\"version\":1,\"steps\":[{\"name\":\"vfio_bnd\"}]}", "steps[0]: unknown step 'vfio_bnd'");
	REFUSED_WITH("{\"version\":1,\"steps\":[{\"name\":\"ignore_msrs\",\"args\":{\"on\":true}}]}",
	             "unknown argument 'on'");
	REFUSED_WITH("{\"version\":1,\"steps\":[{\"name\":\"ignore_msrs\",\"args\":{\"enable\":\"yes\"}}]}",
	             "'enable' must be true or false");
	REFUSED_WITH("{\"version\":1,\"steps\":[{\"name\":\"unsafe_interrupts\",\"args\":{\"mode\":\"maybe\"}}]}",
	             "must be one of auto yes no");
}

static void refuses_bad_selectors_and_driver_names(void)
{
	REFUSED_WITH("{\"version\":1,\"steps\":[{\"name\":\"devices\",\"args\":{\"select\":[\"zz:00\"]}}]}",
	             "bad selector 'zz:00'");
	REFUSED_WITH("{\"version\":1,\"steps\":[{\"name\":\"devices\",\"args\":{\"select\":[\"00:20.0\"]}}]}",
	             "bad selector");
	REFUSED_WITH("{\"version\":1,\"steps\":[{\"name\":\"devices\",\"args\":{\"select\":[\"-1:00\"]}}]}",
	             "bad selector");
	REFUSED_WITH("{\"version\":1,\"steps\":[{\"name\":\"devices\",\"args\":{\"select\":[\"01:00\"]}},"
	             "{\"name\":\"host_drivers\",\"args\":{\"mode\":\"list\",\"drivers\":[\"x;reboot\"]}}]}",
	             "is not a module name");
}

static void refuses_steps_that_need_a_selection_without_one(void)
{
	REFUSED_WITH("{\"version\":1,\"steps\":[{\"name\":\"vfio_bind\"}]}", "needs a 'devices' step before it");
}

static void refuses_roots_that_are_not_normalised(void)
{
	REFUSED_WITH("{\"version\":1,\"root\":\"srv/node\",\"steps\":[]}", "'root'");
	REFUSED_WITH("{\"version\":1,\"root\":\"/srv/../etc\",\"steps\":[]}", "'root'");
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "accepts_the_documented_example", accepts_the_documented_example },
		{ "refuses_malformed_json_with_its_position", refuses_malformed_json_with_its_position },
		{ "refuses_another_version", refuses_another_version },
		{ "refuses_unknown_fields_steps_and_arguments", refuses_unknown_fields_steps_and_arguments },
		{ "refuses_bad_selectors_and_driver_names", refuses_bad_selectors_and_driver_names },
		{ "refuses_steps_that_need_a_selection_without_one", refuses_steps_that_need_a_selection_without_one },
		{ "refuses_roots_that_are_not_normalised", refuses_roots_that_are_not_normalised },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
