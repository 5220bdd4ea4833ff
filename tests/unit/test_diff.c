/* Unified diffs for diff mode, checked against what `diff -u` accepts. */
#include "diff.h"
#include "harness.h"

static void new_file_is_all_additions(void)
{
	char *d = unified_diff("/etc/x", NULL, "a\nb\n");
	CHECK_STR(d, "--- /dev/null\n+++ /etc/x\n@@ -0,0 +1,2 @@\n+a\n+b\n");
	free(d);
}

static void removed_file_is_all_deletions(void)
{
	char *d = unified_diff("/etc/x", "a\n", NULL);
	CHECK_STR(d, "--- /etc/x\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n");
	free(d);
}

static void appended_line_gets_three_lines_of_context(void)
{
	char *d = unified_diff("/etc/modules", "1\n2\n3\n4\n5\n", "1\n2\n3\n4\n5\nvfio\n");
	CHECK_STR(d, "--- /etc/modules\n+++ /etc/modules\n@@ -3,3 +3,4 @@\n 3\n 4\n 5\n+vfio\n");
	free(d);
}

static void distant_changes_make_two_hunks(void)
{
	char *d = unified_diff("f", "a\n1\n2\n3\n4\n5\n6\n7\n8\nz\n", "A\n1\n2\n3\n4\n5\n6\n7\n8\nZ\n");
	CHECK_STR(d, "--- f\n+++ f\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-z\n+Z\n");
	free(d);
}

static void equal_texts_give_nothing(void)
{
	char *d = unified_diff("f", "same\n", "same\n");
	CHECK_STR(d, "");
	free(d);
}

static void missing_final_newline_is_marked(void)
{
	char *d = unified_diff("f", "a", "a\n");
	CHECK_STR(d, "--- f\n+++ f\n@@ -1,1 +1,1 @@\n-a\n\\ No newline at end of file\n+a\n");
	free(d);
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "new_file_is_all_additions", new_file_is_all_additions },
		{ "removed_file_is_all_deletions", removed_file_is_all_deletions },
		{ "appended_line_gets_three_lines_of_context", appended_line_gets_three_lines_of_context },
		{ "distant_changes_make_two_hunks", distant_changes_make_two_hunks },
		{ "equal_texts_give_nothing", equal_texts_give_nothing },
		{ "missing_final_newline_is_marked", missing_final_newline_is_marked },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
