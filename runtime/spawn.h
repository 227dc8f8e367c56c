/* Start a container process inside the container's cgroups at the least
 * cost the host allows. */
#ifndef LW_SPAWN_H
#define LW_SPAWN_H

#include <sys/types.h>

#include "../cgroup/cgroup.h"

/* Forks the process (clone3, with `extra_flags` added to its own) and
 * returns the child's pid in the caller; in the child it never returns. */
typedef pid_t (*spawn_fn)(void *arg, unsigned long extra_flags);

/* clone3(flags) into the unified cgroup *cgfd when it is >= 0 (and with
 * CLONE_PIDFD into *pidfd when pidfd is set).  If the kernel refuses the
 * cgroup (EBUSY, EOPNOTSUPP, EACCES, EPERM: not a domain cgroup, not
 * delegated), clone3 again without it and set *cgfd to -1: the caller then
 * attaches the child itself.  Other errors (EAGAIN from a full pids.max)
 * are the caller's.  Returns what clone3 does. */
pid_t spawn_clone3(unsigned long flags, int *cgfd, int *pidfd);

/* Call fn so that the child starts in cg's v1 hierarchies when it has any.
 *
 * A cgroup.procs write on v1 takes the kernel's global threadgroup lock,
 * whose first taker waits for an RCU grace period (5-20 ms on the test
 * hosts, more than the rest of a create).  A process that moves only
 * itself does not take it.  So fn runs in a helper: a vfork-style clone
 * (shared memory and fd table, the caller suspended) that moves itself
 * into cg's v1 hierarchies (cgroup_enter_thread), calls fn with
 * CLONE_PARENT (the child is the caller's, and inherits the helper's
 * cgroups) and exits.  The unified tree is left to CLONE_INTO_CGROUP.
 *
 * *done gets CGROUP_DONE_V1 when that worked.  When the helper cannot
 * move itself (or its fork fails with EAGAIN: a pids.max the helper
 * counts against), fn runs in the caller and *done is 0: the caller then
 * attaches the child with cgroup_attach() as before.
 * Returns fn's result: the pid, or -1 with errno. */
pid_t spawn_in_cgroup(struct cgroup *cg, spawn_fn fn, void *arg, unsigned *done);
/* The same, with the helper also where cg (may be NULL) has no v1
 * hierarchy: fn can tell it runs there (extra_flags has CLONE_PARENT) and
 * change the helper's namespaces (setns) without touching the caller's.
 * The sanitizer build has no helper: fn runs in the caller. */
pid_t spawn_via_helper(struct cgroup *cg, spawn_fn fn, void *arg, unsigned *done);

#endif
