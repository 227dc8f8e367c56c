/* The container process's own attributes: rlimits, scheduling, user and
 * groups, capabilities, environment and the program lookup.  Runs in the
 * container init (and later in exec'd processes) in runc's order. */
#ifndef LW_PROCESS_H
#define LW_PROCESS_H

#include <stdbool.h>

#include "error.h"

struct spec_process;
struct spec;

/* process.rlimits (while privileged: raising a hard limit needs it). */
int process_set_rlimits(const struct spec_process *p, lw_err *err);
/* scheduler, ioPriority, execCPUAffinity.initial, linux.personality. */
int process_set_scheduling(const struct spec *s, const struct spec_process *p, lw_err *err);
/* Bounding set, then setgroups/setresgid/setresuid with KEEPCAPS, then the
 * effective/permitted/inheritable and ambient sets.  Without
 * process.capabilities the capabilities are left to setuid's rules. */
int process_set_user(const struct spec_process *p, bool setgroups_denied, lw_err *err);
/* Resolve args[0] through PATH of process.env (as execve will see it),
 * and check that it is executable by the container user. */
int process_find_program(const struct spec_process *p, char **path, lw_err *err);
/* The environment to exec with: process.env plus HOME (from the
 * container's /etc/passwd) when missing, and LISTEN_FDS/LISTEN_PID when
 * passed through. NULL-terminated, malloc'd. */
char **process_environ(const struct spec_process *p, int listen_fds);

struct lw_seccomp;
/* Load the seccomp filter; a notify fd is handed to the parent over the
 * sync socket (SYNC_SECCOMP) for the listenerPath agent. */
int process_load_seccomp(const struct lw_seccomp *sc, int sync_fd, lw_err *err);
/* fds 3..2+n stay open across execve (preserved, LISTEN_FDS); every other
 * fd from 3 on becomes close-on-exec. */
void process_keep_fds(int n);

#endif
