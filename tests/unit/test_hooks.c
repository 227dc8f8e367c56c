/* Unit tests for hooks/: run real hooks (/bin/sh, /bin/sleep, /bin/true)
 * and check exit status, signals, timeouts, stdin, argv, env, fds and
 * exec errors.  Needs no privileges. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by the Makefile */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks/hooks.h"
#include "runtime/cleanup.h"
#include "runtime/error.h"
#include "tests/unit/unit.h"

static char tmpdir[] = "/tmp/lw-test-hooks-XXXXXX";

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define NARGS(...) (sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *))

/* A /bin/sh -c SCRIPT hook, extra args become $0, $1, ... */
#define SH_HOOK(script, ...)                                                                       \
	((struct spec_hook){ .path = "/bin/sh",                                                    \
			     .args = ARGV("sh", "-c", script, ##__VA_ARGS__),                      \
			     .n_args = NARGS("sh", "-c", script, ##__VA_ARGS__) })

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Run one hook of kind createRuntime. */
static int run1(struct spec_hook h, const char *json, lw_err *err)
{
	struct spec_hooks hs = { 0 };
	hs.list[SPEC_HOOK_CREATE_RUNTIME] = &h;
	hs.n[SPEC_HOOK_CREATE_RUNTIME] = 1;
	return hooks_run(&hs, SPEC_HOOK_CREATE_RUNTIME, json, err);
}

static char *tmp_path(const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", tmpdir, name) < 0)
		abort();
	return p;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = (cap + 4096) * 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static char *big_json(size_t size)
{
	char *s = malloc(size + 1);
	size_t n;
	if (!s)
		abort();
	n = (size_t)snprintf(s, size, "{\"ociVersion\":\"1.2.0\",\"id\":\"big\",\"annotations\":{\"x\":\"");
	while (n < size - 3) {
		s[n] = (char)('a' + n % 26);
		n++;
	}
	memcpy(s + n, "\"}}", 4);
	return s;
}

static bool no_children_left(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

static const char *state = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\","
			   "\"pid\":42,\"bundle\":\"/b\",\"annotations\":{\"k\":\"v \\\"q\\\"\"}}";

static void test_success(void)
{
	cleanup_err lw_err err = NULL;
	struct spec_hook h = { .path = "/bin/true" };
	CHECK(run1(h, state, &err) == 0 && !err, "%s", msg_of(err));

	struct spec_hooks empty = { 0 };
	CHECK(hooks_run(&empty, SPEC_HOOK_PRESTART, state, &err) == 0, "empty list");
	CHECK(hooks_run(NULL, SPEC_HOOK_PRESTART, state, &err) == 0, "NULL hooks");
}

static void test_exit_code(void)
{
	cleanup_err lw_err err = NULL;
	CHECK(run1(SH_HOOK("exit 3"), state, &err) < 0, "exit 3 accepted");
	CHECK(err && strcmp(err->msg, "createRuntime hook #0 (/bin/sh): exited with status 3") == 0,
	      "msg: %s", msg_of(err));
	CHECK(err && err->errno_ == 0, "errno_ %d", err ? err->errno_ : -1);
}

static void test_signal(void)
{
	cleanup_err lw_err err = NULL;
	CHECK(run1(SH_HOOK("kill -TERM $$; sleep 5"), state, &err) < 0, "signal accepted");
	CHECK(err && strcmp(err->msg, "createRuntime hook #0 (/bin/sh): killed by signal 15") == 0,
	      "msg: %s", msg_of(err));
}

static void test_timeout(void)
{
	cleanup_err lw_err err = NULL;
	struct spec_hook h = { .path = "/bin/sleep", .args = ARGV("sleep", "5"), .n_args = 2,
			       .has_timeout = true, .timeout = 1 };
	double t0 = now_s(), dt;
	CHECK(run1(h, state, &err) < 0, "timeout not reported");
	dt = now_s() - t0;
	CHECK(dt >= 0.95 && dt < 2.0, "took %.3f s", dt);
	CHECK(err && strcmp(err->msg, "createRuntime hook #0 (/bin/sleep): timed out after 1 s") == 0,
	      "msg: %s", msg_of(err));
	CHECK(no_children_left(), "child left behind");

	/* A timeout that does not elapse changes nothing. */
	lw_err_free(&err);
	struct spec_hook quick = SH_HOOK("exit 0");
	quick.has_timeout = true;
	quick.timeout = 5;
	t0 = now_s();
	CHECK(run1(quick, state, &err) == 0, "%s", msg_of(err));
	CHECK(now_s() - t0 < 1.0, "quick hook with timeout slow");
	quick = SH_HOOK("exit 6");
	quick.has_timeout = true;
	quick.timeout = 5;
	CHECK(run1(quick, state, &err) < 0 && strstr(msg_of(err), "exited with status 6"), "%s",
	      msg_of(err));
}

static void check_stdin_roundtrip(const char *json, const char *what)
{
	cleanup_err lw_err err = NULL;
	cleanup_free char *out = tmp_path("stdin.out");
	cleanup_free char *got = NULL;
	size_t len = 0;

	unlink(out);
	CHECK(run1(SH_HOOK("cat > \"$1\"", "sh", out), json, &err) == 0, "%s: %s", what,
	      msg_of(err));
	got = read_file(out, &len);
	CHECK(got && len == strlen(json) && memcmp(got, json, len) == 0,
	      "%s: stdin differs (got %zu bytes, want %zu)", what, len, strlen(json));
}

static void test_stdin(void)
{
	check_stdin_roundtrip(state, "small");
	cleanup_free char *big = big_json(300 * 1024);
	check_stdin_roundtrip(big, "300 KiB");
	check_stdin_roundtrip("", "empty");

	/* NULL state: empty stdin, immediate EOF. */
	cleanup_err lw_err err = NULL;
	CHECK(run1(SH_HOOK("test -z \"$(cat)\""), NULL, &err) == 0, "%s", msg_of(err));

	/* stdin is a pipe. */
	CHECK(run1(SH_HOOK("test -p /dev/stdin"), state, &err) == 0, "%s", msg_of(err));
}

static void test_args(void)
{
	cleanup_err lw_err err = NULL;
	CHECK(run1(SH_HOOK("test \"$0\" = myname && test \"$1\" = a1 && test \"$2\" = 'a 2' && "
			   "test $# = 2",
			   "myname", "a1", "a 2"),
		   state, &err) == 0,
	      "%s", msg_of(err));

	/* Without args argv is {path}. */
	cleanup_free char *script = tmp_path("noargs.sh");
	cleanup_free char *out = tmp_path("noargs.out");
	cleanup_free char *body = NULL;
	cleanup_free char *got = NULL;
	cleanup_free char *want = NULL;
	FILE *f = fopen(script, "we");
	if (asprintf(&body, "#!/bin/sh\necho \"$0 $#\" > %s\n", out) < 0 ||
	    asprintf(&want, "%s 0\n", script) < 0)
		abort();
	CHECK(f && fputs(body, f) >= 0 && fclose(f) == 0, "writing %s", script);
	chmod(script, 0755);
	struct spec_hook h = { .path = script };
	CHECK(run1(h, state, &err) == 0, "%s", msg_of(err));
	got = read_file(out, NULL);
	CHECK(got && strcmp(got, want) == 0, "argv: got '%s' want '%s'", got ? got : "(none)",
	      want);
}

static void test_env(void)
{
	cleanup_err lw_err err = NULL;
	setenv("LW_HOOK_INHERIT", "yes", 1);

	struct spec_hook h = SH_HOOK("test \"$FOO\" = 'bar baz' && test \"$LW_X\" = 1 && "
				     "test -z \"$LW_HOOK_INHERIT\"");
	h.env = ARGV("FOO=bar baz", "LW_X=1");
	h.n_env = 2;
	CHECK(run1(h, state, &err) == 0, "explicit env: %s", msg_of(err));

	h = SH_HOOK("test -z \"$LW_HOOK_INHERIT\" && test -z \"$FOO\"");
	h.env = (char *[]){ NULL };
	h.n_env = 0;
	CHECK(run1(h, state, &err) == 0, "empty env: %s", msg_of(err));

	h = SH_HOOK("test \"$LW_HOOK_INHERIT\" = yes");
	CHECK(run1(h, state, &err) == 0, "absent env inherits: %s", msg_of(err));
	unsetenv("LW_HOOK_INHERIT");
}

static void test_exec_errors(void)
{
	cleanup_err lw_err err = NULL;
	struct spec_hook h = { .path = "/nonexistent/hook" };
	CHECK(run1(h, state, &err) < 0, "missing binary accepted");
	CHECK(err && err->errno_ == ENOENT, "errno_ %d", err ? err->errno_ : -1);
	CHECK(err && strcmp(err->msg, "createRuntime hook #0 (/nonexistent/hook): exec: "
				      "No such file or directory") == 0,
	      "msg: %s", msg_of(err));

	cleanup_free char *plain = tmp_path("not-executable");
	FILE *f = fopen(plain, "we");
	if (f)
		fclose(f);
	chmod(plain, 0644);
	h.path = plain;
	lw_err_free(&err);
	CHECK(run1(h, state, &err) < 0 && err && err->errno_ == EACCES, "non-executable: %s",
	      msg_of(err));

	/* A failure stops the list; the next hook does not run. */
	cleanup_free char *out = tmp_path("order.out");
	unlink(out);
	struct spec_hook list[3] = {
		SH_HOOK("echo 0 >> \"$1\"", "sh", out),
		SH_HOOK("exit 4"),
		SH_HOOK("echo 2 >> \"$1\"", "sh", out),
	};
	struct spec_hooks hs = { 0 };
	hs.list[SPEC_HOOK_POSTSTART] = list;
	hs.n[SPEC_HOOK_POSTSTART] = 3;
	lw_err_free(&err);
	CHECK(hooks_run(&hs, SPEC_HOOK_POSTSTART, state, &err) < 0, "failure not reported");
	CHECK(err && strcmp(err->msg, "poststart hook #1 (/bin/sh): exited with status 4") == 0,
	      "msg: %s", msg_of(err));
	cleanup_free char *got = read_file(out, NULL);
	CHECK(got && strcmp(got, "0\n") == 0, "ran: '%s'", got ? got : "(none)");

	/* hooks_run_warn runs them all (one warning on stderr is expected). */
	unlink(out);
	fprintf(stderr, "(expect one warning about poststart hook #1)\n");
	hooks_run_warn(&hs, SPEC_HOOK_POSTSTART, state);
	cleanup_free char *got2 = read_file(out, NULL);
	CHECK(got2 && strcmp(got2, "0\n2\n") == 0, "warn ran: '%s'", got2 ? got2 : "(none)");
}

static void test_ignores_stdin(void)
{
	cleanup_err lw_err err = NULL;
	cleanup_free char *big = big_json(1024 * 1024);
	sigset_t pending;
	double t0;

	/* Exits without reading 1 MiB: no hang, no SIGPIPE death. */
	t0 = now_s();
	struct spec_hook h = { .path = "/bin/true" };
	CHECK(run1(h, big, &err) == 0, "%s", msg_of(err));
	CHECK(now_s() - t0 < 1.0, "slow: %.3f s", now_s() - t0);

	/* Reads a little, then closes stdin while the runtime still writes. */
	CHECK(run1(SH_HOOK("head -c 10 > /dev/null"), big, &err) == 0, "%s", msg_of(err));

	/* Never reads and never exits: the timeout still applies while the
	 * runtime is blocked on a full pipe. */
	struct spec_hook s = { .path = "/bin/sleep", .args = ARGV("sleep", "5"), .n_args = 2,
			       .has_timeout = true, .timeout = 1 };
	t0 = now_s();
	CHECK(run1(s, big, &err) < 0 && strstr(msg_of(err), "timed out after 1 s"), "%s",
	      msg_of(err));
	CHECK(now_s() - t0 < 2.0, "took %.3f s", now_s() - t0);
	CHECK(no_children_left(), "child left behind");

	/* Nothing pending, SIGPIPE not left blocked. */
	sigset_t mask;
	sigprocmask(SIG_SETMASK, NULL, &mask);
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGPIPE) && !sigismember(&mask, SIGPIPE),
	      "SIGPIPE pending or blocked");
}

static void test_fds_and_signals(void)
{
	cleanup_err lw_err err = NULL;
	int nullfd = open("/dev/null", O_RDONLY); /* not CLOEXEC on purpose */
	CHECK(nullfd >= 0 && dup2(nullfd, 50) == 50, "dup2");

	CHECK(run1(SH_HOOK("for i in 3 4 5 6 7 8 9 10 50; do "
			   "if [ -e /proc/$$/fd/$i ]; then echo \"leaked fd $i\" >&2; exit 1; fi; "
			   "done"),
		   state, &err) == 0,
	      "%s", msg_of(err));
	close(50);
	close(nullfd);

	/* Dispositions and mask of the runtime do not leak into the hook. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe, old_chld;
	sigset_t block, oldmask;
	sigaction(SIGPIPE, &ign, &old_pipe);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	CHECK(run1(SH_HOOK("kill -PIPE $$; sleep 5"), state, &err) < 0 &&
		      strstr(msg_of(err), "killed by signal 13"),
	      "SIGPIPE ignored in the hook: %s", msg_of(err));
	/* grep, not sh: dash clears its signal mask at startup. */
	struct spec_hook g = { .path = "/bin/grep",
			       .args = ARGV("grep", "-qx", "SigBlk:.0000000000000000",
					    "/proc/self/status"),
			       .n_args = 4 };
	CHECK(run1(g, state, &err) == 0, "signal mask leaked into the hook: %s", msg_of(err));
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);

	/* With SIGPIPE ignored by the runtime, EPIPE still works. */
	cleanup_free char *big = big_json(256 * 1024);
	sigaction(SIGPIPE, &ign, &old_pipe);
	struct spec_hook t = { .path = "/bin/true" };
	CHECK(run1(t, big, &err) == 0, "%s", msg_of(err));
	sigaction(SIGPIPE, &old_pipe, NULL);
	(void)old_chld;
}

static void bench(void)
{
	cleanup_err lw_err err = NULL;
	struct spec_hook h = { .path = "/bin/true" };
	int n = 200;
	double t0 = now_s();
	for (int i = 0; i < n; i++)
		if (run1(h, state, &err) < 0)
			break;
	double per = (now_s() - t0) / n * 1e6;
	CHECK(!err, "%s", msg_of(err));
	fprintf(stderr, "bench: /bin/true hook: %.0f us per hook (%d runs)\n", per, n);
}

int main(void)
{
	alarm(120); /* a hang is a failure, not a stuck CI job */
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	int fds_before = count_fds();

	test_success();
	test_exit_code();
	test_signal();
	test_timeout();
	test_stdin();
	test_args();
	test_env();
	test_exec_errors();
	test_ignores_stdin();
	test_fds_and_signals();
	bench();

	CHECK(count_fds() == fds_before, "fd leak: %d before, %d after", fds_before, count_fds());
	CHECK(no_children_left(), "children left");

	char *cmd;
	if (asprintf(&cmd, "rm -rf '%s'", tmpdir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
		free(cmd);
	}
	printf("unit hooks: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
