/* The lifecycle after create: start (exec.fifo), kill, delete. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../cgroup/cgroup.h"
#include "../hooks/hooks.h"
#include "../spec/spec.h"
#include "cleanup.h"
#include "container.h"
#include "log.h"
#include "state.h"

int container_start(const char *root, const char *id, lw_err *err)
{
	struct lw_state *st = NULL;
	struct spec *spec = NULL;
	int ret = -1, fd;
	bool hooks;
	enum lw_status status;

	if (state_load(root, id, &st, err) < 0)
		return -1;
	status = state_status(st);
	if (status != LW_CREATED) {
		if (status == LW_STOPPED)
			lw_fail(err, 0, "cannot start a container that has stopped");
		else
			lw_fail(err, 0, "cannot start an already running container");
		goto out;
	}
	/* The config is parsed only for poststart hooks (most containers
	 * have none, and start is the hot path of a warm sandbox). */
	if (st->poststart != 0 && state_load_config(st, &spec, err) < 0)
		goto out;
	hooks = spec && spec->hooks.n[SPEC_HOOK_POSTSTART];
	fd = openat(st->dir_fd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		lw_fail(err, errno == ENXIO ? 0 : errno, "container init is gone (exec.fifo)");
		goto out;
	}
	if (write(fd, "0", 1) != 1) {
		lw_fail(err, errno, "writing exec.fifo");
		close(fd);
		goto out;
	}
	unlinkat(st->dir_fd, "exec.fifo", 0);
	/* The init's O_RDWR end of the fifo is its only reader and is closed
	 * on execve (or exit): then our write end reports POLLERR.  poststart
	 * hooks run after the program started (and after the startContainer
	 * hooks); without them, start returns as soon as the init is woken. */
	if (hooks) {
		struct pollfd p = { .fd = fd, .events = 0 };
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
	}
	close(fd);
	if (hooks) {
		cleanup_free char *json = state_json(st, LW_RUNNING, spec, false);
		hooks_run_warn(&spec->hooks, SPEC_HOOK_POSTSTART, json);
	}
	ret = 0;
out:
	spec_free(spec);
	state_free(st);
	return ret;
}

static int open_cgroup(const struct lw_state *st, struct cgroup **cg, lw_err *err)
{
	*cg = NULL;
	if (!st->cgroup)
		return 0;
	return cgroup_open(st->cgroup, cg, err);
}

/* Signal the init through a pidfd, after checking it is still the same
 * process (pid reuse). */
static int signal_init(const struct lw_state *st, int sig, lw_err *err)
{
	int pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (pidfd < 0)
		return lw_fail(err, errno, "container process %d", (int)st->pid);
	if (!state_pid_alive(st->pid, st->pid_start)) {
		close(pidfd);
		return lw_fail(err, ESRCH, "container not running");
	}
	int r = (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	int e = errno;
	close(pidfd);
	if (r < 0)
		return lw_fail(err, e, "sending signal %d", sig);
	return 0;
}

int container_kill(const char *root, const char *id, int sig, bool all, lw_err *err)
{
	struct lw_state *st = NULL;
	struct cgroup *cg = NULL;
	int ret = -1;

	if (state_load(root, id, &st, err) < 0)
		return -1;
	enum lw_status status = state_status(st);
	if (status == LW_STOPPED && !all) {
		lw_fail(err, 0, "container not running");
		goto out;
	}
	if (all) {
		if (open_cgroup(st, &cg, err) < 0)
			goto out;
		if (cg) {
			ret = cgroup_kill_all(cg, sig, err);
			goto out;
		}
		if (status == LW_STOPPED) {
			ret = 0;
			goto out;
		}
	}
	ret = signal_init(st, sig, err);
out:
	cgroup_free(cg);
	state_free(st);
	return ret;
}

/* Wait (up to timeout_ms) for pid to exit. */
static bool wait_gone(pid_t pid, unsigned long long start, int timeout_ms)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return true;
	if (!state_pid_alive(pid, start)) {
		close(pidfd);
		return true;
	}
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r = poll(&p, 1, timeout_ms);
	close(pidfd);
	return r > 0;
}

int container_delete(const char *root, const char *id, bool force, lw_err *err)
{
	struct lw_state *st = NULL;
	struct spec *spec = NULL;
	struct cgroup *cg = NULL;
	enum lw_status status;
	int ret = -1;

	if (state_load(root, id, &st, err) < 0)
		return -1;
	status = state_status(st);
	if (open_cgroup(st, &cg, err) < 0) {
		lw_warn("%s", (*err)->msg);
		lw_err_free(err);
	}
	if (cg && status != LW_STOPPED && cgroup_is_frozen(cg) == 1)
		status = LW_PAUSED;
	if ((status == LW_RUNNING || status == LW_PAUSED) && !force) {
		lw_fail(err, 0, "cannot delete container %s that is not stopped: %s", id,
			state_status_name(status));
		goto out;
	}
	if (status != LW_STOPPED) {
		/* created (never started) or forced: kill everything */
		if (cg)
			cgroup_kill_all(cg, SIGKILL, NULL);
		kill(st->pid, SIGKILL);
		if (cg && status == LW_PAUSED)
			cgroup_freeze(cg, false, NULL);
		if (!wait_gone(st->pid, st->pid_start, 10000)) {
			lw_fail(err, ETIMEDOUT, "container process %d did not exit", (int)st->pid);
			goto out;
		}
	} else if (cg) {
		/* the init is gone; without a pid namespace others may live on */
		cgroup_kill_all(cg, SIGKILL, NULL);
	}
	if (state_load_config(st, &spec, err) < 0) {
		lw_warn("%s", (*err)->msg);
		lw_err_free(err);
	} else {
		cleanup_free char *json = state_json(st, LW_STOPPED, spec, false);
		hooks_run_warn(&spec->hooks, SPEC_HOOK_POSTSTOP, json);
	}
	if (cg && cgroup_destroy(cg, err) < 0)
		goto out;
	if (state_remove(root, id) < 0) {
		lw_fail(err, errno, "removing state of %s", id);
		goto out;
	}
	ret = 0;
out:
	spec_free(spec);
	cgroup_free(cg);
	state_free(st);
	return ret;
}

int container_parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int num;
	} names[] = {
		{ "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },
		{ "ILL", SIGILL },     { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },
		{ "IOT", SIGIOT },     { "BUS", SIGBUS },       { "FPE", SIGFPE },
		{ "KILL", SIGKILL },   { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
		{ "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },
		{ "TERM", SIGTERM },   { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
		{ "CONT", SIGCONT },   { "STOP", SIGSTOP },     { "TSTP", SIGTSTP },
		{ "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },     { "URG", SIGURG },
		{ "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM },
		{ "PROF", SIGPROF },   { "WINCH", SIGWINCH },   { "IO", SIGIO },
		{ "POLL", SIGPOLL },   { "PWR", SIGPWR },       { "SYS", SIGSYS },
	};
	char *end;
	long n;

	if (!s || !*s)
		return -1;
	n = strtol(s, &end, 10);
	if (*end == 0)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < LW_ARRAY_SIZE(names); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].num;
	/* RTMIN is 34 as in glibc, runc and docker (the kernel's first two
	 * are the C library's own), whatever this binary's libc says: musl's
	 * SIGRTMIN is 35. */
	enum { RTMIN = 34, RTMAX = 64 };
	if (!strncasecmp(s, "RTMIN", 5) || !strncasecmp(s, "RTMAX", 5)) {
		int base = !strncasecmp(s, "RTMIN", 5) ? RTMIN : RTMAX;
		if (!s[5])
			return base;
		n = strtol(s + 5, &end, 10);
		if (*end == 0 && base + n >= RTMIN && base + n <= RTMAX)
			return (int)(base + n);
	}
	return -1;
}
