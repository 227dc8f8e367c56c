/* The container lifecycle on the runtime side: create, start, run, kill,
 * delete, and the parent half of container creation. */
#ifndef LW_CONTAINER_H
#define LW_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct spec;
struct cgroup;
struct lw_seccomp;
struct lw_landlock_set;

struct create_opts {
	const char *root; /* --root */
	const char *id;
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	/* run only */
	bool run;      /* create + start in one process */
	bool detach;   /* run --detach */
	bool keep;     /* run --keep */
};

/* What the container init (init.c) gets: everything prepared by the
 * parent.  Lives in the parent's memory, copied into the child by clone. */
struct init_ctx {
	const struct spec *spec;
	const char *id;
	const char *bundle;
	const char *rootfs; /* absolute host path */
	const char *cgroup_saved;
	int sync_fd;        /* child end of the sync socketpair */
	int fifo_fd;        /* exec.fifo opened O_RDWR, -1 in run mode */
	int console_fd;     /* connected console socket, -1 if none */
	int ns_fd[8];       /* namespaces to join (by SPEC_NS_*), -1 = none */
	int *idmap_fd;      /* per mounts[i]: detached idmapped tree (open_tree), or -1 */
	unsigned long clone_flags;   /* CLONE_NEW* created by clone3 */
	unsigned long unshare_flags; /* CLONE_NEW* the child unshares itself */
	bool two_stage;     /* stage 1 joins/unshares, forks the init */
	bool userns;        /* the container has a user namespace */
	bool new_netns;
	bool new_timens;
	bool cgroupns;      /* the container has a cgroup namespace (new or joined) */
	bool rootless;
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;   /* fds 3..3+n-1 kept */
	int listen_fds;     /* LISTEN_FDS passed through */
	bool run_mode;      /* wait for SYNC_START instead of exec.fifo */
	const struct lw_seccomp *seccomp;
	struct lw_landlock_set *landlock; /* policies to prepare and enforce */
	bool exec_mode;     /* leeward exec (joins an existing container) */
};

/* Create (and with opts->run, start and wait for) a container.  For a
 * foreground run, *exit_status is the container's exit status (128+N for a
 * signal). */
int container_create(const struct create_opts *opts, int *exit_status, lw_err *err);

int container_start(const char *root, const char *id, lw_err *err);
int container_kill(const char *root, const char *id, int sig, bool all, lw_err *err);
int container_delete(const char *root, const char *id, bool force, lw_err *err);

/* The child's entry point (init.c). Never returns. */
__attribute__((noreturn)) void init_main(struct init_ctx *ctx);

/* Signal name or number ("KILL", "SIGKILL", "9") -> number, -1 if unknown. */
int container_parse_signal(const char *s);

#endif
