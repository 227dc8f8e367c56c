/* Unit test for cgroup_enter_thread() (runtime/spawn.c's helper relies on
 * it): a thread moved into the v1 hierarchies of a cgroup forks a child
 * that starts there, and the process's other threads stay where they were.
 * As root on a host with v1 hierarchies, under /leeward-unit-spawn-<pid>;
 * elsewhere it says why and skips. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "runtime/cleanup.h"
#include "runtime/error.h"
#include "tests/unit/unit.h"

/* Every v1 line of /proc/PID/cgroup (not named hierarchies, not 0::)
 * ends in `path`; *n gets how many v1 lines there were. */
static bool v1_all_in(pid_t pid, const char *path, int *n)
{
	char p[64], *save = NULL;
	snprintf(p, sizeof(p), "/proc/%d/cgroup", (int)pid);
	cleanup_free char *s = slurp(p);
	*n = 0;
	if (!s)
		return false;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "0::", 3) == 0 || strstr(l, ":name="))
			continue;
		char *c = strchr(strchr(l, ':') + 1, ':');
		(*n)++;
		if (strcmp(c + 1, path) != 0)
			return false;
	}
	return true;
}

struct enter_arg {
	struct cgroup *cg;
	int rc;
	pid_t child;
};

/* on a helper thread: enter cg's v1 hierarchies, fork a sleeper there */
static void *enter_and_fork(void *p)
{
	struct enter_arg *a = p;
	lw_err e = NULL;
	a->rc = cgroup_enter_thread(a->cg, &e);
	if (a->rc < 0) {
		fprintf(stderr, "enter: %s\n", msg_of(e));
		lw_err_free(&e);
		return NULL;
	}
	a->child = fork();
	if (a->child == 0) {
		for (;;)
			pause();
	}
	return NULL;
}

int main(void)
{
	char path[64];
	lw_err e = NULL;
	struct cgroup *cg = NULL;
	enum cgroup_mode mode = cgroup_mode();

	if (geteuid() != 0 || (mode != CGROUP_MODE_V1 && mode != CGROUP_MODE_HYBRID)) {
		printf("test_cgroup_spawn: 0 passed, 0 failed (skipped: needs root and v1 hierarchies, mode %s)\n",
		       cgroup_mode_name(mode));
		return 0;
	}
	snprintf(path, sizeof(path), "/leeward-unit-spawn-%d", (int)getpid());
	CHECK(cgroup_create("x", path, NULL, false, &cg, &e) == 0, "create %s: %s", path, msg_of(e));
	if (cg && cgroup_has_v1(cg)) {
		struct enter_arg ea = { .cg = cg, .rc = -1, .child = -1 };
		pthread_t t;
		int n = 0, mine = 0;
		CHECK(pthread_create(&t, NULL, enter_and_fork, &ea) == 0, "pthread_create");
		pthread_join(t, NULL);
		CHECK(ea.rc == 0 && ea.child > 0, "enter_thread %d, fork %d", ea.rc, (int)ea.child);
		if (ea.child > 0) {
			CHECK(v1_all_in(ea.child, path, &n) && n > 0,
			      "child of the entered thread in %s (%d v1 lines)", path, n);
			CHECK(!v1_all_in(getpid(), path, &mine), "the main thread moved into %s", path);
			kill(ea.child, SIGKILL);
			waitpid(ea.child, NULL, 0);
		}
	} else if (cg) {
		CHECK(0, "a hybrid/v1 host gave a cgroup without v1 hierarchies");
	}
	if (cg) {
		CHECK(cgroup_destroy(cg, &e) == 0, "destroy: %s", msg_of(e));
		cgroup_free(cg);
	}
	lw_err_free(&e);
	printf("test_cgroup_spawn: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
