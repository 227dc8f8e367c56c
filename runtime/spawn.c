/* spawn_in_cgroup(): see spawn.h. */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"

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

	if (cgroup_enter_thread(c->cg, &e) < 0) {
		lw_err_free(&e);
		_exit(0);
	}
	c->entered = true;
	c->pid = c->fn(c->arg, CLONE_PARENT);
	c->err = errno;
	_exit(0);
}

pid_t spawn_in_cgroup(struct cgroup *cg, spawn_fn fn, void *arg, unsigned *done)
{
	*done = 0;
	if (USE_HELPER && cg && cgroup_has_v1(cg)) {
		struct spawn_call c = { .cg = cg, .fn = fn, .arg = arg, .pid = -1 };
		sigset_t all, old;
		void *stack = mmap(NULL, HELPER_STACK, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);

		if (stack != MAP_FAILED) {
			/* no signal handler may run in the helper */
			sigfillset(&all);
			sigprocmask(SIG_BLOCK, &all, &old);
			pid_t h = clone(helper, (char *)stack + HELPER_STACK,
					CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &c);
			if (h > 0)
				while (waitpid(h, NULL, __WALL) < 0 && errno == EINTR)
					;
			sigprocmask(SIG_SETMASK, &old, NULL);
			munmap(stack, HELPER_STACK);
			if (h > 0 && c.entered && !(c.pid < 0 && c.err == EAGAIN)) {
				if (c.pid > 0)
					*done = CGROUP_DONE_V1;
				errno = c.err;
				return c.pid;
			}
		}
	}
	return fn(arg, 0);
}
