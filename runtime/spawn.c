/* spawn_in_cgroup(): see spawn.h. */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

/* The helper runs leeward code (cgroup_enter_thread, then fn up to its
 * clone3) and the child starts on a copy of this stack: room for the
 * init's setup, reserved lazily. */
#define HELPER_STACK (8u << 20)

/* ASan cannot follow the helper's stack switch (it warns on every no-return
 * call in the child): the sanitizer build forks and attaches the plain way,
 * and the plain build's tests cover the helper. */
#if defined(__SANITIZE_ADDRESS__)
#define USE_HELPER 0
#else
#define USE_HELPER 1
#endif

struct spawn_call {
	struct cgroup *cg;
	spawn_fn fn;
	void *arg;
	pid_t pid;
	int err;
	bool entered;
};

/* Runs in the helper: memory and fd table are the caller's (which is
 * suspended until we exit), so results are plain stores. */
static int helper(void *p)
{
	struct spawn_call *c = p;
	lw_err e = NULL;

	if (c->cg && cgroup_has_v1(c->cg) && cgroup_enter_thread(c->cg, &e) < 0) {
		lw_err_free(&e);
		_exit(0);
	}
	c->entered = true;
	c->pid = c->fn(c->arg, CLONE_PARENT);
	c->err = errno;
	_exit(0);
}

pid_t spawn_clone3(unsigned long flags, int *cgfd, int *pidfd)
{
	struct clone_args a = { .flags = flags };
	pid_t pid;

	/* with CLONE_PARENT the kernel takes the caller's exit signal (the
	 * helper's SIGCHLD), and clone3 wants 0 here */
	a.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
	if (pidfd) {
		a.flags |= CLONE_PIDFD;
		a.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	if (*cgfd >= 0) {
		a.flags |= CLONE_INTO_CGROUP;
		a.cgroup = (uint64_t)*cgfd;
	}
	pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	if (pid < 0 && *cgfd >= 0 &&
	    (errno == EBUSY || errno == EOPNOTSUPP || errno == EACCES || errno == EPERM)) {
		*cgfd = -1;
		a.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
		a.cgroup = 0;
		pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	}
	return pid;
}

static pid_t spawn(struct cgroup *cg, spawn_fn fn, void *arg, unsigned *done, bool always)
{
	*done = 0;
	if (USE_HELPER && (always || (cg && cgroup_has_v1(cg)))) {
		struct spawn_call c = { .cg = cg, .fn = fn, .arg = arg, .pid = -1 };
		long page = sysconf(_SC_PAGESIZE);
		size_t len = HELPER_STACK + (size_t)page;
		sigset_t all, old;
		int st = 0;
		char *map = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);

		/* a guard page below the stack: an overflow faults */
		if (map != MAP_FAILED && mprotect(map, (size_t)page, PROT_NONE) == 0) {
			/* no signal handler may run in the helper */
			util_sigfillset(&all);
			util_sigprocmask(SIG_BLOCK, &all, &old);
			pid_t h = clone(helper, map + len, CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &c);
			if (h > 0)
				while (waitpid(h, &st, __WALL) < 0 && errno == EINTR)
					;
			util_sigprocmask(SIG_SETMASK, &old, NULL);
			munmap(map, len);
			if (h > 0 && c.entered && c.pid > 0) {
				*done = CGROUP_DONE_V1;
				return c.pid;
			}
			if (h > 0 && c.entered && !WIFEXITED(st)) {
				/* killed (an OOM kill) after it moved, perhaps after
				 * its fork: a second child would share the sync
				 * socket with a possible first one; fail, and the
				 * caller's cleanup kills what is in the cgroups */
				errno = ECHILD;
				return -1;
			}
			/* the fork itself failed: the same would happen here, but
			 * for EAGAIN from a pids.max that counted the helper */
			if (h > 0 && c.entered && c.err != EAGAIN) {
				errno = c.err;
				return -1;
			}
			/* else the helper could not move itself, or its fork met
			 * the pids limit: the usual way */
		} else if (map != MAP_FAILED) {
			munmap(map, len);
		}
	}
	return fn(arg, 0);
}

pid_t spawn_in_cgroup(struct cgroup *cg, spawn_fn fn, void *arg, unsigned *done)
{
	return spawn(cg, fn, arg, done, false);
}

pid_t spawn_via_helper(struct cgroup *cg, spawn_fn fn, void *arg, unsigned *done)
{
	return spawn(cg, fn, arg, done, true);
}
