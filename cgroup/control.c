/* What acts on the processes of a live cgroup: list them, freeze and
 * thaw (cgroup.freeze on v2, the v1 freezer), signal them all (cgroup.kill
 * on v2 for SIGKILL). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../runtime/cleanup.h"
#include "../runtime/log.h"
#include "internal.h"

/* The hierarchy that lists the container's processes. */
static struct cg_hier *procs_hier(struct cgroup *cg)
{
	if (cg->uni && cg->uni->fd >= 0)
		return cg->uni;
	static const enum cg_ctrl pref[] = { CG_PIDS, CG_MEMORY, CG_FREEZER, CG_CPU };
	for (size_t i = 0; i < LW_ARRAY_SIZE(pref); i++) {
		struct cg_hier *h = cg_v1_find(cg, pref[i]);
		if (h)
			return h;
	}
	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].fd >= 0)
			return &cg->h[i];
	return NULL;
}

struct pid_vec {
	pid_t *v;
	size_t n, cap;
};

/* cgroup.procs of dirfd and of every sub-cgroup below it (a container may
 * make its own), depth bounded so a deep tree cannot exhaust the stack. */
static int collect_pids(int dirfd, const char *path, struct pid_vec *pv, int depth, lw_err *err)
{
	cleanup_free char *s = NULL;
	if (cg_read(dirfd, "cgroup.procs", &s, err) < 0)
		return lw_wrap(err, "cgroup %s", path);
	for (char *p = s; *p;) {
		char *e;
		long x = strtol(p, &e, 10);
		if (e == p)
			break;
		if (x > 0) {
			if (pv->n == pv->cap) {
				size_t cap = pv->cap ? pv->cap * 2 : 16;
				pid_t *nv = realloc(pv->v, cap * sizeof(*nv));
				if (!nv)
					return lw_fail(err, ENOMEM, "cgroup pids");
				pv->v = nv;
				pv->cap = cap;
			}
			pv->v[pv->n++] = (pid_t)x;
		}
		p = *e ? e + 1 : e;
	}
	if (depth >= 32)
		return 0;
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_dir DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		cleanup_close int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue; /* removed meanwhile */
		if (collect_pids(sub, de->d_name, pv, depth + 1, err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, lw_err *err)
{
	*pids = NULL;
	*n = 0;
	struct cg_hier *h = procs_hier(cg);
	if (!h)
		return 0;
	struct pid_vec pv = { 0 };
	if (collect_pids(h->fd, h->path, &pv, 0, err) < 0) {
		free(pv.v);
		return -1;
	}
	*pids = pv.v;
	*n = pv.n;
	return 0;
}

/* Where freezing happens: the v1 freezer hierarchy on v1/hybrid, else the
 * unified tree's core freezer. */
static struct cg_hier *freezer_hier(struct cgroup *cg)
{
	struct cg_hier *h = cg_v1_find(cg, CG_FREEZER);
	if (h)
		return h;
	return cg->uni && cg->uni->fd >= 0 ? cg->uni : NULL;
}

int cgroup_is_frozen(struct cgroup *cg)
{
	struct cg_hier *h = freezer_hier(cg);
	cleanup_free char *s = NULL;
	if (!h)
		return 0;
	if (cg_read(h->fd, h->unified ? "cgroup.freeze" : "freezer.state", &s, NULL) < 0)
		return -1;
	return h->unified ? s[0] == '1' : strncmp(s, "THAWED", 6) != 0;
}

static int freeze_wait(struct cg_hier *h, bool frozen, lw_err *err)
{
	const char *v1val = frozen ? "FROZEN" : "THAWED";
	long deadline = cg_now_ms() + 5000, delay = 1;
	for (int iter = 0;; iter++) {
		cleanup_free char *s = NULL;
		if (h->unified) {
			uint64_t v = 0;
			if (cg_read(h->fd, "cgroup.events", &s, err) < 0)
				return -1;
			if (cg_keyed_u64(s, "frozen", &v) == 0 && (v != 0) == frozen)
				return 0;
		} else {
			if (cg_read(h->fd, "freezer.state", &s, err) < 0)
				return -1;
			if (strncmp(s, v1val, 6) == 0)
				return 0;
			/* v1 can stay FREEZING when a task races in; ask again */
			if (iter % 8 == 7 && cg_write(h->fd, "freezer.state", v1val, err) < 0)
				return -1;
		}
		if (cg_now_ms() >= deadline)
			return lw_fail(err, ETIMEDOUT, "waiting for cgroup %s to %s", h->path,
				       frozen ? "freeze" : "thaw");
		cg_sleep_ms(delay);
		if (delay < 16)
			delay *= 2;
	}
}

int cgroup_freeze(struct cgroup *cg, bool frozen, lw_err *err)
{
	struct cg_hier *h = freezer_hier(cg);
	if (!h)
		return lw_fail(err, ENOTSUP, "cgroup: no freezer available");
	const char *file = h->unified ? "cgroup.freeze" : "freezer.state";
	const char *val = h->unified ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
	if (cg_write(h->fd, file, val, err) < 0 || freeze_wait(h, frozen, err) < 0) {
		if (frozen) /* do not leave it half frozen */
			cg_write(h->fd, file, h->unified ? "0" : "THAWED", NULL);
		return lw_wrap(err, "cgroup %s", h->path);
	}
	return 0;
}

int cgroup_kill_all(struct cgroup *cg, int sig, lw_err *err)
{
	if (sig == SIGKILL && cg->uni && cg->uni->fd >= 0 &&
	    cg_file_exists(cg->uni->fd, "cgroup.kill")) {
		if (cg_write(cg->uni->fd, "cgroup.kill", "1", err) < 0)
			return lw_wrap(err, "cgroup %s", cg->uni->path);
		return 0;
	}
	/* Freeze so no process forks a child we would miss (as runc). */
	int was = cgroup_is_frozen(cg);
	bool froze = was == 0 && cgroup_freeze(cg, true, NULL) == 0;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	int ret = cgroup_pids(cg, &pids, &n, err);
	for (size_t i = 0; ret == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			ret = lw_fail(err, errno, "sending signal %d to pid %d", sig, (int)pids[i]);
	/* a frozen v1 task cannot die until thawed */
	if (froze || (was == 1 && sig == SIGKILL))
		cgroup_freeze(cg, false, NULL);
	return ret;
}
