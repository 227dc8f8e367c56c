/* OCI hooks: spawn, feed the state JSON on stdin, wait with a timeout.
 *
 * One hook costs, on the common path (state JSON <= PIPE_BUF, no timeout):
 * pipe2, write, posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK) + execve),
 * two closes and waitpid.  The JSON is written into the pipe *before* the
 * hook exists, while we still hold the read end, so that write can neither
 * block nor raise SIGPIPE; a hook that never reads stdin cannot hurt us.
 * Larger JSON is pre-filled up to the pipe's capacity and the rest is fed
 * from a poll loop on the pipe and a pidfd, with SIGPIPE blocked, so a hook
 * that ignores stdin still times out or exits normally.
 *
 * Exec failures: glibc's posix_spawn runs the child on the parent's memory
 * (CLONE_VM|CLONE_VFORK) and returns the child's errno from dup2 or execve
 * to the parent, which is what the CLOEXEC-pipe trick achieves with fork;
 * and it reaps the failed child itself.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by the Makefile */
#endif
#include "hooks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../runtime/cleanup.h"
#include "../runtime/log.h"

static const char *const hook_kind_names[SPEC_HOOK_COUNT] = {
	[SPEC_HOOK_PRESTART] = "prestart",
	[SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
	[SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
	[SPEC_HOOK_START_CONTAINER] = "startContainer",
	[SPEC_HOOK_POSTSTART] = "poststart",
	[SPEC_HOOK_POSTSTOP] = "poststop",
};

const char *hooks_kind_name(enum spec_hook_kind kind)
{
	if ((unsigned)kind >= SPEC_HOOK_COUNT)
		return "unknown";
	return hook_kind_names[kind];
}

static int sys_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int sys_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* One running hook. */
struct hook_proc {
	pid_t pid;
	int pidfd;		/* -1 until needed */
	bool has_deadline;
	struct timespec deadline; /* CLOCK_MONOTONIC */
};

/* Milliseconds left until the deadline for poll(): -1 without one, 0 when
 * it has passed. */
static int remaining_ms(const struct hook_proc *p)
{
	struct timespec now;
	int64_t ms;

	if (!p->has_deadline)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(p->deadline.tv_sec - now.tv_sec) * 1000 +
	     (p->deadline.tv_nsec - now.tv_nsec + 999999) / 1000000;
	if (ms <= 0)
		return 0;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static bool deadline_passed(const struct hook_proc *p)
{
	return p->has_deadline && remaining_ms(p) == 0;
}

static int waitpid_retry(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

/* Kill and reap: nothing is left behind on any error path. */
static void hook_kill(struct hook_proc *p)
{
	int status;

	if (p->pidfd >= 0)
		sys_pidfd_send_signal(p->pidfd, SIGKILL);
	else
		kill(p->pid, SIGKILL);
	waitpid_retry(p->pid, &status);
}

static int hook_pidfd(struct hook_proc *p, lw_err *err)
{
	if (p->pidfd >= 0)
		return 0;
	p->pidfd = sys_pidfd_open(p->pid);
	if (p->pidfd < 0)
		return lw_fail(err, errno, "pidfd_open");
	return 0;
}

/* Close every fd >= first in the spawned child. */
static int add_close_from(posix_spawn_file_actions_t *fa, int first)
{
#ifdef __GLIBC__
	return posix_spawn_file_actions_addclosefrom_np(fa, first);
#else
	/* musl has no closefrom action: one close per fd open now */
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int r = 0;

	if (!d) {
		/* no /proc (a startContainer hook in a container without
		 * one): probe every fd the limit allows */
		struct rlimit rl;
		long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (long)rl.rlim_cur : 65536;
		for (int fd = first; r == 0 && fd < max; fd++)
			if (fcntl(fd, F_GETFD) >= 0)
				r = posix_spawn_file_actions_addclose(fa, fd);
		return r;
	}
	while (r == 0 && (de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		if (end == de->d_name || *end || fd < first || fd == dirfd(d))
			continue;
		r = posix_spawn_file_actions_addclose(fa, (int)fd);
	}
	closedir(d);
	return r;
#endif
}

static int hook_spawn(const struct spec_hook *h, int stdin_fd, pid_t *pid, lw_err *err)
{
	char *default_argv[] = { h->path, NULL };
	char **argv = h->args && h->args[0] ? h->args : default_argv;
	/* runc and crun give a hook without "env" the runtime's environment
	 * (Go's exec.Cmd with a nil Env; crun falls back to environ); an
	 * explicit empty list means an empty environment. */
	char **envp = h->env ? h->env : environ;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int r;

	if (!h->path)
		return lw_fail(err, EINVAL, "no path");

	sigemptyset(&none);
	sigemptyset(&dfl);
	/* The runtime may ignore these; an ignored disposition survives
	 * execve and would break the hook (SIGCHLD: its waits; SIGPIPE: it
	 * would see EPIPE where it expects to die quietly). */
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);

	r = posix_spawnattr_init(&attr);
	if (r != 0)
		return lw_fail(err, r, "posix_spawnattr_init");
	r = posix_spawn_file_actions_init(&fa);
	if (r != 0) {
		posix_spawnattr_destroy(&attr);
		return lw_fail(err, r, "posix_spawn_file_actions_init");
	}
	r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	if (r == 0)
		r = posix_spawnattr_setsigmask(&attr, &none);
	if (r == 0)
		r = posix_spawnattr_setsigdefault(&attr, &dfl);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
	/* The hook gets stdio and nothing else: no runtime fd (state dir,
	 * sync socket, cgroup dirfd, netlink, a container's pty) may leak
	 * into a host binary, whether or not it was marked CLOEXEC. */
	if (r == 0)
		r = add_close_from(&fa, 3);
	if (r != 0) {
		lw_fail(err, r, "preparing posix_spawn");
		goto out;
	}
	r = posix_spawn(pid, h->path, &fa, &attr, argv, envp);
	if (r != 0)
		lw_fail(err, r, "exec");
out:
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return r != 0 ? -1 : 0;
}

/* Write what fits without blocking; *off advances. Returns 0, or -1 with
 * errno (EPIPE: the reader is gone). */
static int write_some(int fd, const char *buf, size_t len, size_t *off)
{
	while (*off < len) {
		ssize_t n = write(fd, buf + *off, len - *off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -1;
		}
		*off += (size_t)n;
	}
	return 0;
}

/* Blocks SIGPIPE around writes to a pipe whose reader may be gone, and
 * swallows the SIGPIPE that such a write queued, so the runtime never dies
 * of a hook that exits without reading its stdin. */
struct sigpipe_guard {
	sigset_t old;
	bool was_pending;
};

static void sigpipe_block(struct sigpipe_guard *g)
{
	sigset_t set, pending;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &g->old);
	g->was_pending = false;
	if (sigismember(&g->old, SIGPIPE) && sigpending(&pending) == 0)
		g->was_pending = sigismember(&pending, SIGPIPE);
}

static void sigpipe_restore(struct sigpipe_guard *g, bool got_epipe)
{
	if (got_epipe && !g->was_pending) {
		sigset_t set;
		struct timespec zero = { 0, 0 };

		sigemptyset(&set);
		sigaddset(&set, SIGPIPE);
		while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	sigprocmask(SIG_SETMASK, &g->old, NULL);
}

/* Feed buf[off..len) to the hook through wfd (non-blocking), until all is
 * written, the hook closes its stdin, the hook exits or the deadline
 * passes (*timed_out, hook killed). */
static int hook_feed(struct hook_proc *p, int wfd, const char *buf, size_t len, size_t off,
		     bool *timed_out, lw_err *err)
{
	struct sigpipe_guard guard;
	bool epipe = false;
	int ret = 0;

	if (hook_pidfd(p, err) < 0) {
		hook_kill(p);
		return -1;
	}
	sigpipe_block(&guard);
	while (off < len) {
		struct pollfd pfd[2] = {
			{ .fd = wfd, .events = POLLOUT },
			{ .fd = p->pidfd, .events = POLLIN },
		};
		int r = poll(pfd, 2, remaining_ms(p));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = lw_fail(err, errno, "poll");
			hook_kill(p);
			break;
		}
		if (r == 0) {
			if (!deadline_passed(p))
				continue;
			*timed_out = true;
			hook_kill(p);
			break;
		}
		if (pfd[1].revents)
			break; /* exited; the wait reaps it */
		if (write_some(wfd, buf, len, &off) < 0) {
			if (errno == EPIPE) {
				epipe = true;
				break; /* the hook closed its stdin: its choice */
			}
			ret = lw_fail(err, errno, "writing the state to the hook's stdin");
			hook_kill(p);
			break;
		}
	}
	sigpipe_restore(&guard, epipe);
	return ret;
}

/* Wait for the hook to exit; on the deadline kill it (*timed_out). */
static int hook_wait(struct hook_proc *p, int *status, bool *timed_out, lw_err *err)
{
	if (p->has_deadline) {
		if (hook_pidfd(p, err) < 0) {
			hook_kill(p);
			return -1;
		}
		for (;;) {
			struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };
			int r = poll(&pfd, 1, remaining_ms(p));

			if (r > 0)
				break;
			if (r < 0 && errno != EINTR) {
				int e = errno;
				hook_kill(p);
				return lw_fail(err, e, "poll");
			}
			if (r == 0 && deadline_passed(p)) {
				*timed_out = true;
				hook_kill(p);
				return 0;
			}
		}
	}
	if (waitpid_retry(p->pid, status) < 0)
		return lw_fail(err, errno, "waitpid %d", (int)p->pid);
	return 0;
}

static int hook_run_one(enum spec_hook_kind kind, size_t idx, const struct spec_hook *h,
			const char *json, size_t len, lw_err *err)
{
	cleanup_close int rfd = -1;
	cleanup_close int wfd = -1;
	struct hook_proc p = { .pid = -1, .pidfd = -1 };
	bool timed_out = false;
	size_t off = 0;
	int fds[2], status = 0, ret;

	lw_debug("running %s hook #%zu: %s", hooks_kind_name(kind), idx, h->path ? h->path : "");

	if (pipe2(fds, O_CLOEXEC) < 0) {
		ret = lw_fail(err, errno, "pipe2");
		goto fail;
	}
	rfd = fds[0];
	wfd = fds[1];

	/* Pre-fill while we hold the read end: no EPIPE, no SIGPIPE, and a
	 * write of at most PIPE_BUF into an empty pipe never blocks. */
	if (len > PIPE_BUF && fcntl(wfd, F_SETFL, O_NONBLOCK) < 0) {
		ret = lw_fail(err, errno, "fcntl O_NONBLOCK");
		goto fail;
	}
	if (write_some(wfd, json, len, &off) < 0) {
		ret = lw_fail(err, errno, "writing the state to the hook's stdin");
		goto fail;
	}

	if (h->has_timeout && h->timeout > 0) {
		int64_t t = h->timeout > INT32_MAX ? INT32_MAX : h->timeout;
		clock_gettime(CLOCK_MONOTONIC, &p.deadline);
		p.deadline.tv_sec += (time_t)t;
		p.has_deadline = true;
	}
	if (hook_spawn(h, rfd, &p.pid, err) < 0) {
		ret = -1;
		goto fail;
	}
	close(take_fd(&rfd));

	if (off < len) {
		ret = hook_feed(&p, wfd, json, len, off, &timed_out, err);
		if (ret < 0)
			goto fail;
	}
	close(take_fd(&wfd)); /* EOF for the hook */

	if (!timed_out) {
		ret = hook_wait(&p, &status, &timed_out, err);
		if (ret < 0)
			goto fail;
	}
	if (p.pidfd >= 0)
		close(p.pidfd);

	if (timed_out)
		return lw_fail(err, 0, "%s hook #%zu (%s): timed out after %lld s",
			       hooks_kind_name(kind), idx, h->path, (long long)h->timeout);
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return lw_fail(err, 0, "%s hook #%zu (%s): exited with status %d",
			       hooks_kind_name(kind), idx, h->path, WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return lw_fail(err, 0, "%s hook #%zu (%s): killed by signal %d",
			       hooks_kind_name(kind), idx, h->path, WTERMSIG(status));
	return 0;

fail:
	if (p.pidfd >= 0)
		close(p.pidfd);
	return lw_wrap(err, "%s hook #%zu (%s)", hooks_kind_name(kind), idx,
		       h->path ? h->path : "(null)");
}

int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json,
	      lw_err *err)
{
	size_t len;

	if (!hooks || (unsigned)kind >= SPEC_HOOK_COUNT || hooks->n[kind] == 0)
		return 0;
	len = state_json ? strlen(state_json) : 0;
	for (size_t i = 0; i < hooks->n[kind]; i++)
		if (hook_run_one(kind, i, &hooks->list[kind][i], state_json, len, err) < 0)
			return -1;
	return 0;
}

void hooks_run_warn(const struct spec_hooks *hooks, enum spec_hook_kind kind,
		    const char *state_json)
{
	size_t len;

	if (!hooks || (unsigned)kind >= SPEC_HOOK_COUNT || hooks->n[kind] == 0)
		return;
	len = state_json ? strlen(state_json) : 0;
	for (size_t i = 0; i < hooks->n[kind]; i++) {
		cleanup_err lw_err err = NULL;

		if (hook_run_one(kind, i, &hooks->list[kind][i], state_json, len, &err) < 0)
			lw_warn("%s", err && err->msg ? err->msg : "hook failed");
	}
}
