/* OCI hooks (runtime.md "Lifecycle", config.md "POSIX-platform Hooks").
 *
 * Each hook is run with execve(path, args, env), the container state JSON
 * on stdin, stdout/stderr inherited from the runtime (so hook output lands
 * where runc's does), and killed with SIGKILL when its timeout elapses.
 * The caller decides where (which namespaces) and when; this module only
 * runs them. */
#ifndef LW_HOOKS_H
#define LW_HOOKS_H

#include "../runtime/error.h"
#include "../spec/spec.h"

/* Run every hook of `kind` in order; stop at the first failure (non-zero
 * exit, killed by a signal, timeout, exec failure) and return -1 with err
 * naming the hook by its index in the config array, hooks.<kind>[i]:
 *   "createRuntime hook #0 (/usr/bin/x): exited with status 3"
 *   "poststart hook #1 (/usr/bin/y): killed by signal 9"
 *   "prestart hook #0 (/usr/bin/z): timed out after 5 s"
 *   "createRuntime hook #2 (/nope): exec: No such file or directory"
 * argv is hook->args, or {path} without args.  envp is hook->env; a NULL
 * env (the field was absent) inherits the runtime's environment, as runc
 * and crun do; a non-NULL empty vector gives an empty environment.  The hook
 * gets only fds 0-2 (stdin: a pipe carrying state_json, then EOF) and the
 * runtime's cwd, signal mask cleared, SIGPIPE/SIGCHLD at default.
 * Needs no threads; safe to call from a forked single-threaded child.  The
 * caller must not ignore SIGCHLD (the hook would be auto-reaped). */
int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json,
	      lw_err *err);

/* Run all hooks of `kind`, logging a warning for each failure instead of
 * stopping (poststop). */
void hooks_run_warn(const struct spec_hooks *hooks, enum spec_hook_kind kind,
		    const char *state_json);

/* JSON name of a hook kind ("createRuntime"), for messages. */
const char *hooks_kind_name(enum spec_hook_kind kind);

#endif
