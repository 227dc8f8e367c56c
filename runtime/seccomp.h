/* linux.seccomp: the OCI profile compiled into a classic BPF program by
 * libseccomp in the runtime (before clone, so a bad profile fails `create`
 * early and the child only has to load it), loaded in the container init
 * with seccomp(2), and the user-notification fd handed to a listenerPath
 * agent with the OCI containerProcessState message.
 *
 * Behaviour follows runc: unknown syscall names are skipped, rules whose
 * action equals the default are dropped, conditions on the same argument
 * index become separate rules, SCMP_ACT_KILL is KILL_THREAD, ERRNO and
 * TRACE default to EPERM, and when the default action is not permissive
 * syscalls newer than any the profile names get -ENOSYS (runc's patchbpf
 * stub) so that programs fall back from e.g. clone3 instead of failing.
 * Flags: TSYNC is accepted and ignored (init is single-threaded), LOG,
 * SPEC_ALLOW and WAIT_KILLABLE_RECV must be supported by the kernel, and
 * when "flags" is absent (NULL, not []) SPEC_ALLOW is set if the kernel
 * has it, as runc does.
 */
#ifndef LW_SECCOMP_H
#define LW_SECCOMP_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "../spec/spec.h"

struct lw_seccomp; /* a compiled filter: BPF program + seccomp(2) flags */

/* Compile sc.  Errors name the field ("linux.seccomp.syscalls[3].args[0]
 * .index: ..."); unknown syscall names are logged at debug level, as runc
 * does.  cache_dir (may be NULL: no cache) holds compiled programs keyed by
 * the SHA-256 of the profile and the libseccomp version, e.g.
 * "/run/leeward/seccomp-cache"; it is created 0700 when missing, and any
 * cache failure falls back to compiling. */
int lw_seccomp_compile(const struct spec_seccomp *sc, const char *cache_dir,
		       struct lw_seccomp **out, lw_err *err);

/* The profile has SCMP_ACT_NOTIFY rules: lw_seccomp_load() returns a
 * listener fd that someone must serve (listenerPath agent or supervisor). */
bool lw_seccomp_uses_notify(const struct lw_seccomp *s);

/* Number of BPF instructions and seccomp(2) flags, for tests and debug. */
unsigned int lw_seccomp_len(const struct lw_seccomp *s);
unsigned int lw_seccomp_flags(const struct lw_seccomp *s);

/* In the container init: load the filter for the calling thread.  Needs
 * no_new_privs or CAP_SYS_ADMIN in the current user namespace.  Makes one
 * syscall and no allocation on success, so nothing the filter blocks runs
 * after it.  *notify_fd is the listener fd (O_CLOEXEC) when the profile
 * uses notify, else -1.  Every syscall the init makes between this and the
 * hand-off of *notify_fd must not be a NOTIFY target, or init blocks
 * forever: compile refuses NOTIFY on write (runc's rule) and sendmsg (our
 * hand-off, runtime/sync.c). */
int lw_seccomp_load(const struct lw_seccomp *s, int *notify_fd, lw_err *err);

/* The OCI listenerPath protocol (config-linux.md "Seccomp"): connect to
 * listener_path (AF_UNIX, SOCK_STREAM) and send one message whose payload is
 * the containerProcessState JSON
 *   {"ociVersion":..,"fds":["seccompFd"],"pid":pid,"metadata":..,"state":{..}}
 * with notify_fd attached (SCM_RIGHTS).  metadata may be NULL (omitted);
 * state_json is the state object as `leeward state` prints it (status
 * "creating").  notify_fd stays open (the caller closes it). */
int lw_seccomp_send_listener(const char *listener_path, const char *metadata, int notify_fd,
			     pid_t pid, const char *state_json, lw_err *err);

void lw_seccomp_free(struct lw_seccomp *s);

static inline void lw_seccomp_freep(struct lw_seccomp **s)
{
	if (*s)
		lw_seccomp_free(*s);
}
#define cleanup_seccomp __attribute__((cleanup(lw_seccomp_freep)))

#endif
