/* leeward exec: run another process in a created or running container,
 * with the container's confinement. */
#ifndef LW_EXEC_H
#define LW_EXEC_H

#include <stdbool.h>

#include "error.h"

struct exec_opts {
	const char *root;
	const char *id;
	const char *process_file; /* --process: a process.json */
	char **args;              /* the command when no --process */
	int n_args;
	bool tty;
	const char *console_socket;
	bool detach;
	const char *pid_file;
	const char **env; /* --env, NULL-terminated (may be NULL) */
	const char *cwd;
	const char *user; /* UID[:GID] */
	const char **additional_gids;
	const char **caps;
	bool no_new_privs;
	int preserve_fds;
	bool ignore_paused;
	const char *process_label;
	const char *apparmor;
	const char *cgroup; /* sub-cgroup of the container's */
};

/* Foreground exec: *exit_status is the process's status (128+N for a
 * signal).  Detached: returns once the program runs. */
int container_exec(const struct exec_opts *o, int *exit_status, lw_err *err);

#endif
