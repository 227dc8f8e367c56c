/* cgroup manager: cgroup v2 (primary), hybrid and v1 hosts.
 *
 * A struct cgroup is the container's cgroup in every hierarchy leeward
 * uses: the unified (cgroup2) tree always when it is mounted (process
 * tracking, CLONE_INTO_CGROUP), plus on hybrid/v1 hosts one directory per
 * v1 controller hierarchy that the resources need (limits).
 *
 * cgroupsPath resolution (as runc's cgroupfs driver): absolute paths are
 * under each hierarchy's mount; relative paths and the default (NULL ->
 * the container ID) are under the invoking process's own cgroup in that
 * hierarchy.  Paths with ".." components are refused.
 */
#ifndef LW_CGROUP_H
#define LW_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../runtime/error.h"
#include "../spec/spec.h"

enum cgroup_mode { CGROUP_MODE_NONE, CGROUP_MODE_V1, CGROUP_MODE_HYBRID, CGROUP_MODE_V2 };

enum cgroup_mode cgroup_mode(void);
const char *cgroup_mode_name(enum cgroup_mode mode);

struct cgroup;

/* Create the container's cgroup(s) and apply `res` (may be NULL).  An
 * existing cgroup is reused only if it is empty and not frozen.  rootless:
 * hierarchies that are not writable are skipped (no limits) instead of
 * failing, unless res asks for limits there.  On failure nothing created is
 * left behind. */
int cgroup_create(const char *id, const char *cgroups_path, const struct spec_resources *res,
		  bool rootless, struct cgroup **out, lw_err *err);

/* Reopen a container's cgroup from the string saved by cgroup_saved(). */
int cgroup_open(const char *saved, struct cgroup **out, lw_err *err);
/* A string to store in the state dir that cgroup_open() understands. */
const char *cgroup_saved(const struct cgroup *cg);

/* O_DIRECTORY fd of the unified-tree cgroup for clone3(CLONE_INTO_CGROUP),
 * or -1 if there is none. Owned by cg. */
int cgroup_clone_fd(const struct cgroup *cg);

/* What cgroup_attach() can skip: the unified tree (clone3 put the
 * process there with CLONE_INTO_CGROUP), the v1 hierarchies (the process
 * was forked by a thread that cgroup_enter_thread() moved there). */
#define CGROUP_DONE_UNIFIED 1u
#define CGROUP_DONE_V1 2u
/* Put pid into every hierarchy of cg that `done` does not name. */
int cgroup_attach(struct cgroup *cg, pid_t pid, unsigned done, lw_err *err);
/* Does cg have v1 hierarchies for a process to join? */
bool cgroup_has_v1(const struct cgroup *cg);
/* Move the calling thread (only it) into every v1 hierarchy of cg, by
 * writing 0 to each `tasks` file; a process it then forks starts there.
 * Why: on v1, writing a pid to cgroup.procs takes the kernel's global
 * threadgroup lock, and its first taker waits for an RCU grace period
 * (5-20 ms on the test hosts); moving the calling thread does not take
 * it.  For a helper thread that exits afterwards (a thread outside its
 * process's cgroup is allowed on v1, not on v2: the unified tree is left
 * alone). */
int cgroup_enter_thread(struct cgroup *cg, lw_err *err);

/* Remove the cgroup directories (after the processes are gone; retries
 * briefly on EBUSY). */
int cgroup_destroy(struct cgroup *cg, lw_err *err);
void cgroup_free(struct cgroup *cg);

/* Signal every process of the cgroup (cgroup.kill on v2 for SIGKILL). */
int cgroup_kill_all(struct cgroup *cg, int sig, lw_err *err);
/* PIDs (in the caller's pid namespace) of the cgroup's processes; *pids
 * malloc'd. */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, lw_err *err);
/* Freeze (pause) or thaw (resume). */
int cgroup_freeze(struct cgroup *cg, bool frozen, lw_err *err);
/* 1 frozen, 0 not, -1 error. */
int cgroup_is_frozen(struct cgroup *cg);
/* Apply new limits to a live cgroup (update). */
int cgroup_update(struct cgroup *cg, const struct spec_resources *res, lw_err *err);
/* runc `events --stats` "data" object as JSON (malloc'd). */
int cgroup_stats_json(struct cgroup *cg, char **json, lw_err *err);
/* Number of OOM kills so far (memory.events oom_kill / v1 memory.oom_control). */
int cgroup_oom_kills(struct cgroup *cg, unsigned long long *count, lw_err *err);

#endif
