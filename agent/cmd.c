#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_OUTPUT (64u << 10)
#define REPORTED_OUTPUT 4096

static char *const cmd_env[] = {
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	"LC_ALL=C",
	"DEBIAN_FRONTEND=noninteractive",
	NULL,
};

char *cmd_find(const struct agent *ag, const char *name)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };
	struct stat st;

	if (strchr(name, '/'))
		return NULL;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *p = node_pathf(ag, "%s/%s", dirs[i], name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return p;
		free(p);
	}
	return NULL;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Spawns and collects; returns the wait status, -2 on timeout, -1 when it
 * could not start (errno set). */
static int spawn_collect(const char *path, const char *const argv[], int timeout_s, struct sb *output)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = 0;
	pid_t pid;
	long deadline = now_ms() + timeout_s * 1000L;
	bool timed_out = false;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	int err = posix_spawn(&pid, path, &fa, NULL, (char *const *)argv, cmd_env);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (err) {
		close(pipefd[0]);
		errno = err;
		return -1;
	}
	for (;;) {
		long left = deadline - now_ms();
		if (left <= 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		int n = poll(&p, 1, left > 1000 ? 1000 : (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		char buf[4096];
		ssize_t got = read(pipefd[0], buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (output->len < MAX_OUTPUT)
			sb_add(output, buf, (size_t)got);
	}
	close(pipefd[0]);
	/* the output pipe closes before the process is gone; wait within the deadline too */
	while (waitpid(pid, &status, timed_out ? 0 : WNOHANG) == 0) {
		if (now_ms() >= deadline) {
			timed_out = true;
			kill(pid, SIGKILL);
			continue;
		}
		usleep(10000);
	}
	return timed_out ? -2 : status;
}

int cmd_run(struct agent *ag, struct result *r, const char *const argv[], int timeout_s)
{
	json_t *jargv = json_array();
	char *path = cmd_find(ag, argv[0]);
	struct sb output;
	int ret;

	for (size_t i = 0; argv[i]; i++)
		json_array_append_new(jargv, json_string(argv[i]));
	if (!r->commands)
		r->commands = json_array();
	if (!path) {
		json_array_append_new(r->commands, json_pack("{s:o, s:n, s:s}", "argv", jargv, "rc",
		                                             "output", "not found"));
		return result_fail(r, "command '%s' not found in the node's /usr/sbin, /sbin, /usr/bin, /bin",
		                   argv[0]);
	}
	if (ag->check) {
		json_array_append_new(r->commands, json_pack("{s:o, s:n, s:b}", "argv", jargv, "rc", "check",
		                                             1));
		free(path);
		return 0;
	}
	sb_init(&output);
	int st = spawn_collect(path, argv, timeout_s, &output);
	if (output.len > REPORTED_OUTPUT) {
		/* the end of the output says why a command failed */
		memmove(output.s, output.s + output.len - REPORTED_OUTPUT, REPORTED_OUTPUT + 1);
		output.len = REPORTED_OUTPUT;
	}
	if (st == -1) {
		ret = result_fail(r, "cannot run '%s': %s", path, strerror(errno));
		json_array_append_new(r->commands, json_pack("{s:o, s:n, s:s}", "argv", jargv, "rc", "output",
		                                             strerror(errno)));
	} else if (st == -2) {
		ret = result_fail(r, "'%s' did not finish within %d s and was killed", argv[0], timeout_s);
		json_array_append_new(r->commands, json_pack("{s:o, s:n, s:s}", "argv", jargv, "rc", "output",
		                                             output.s));
	} else if (WIFSIGNALED(st)) {
		ret = result_fail(r, "'%s' was killed by signal %d", argv[0], WTERMSIG(st));
		json_array_append_new(r->commands, json_pack("{s:o, s:i, s:s}", "argv", jargv, "rc",
		                                             128 + WTERMSIG(st), "output", output.s));
	} else {
		ret = WEXITSTATUS(st);
		json_array_append_new(r->commands, json_pack("{s:o, s:i, s:s}", "argv", jargv, "rc", ret,
		                                             "output", output.s));
		if (ret != 0)
			result_fail(r, "'%s' failed with exit status %d", argv[0], ret);
	}
	sb_release(&output);
	free(path);
	return ret;
}

char *cmd_output(const struct agent *ag, const char *const argv[], int timeout_s)
{
	char *path = cmd_find(ag, argv[0]);
	struct sb output;
	int st;

	if (!path)
		return NULL;
	sb_init(&output);
	st = spawn_collect(path, argv, timeout_s, &output);
	free(path);
	if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		sb_release(&output);
		return NULL;
	}
	return sb_detach(&output);
}

int cmd_detach(const struct agent *ag, const char *const argv[], int delay_s)
{
	char *path = cmd_find(ag, argv[0]);
	pid_t pid;

	if (!path) {
		errno = ENOENT;
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		free(path);
		return -1;
	}
	if (pid == 0) {
		/* the grandchild is re-parented to init and outlives the SSH session */
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		signal(SIGHUP, SIG_IGN);
		sleep((unsigned)delay_s);
		execve(path, (char *const *)argv, cmd_env);
		_exit(127);
	}
	free(path);
	waitpid(pid, NULL, 0);
	return 0;
}
