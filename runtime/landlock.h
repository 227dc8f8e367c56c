/* Landlock: process.landlock (and its annotation) turned into a ruleset the
 * container's process restricts itself with.
 *
 *   parent    lw_landlock_compile: what the running kernel's ABI can
 *             enforce; best effort drops the rest, disableBestEffort makes
 *             it an error before anything is created
 *   container lw_landlock_prepare once the root is pivoted and while still
 *             privileged: the ruleset, with every path opened inside the
 *             container (a missing path is an error naming the field)
 *             lw_landlock_enforce: landlock_restrict_self, before the first
 *             seccomp filter (which need not allow the Landlock syscalls)
 *             and before execve
 */
#ifndef LW_LANDLOCK_H
#define LW_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct spec_landlock;

/* The running kernel's Landlock ABI version (cached); 0 when Landlock is
 * not built in or disabled at boot. */
int lw_landlock_abi(void);

/* The rights and scopes each ABI version added, for best effort. */
uint64_t lw_landlock_fs_rights(int abi);
uint64_t lw_landlock_net_rights(int abi);
uint64_t lw_landlock_scopes(int abi);

struct lw_landlock {
	const struct spec_landlock *src;
	const char *origin; /* "process.landlock", for messages */
	uint64_t handled_fs, handled_net, scoped; /* what this kernel enforces */
	int ruleset_fd;
	/* Per rule path (flat: rule 0's paths, then rule 1's, ...): where it
	 * led at create, as the container sees it ("/usr/lib" for "/lib" on a
	 * merged-/usr image); NULL where the rule was left out.  Recorded by
	 * the init, kept in the state dir; an exec'd process opens these
	 * without following any symlink, so what the sandbox replaced by a
	 * symlink since create cannot widen a rule. */
	char **pins;
	size_t n_pins;
	bool pinned; /* pins came from the state dir: a path without one fails */
};

/* What of `l` the kernel of ABI `abi` can enforce.  Best effort: rights,
 * scopes and rules it does not know are left out, and *out is NULL when
 * nothing is left (or abi is 0: *warn is then set).  disableBestEffort:
 * anything left out is an error naming the right and the ABI. */
int lw_landlock_compile(const struct spec_landlock *l, const char *origin, int abi,
			struct lw_landlock **out, bool *warn, lw_err *err);
/* In the container (its root, still privileged): the ruleset fd, at min_fd
 * or above (above the fds the process keeps), close-on-exec.  With ll->pins
 * set, the rule paths are those, opened with RESOLVE_NO_SYMLINKS; else they
 * are resolved inside the container (symlinks followed, /proc's magic links
 * not) and, when proc_fd (an fd of a procfs where "self" is this process)
 * is >= 0, recorded in ll->pins. */
int lw_landlock_prepare(struct lw_landlock *ll, int min_fd, int proc_fd, lw_err *err);
/* Restrict this thread (and what it execs) to the ruleset; closes it.
 * Needs no_new_privs or CAP_SYS_ADMIN in the user namespace. */
int lw_landlock_enforce(struct lw_landlock *ll, lw_err *err);
void lw_landlock_free(struct lw_landlock *ll);

/* Every policy a process of the container is confined by, in the order
 * applied (Landlock stacks them: each can only narrow the others):
 * config.json's process.landlock, its io.github.leeward.landlock
 * annotation, and for `exec` the process's own process.landlock when it is
 * not config.json's.  An exec'd process is never less confined than the
 * container's init. */
struct spec;
struct spec_process;
struct lw_landlock_set {
	struct lw_landlock *ll[3];
	int n;
	bool enforced;
};
/* Warns (once) when the kernel has no Landlock and best effort lets that
 * pass. */
int lw_landlock_set_compile(const struct spec *s, const struct spec_process *own,
			    struct lw_landlock_set *set, lw_err *err);
int lw_landlock_set_prepare(struct lw_landlock_set *set, int min_fd, int proc_fd, lw_err *err);
/* The pins of set's policies as records "POLICY INDEX PATH" (PATH with
 * backslash and newline escaped), one per call of fn; -1 if fn fails. */
int lw_landlock_set_pins_each(const struct lw_landlock_set *set,
			      int (*fn)(const char *record, void *arg), void *arg);
/* Give set's first policies (config.json's and the annotation's, in the
 * order lw_landlock_set_compile adds them) the pins of `text`, records
 * separated by newlines as lw_landlock_set_pins_each makes them. */
int lw_landlock_set_pin(struct lw_landlock_set *set, const char *text, lw_err *err);
/* Idempotent: the first call restricts, the others do nothing. */
int lw_landlock_set_enforce(struct lw_landlock_set *set, lw_err *err);
void lw_landlock_set_free(struct lw_landlock_set *set);

#endif
