/* The container side: everything the init does between clone3 and execve,
 * in runc's order.  Any failure is sent to the parent as SYNC_ERROR with
 * the real cause, so `create` reports it and undoes what it made.
 *
 *   wait SYNC_GO (maps written, cgroups joined)
 *   [two-stage] join namespaces by path (user first), unshare the rest,
 *               maps, fork the init with CLONE_PARENT
 *   time offsets, cgroup namespace (after the cgroup attach), uid/gid 0
 *   loopback up, hostname
 *   rootfs_prepare: mounts, /dev
 *   SYNC_HOOKS (prestart, createRuntime run in the parent)
 *   createContainer hooks
 *   rootfs_finish: readonly/masked paths, pivot_root, console, ro root
 *   sysctl, rlimits, scheduling, keyring
 *   Landlock ruleset built (rules' paths opened in the final root)
 *   no_new_privs; Landlock + seccomp here when they cannot be last (no NNP)
 *   bounding set, user and groups, capabilities, umask, cwd
 *   program lookup, fds marked close-on-exec but stdio/preserved/LISTEN_FDS
 *   [listenerPath] seccomp loaded, notify fd to the parent
 *   SYNC_READY; wait for exec.fifo (create) or SYNC_START (run)
 *   startContainer hooks; Landlock + seccomp (NNP case); execve
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../hooks/hooks.h"
#include "../netns/netns.h"
#include "../spec/spec.h"
#include "cleanup.h"
#include "container.h"
#include "landlock.h"
#include "process.h"
#include "rootfs.h"
#include "seccomp.h"
#include "sync.h"
#include "util.h"

/* The init keeps the host's /proc open (verified to be procfs) for the few
 * writes it does there; container mounts cannot redirect them. */
static int host_proc = -1;
/* Our pid as the host sees it (hooks' state), from the host /proc. */
static pid_t host_pid;

static int open_host_proc(lw_err *err)
{
	struct statfs sf;

	host_proc = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (host_proc < 0 || fstatfs(host_proc, &sf) < 0)
		return lw_fail(err, errno, "opening /proc");
	if (sf.f_type != PROC_SUPER_MAGIC)
		return lw_fail(err, 0, "/proc is not procfs");
	return 0;
}

/* Write to a file under the host /proc without following symlinks other
 * than procfs's own "self". */
static int proc_write(const char *rel, const char *val, bool allow_self, lw_err *err)
{
	struct open_how how = { .flags = O_WRONLY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
					   (allow_self ? 0 : RESOLVE_NO_SYMLINKS) };
	int fd = (int)syscall(SYS_openat2, host_proc, rel, &how, sizeof(how));
	if (fd < 0)
		return lw_fail(err, errno, "opening /proc/%s", rel);
	if (write_all(fd, val, strlen(val)) < 0) {
		int e = errno;
		close(fd);
		return lw_fail(err, e, "writing \"%s\" to /proc/%s", val, rel);
	}
	close(fd);
	return 0;
}

/* Close every fd the init does not need: a host fd must never reach the
 * container (CVE-2024-21626).  Preserved fds (3..3+n-1) stay. */
static void close_other_fds(const struct init_ctx *ctx)
{
	int keep[32], n = 0;

	keep[n++] = ctx->sync_fd;
	keep[n++] = ctx->fifo_fd;
	keep[n++] = ctx->console_fd;
	for (int i = 0; i < 8; i++)
		keep[n++] = ctx->ns_fd[i];
	for (size_t i = 0; ctx->idmap_fd && i < ctx->spec->n_mounts && n < 32; i++)
		if (ctx->idmap_fd[i] >= 0)
			keep[n++] = ctx->idmap_fd[i];
	close_fds_except(3 + ctx->preserve_fds + ctx->listen_fds, keep, n);
}

static const int join_order[] = { SPEC_NS_IPC, SPEC_NS_UTS,    SPEC_NS_NETWORK, SPEC_NS_PID,
				  SPEC_NS_CGROUP, SPEC_NS_TIME, SPEC_NS_MOUNT };

static int join_namespaces(struct init_ctx *ctx, lw_err *err)
{
	for (size_t i = 0; i < LW_ARRAY_SIZE(join_order); i++) {
		int t = join_order[i];
		if (ctx->ns_fd[t] < 0)
			continue;
		if (setns(ctx->ns_fd[t], spec_ns_clone_flag((enum spec_ns_type)t)) < 0)
			return lw_fail(err, errno, "joining the %s namespace",
				       spec_ns_name((enum spec_ns_type)t));
		close(ctx->ns_fd[t]);
		ctx->ns_fd[t] = -1;
	}
	return 0;
}

static int write_time_offsets(const struct init_ctx *ctx, lw_err *err)
{
	const struct spec_linux *l = ctx->spec->linux_;
	char buf[128];

	for (size_t i = 0; l && i < l->n_time_offsets; i++) {
		const struct spec_time_offset *t = &l->time_offsets[i];
		int clk = !strcmp(t->clock, "boottime") ? CLOCK_BOOTTIME : CLOCK_MONOTONIC;
		snprintf(buf, sizeof(buf), "%d %lld %u", clk, (long long)t->secs, t->nanosecs);
		if (proc_write("self/timens_offsets", buf, true, err) < 0)
			return lw_wrap(err, "linux.timeOffsets.%s", t->clock);
	}
	return 0;
}

/* Two-stage start: namespaces joined by path must be entered before new
 * ones are made (a new user namespace would lose the right to join the
 * host's), and a pid namespace only applies to children. */
static int stage1(struct init_ctx *ctx, lw_err *err)
{
	unsigned long flags = ctx->unshare_flags;
	bool join_pid = ctx->ns_fd[SPEC_NS_PID] >= 0;

	if (ctx->ns_fd[SPEC_NS_USER] >= 0) {
		if (setns(ctx->ns_fd[SPEC_NS_USER], CLONE_NEWUSER) < 0)
			return lw_fail(err, errno, "joining the user namespace");
		close(ctx->ns_fd[SPEC_NS_USER]);
		ctx->ns_fd[SPEC_NS_USER] = -1;
	}
	if (join_namespaces(ctx, err) < 0)
		return -1;
	if (flags && unshare((int)flags) < 0)
		return lw_fail(err, errno, "unshare(0x%lx)", flags);
	if (flags & CLONE_NEWUSER) {
		if (sync_send(ctx->sync_fd, SYNC_USERMAP, 0, 0, NULL, -1) < 0 ||
		    sync_expect(ctx->sync_fd, SYNC_USERMAP_DONE, "uid/gid maps", NULL, err) < 0)
			return -1;
	}
	/* before the init joins the container's pid namespace (see init_main) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if ((flags & CLONE_NEWTIME) && write_time_offsets(ctx, err) < 0)
		return -1;
	if (!(flags & CLONE_NEWPID) && !join_pid && !(flags & CLONE_NEWTIME)) {
		/* no fork needed: stage 1 is the init */
		if (sync_send(ctx->sync_fd, SYNC_INIT_PID, 0, getpid(), NULL, -1) < 0)
			return lw_fail(err, errno, "sync");
		return 0;
	}
	struct clone_args a = { .flags = CLONE_PARENT, .exit_signal = 0 };
	pid_t pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	if (pid < 0)
		return lw_fail(err, errno, "forking the container init");
	if (pid == 0) {
		/* both of us share the socket: wait until the parent has our
		 * pid, so no message of ours overtakes SYNC_INIT_PID */
		return sync_expect(ctx->sync_fd, SYNC_GO, "go", NULL, err);
	}
	sync_send(ctx->sync_fd, SYNC_INIT_PID, 0, pid, NULL, -1);
	_exit(0);
}

static char *hook_state(const struct init_ctx *ctx, const char *status)
{
	struct spec_state st = {
		.oci_version = SPEC_OCI_VERSION,
		.id = ctx->id,
		.status = status,
		.pid = host_pid ? host_pid : getpid(),
		.bundle = ctx->bundle,
		.annotations = ctx->spec->annotations,
		.n_annotations = ctx->spec->n_annotations,
	};
	return spec_generate_state(&st, false);
}

static int set_sysctls(const struct init_ctx *ctx, lw_err *err)
{
	const struct spec_linux *l = ctx->spec->linux_;

	for (size_t i = 0; l && i < l->n_sysctl; i++) {
		cleanup_free char *rel = NULL;
		if (asprintf(&rel, "sys/%s", l->sysctl[i].key) < 0)
			return lw_fail(err, ENOMEM, "sysctl");
		for (char *p = rel + 4; *p; p++)
			if (*p == '.')
				*p = '/';
		if (strstr(rel, ".."))
			return lw_fail(err, EINVAL, "linux.sysctl: invalid key \"%s\"",
				       l->sysctl[i].key);
		if (proc_write(rel, l->sysctl[i].value, false, err) < 0)
			return lw_wrap(err, "linux.sysctl[\"%s\"]", l->sysctl[i].key);
	}
	return 0;
}

static bool setgroups_denied(void)
{
	char buf[16] = { 0 };
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_BENEATH };
	int fd = (int)syscall(SYS_openat2, host_proc, "self/setgroups", &how, sizeof(how));
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && !strncmp(buf, "deny", 4);
}

/* lw_landlock_set_pins_each: one record to the runtime. */
static int send_pin(const char *record, void *arg)
{
	const struct init_ctx *ctx = arg;
	if (strlen(record) >= SYNC_TEXT_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return sync_send(ctx->sync_fd, SYNC_LANDLOCK_PIN, 0, 0, record, -1);
}

/* Everything up to the wait for `start`; returns the program path. */
static int init_setup(struct init_ctx *ctx, char **program, char ***envp, lw_err *err)
{
	const struct spec *s = ctx->spec;
	const struct spec_process *p = s->process;
	bool nnp_last;

	if (ctx->two_stage) {
		if (stage1(ctx, err) < 0)
			return -1;
	} else {
		if (join_namespaces(ctx, err) < 0)
			return -1;
		if (ctx->unshare_flags && unshare((int)ctx->unshare_flags) < 0)
			return lw_fail(err, errno, "unshare(0x%lx)", ctx->unshare_flags);
		if ((ctx->unshare_flags & CLONE_NEWTIME) && write_time_offsets(ctx, err) < 0)
			return -1;
	}
	{
		/* (after the two-stage fork: the init's own pid) */
		char buf[32];
		ssize_t n = readlinkat(host_proc, "self", buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = 0;
			host_pid = (pid_t)atoi(buf);
		}
	}
	if (ctx->userns) {
		/* become root of the user namespace (if 0 is mapped) */
		if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
			return lw_fail(err, errno, "setresgid(0)");
		if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
			return lw_fail(err, errno, "setresuid(0)");
	}
	if (ctx->new_netns && netns_loopback_up(err) < 0)
		return lw_wrap(err, "bringing up lo");
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return lw_fail(err, errno, "hostname \"%s\"", s->hostname);
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return lw_fail(err, errno, "domainname \"%s\"", s->domainname);

	if (rootfs_prepare(ctx, err) < 0)
		return -1;
	if (s->hooks.n[SPEC_HOOK_PRESTART] || s->hooks.n[SPEC_HOOK_CREATE_RUNTIME]) {
		if (sync_send(ctx->sync_fd, SYNC_HOOKS, 0, 0, NULL, -1) < 0 ||
		    sync_expect(ctx->sync_fd, SYNC_HOOKS_DONE, "createRuntime hooks", NULL, err) < 0)
			return -1;
	}
	if (s->hooks.n[SPEC_HOOK_CREATE_CONTAINER]) {
		cleanup_free char *json = hook_state(ctx, "created");
		if (hooks_run(&s->hooks, SPEC_HOOK_CREATE_CONTAINER, json, err) < 0)
			return -1;
	}
	if (rootfs_finish(ctx, err) < 0)
		return -1;
	/* the Landlock rules' paths, opened in the final root while root;
	 * where each led goes to the runtime, for exec (see landlock.h) */
	if (lw_landlock_set_prepare(ctx->landlock, 3 + ctx->preserve_fds + ctx->listen_fds,
				    host_proc, err) < 0)
		return -1;
	if (lw_landlock_set_pins_each(ctx->landlock, send_pin, ctx) < 0)
		return lw_fail(err, errno, "sending the Landlock rules' paths to the runtime");
	if (set_sysctls(ctx, err) < 0)
		return -1;
	if (process_set_rlimits(p, err) < 0 || process_set_scheduling(s, p, err) < 0)
		return -1;
	if (!ctx->no_new_keyring) {
		/* a session keyring of the container's own (named as runc names
		 * it), so the caller's keys are not reachable from inside */
		char name[300];
		snprintf(name, sizeof(name), "_ses.%s", ctx->id);
		long k = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name);
		if (k < 0 && errno != ENOSYS && errno != EPERM && errno != EACCES)
			return lw_fail(err, errno, "joining a new session keyring");
		if (k >= 0)
			syscall(SYS_keyctl, KEYCTL_SETPERM, k, 0x3f1b0000 /* possessor all, user view/read/search */);
	}

	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return lw_fail(err, errno, "process.noNewPrivileges");
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it
	 * before the capabilities go.  With it, load it as late as possible
	 * (runc's order) so the filter need not allow the runtime's syscalls. */
	nnp_last = p->no_new_privileges;
	bool listener = ctx->seccomp && lw_seccomp_uses_notify(ctx->seccomp);
	/* what reads files is done before Landlock may be in force: the
	 * policy need not allow /proc/self/setgroups or /etc/passwd */
	bool sg_denied = ctx->userns && setgroups_denied();
	*envp = process_environ(p, ctx->listen_fds);
	if (!*envp)
		return lw_fail(err, ENOMEM, "environment");
	/* Landlock: without no_new_privs the kernel wants CAP_SYS_ADMIN, so
	 * restrict before the user and capabilities change; either way
	 * before the first seccomp filter (it need not allow Landlock) */
	if (!nnp_last && lw_landlock_set_enforce(ctx->landlock, err) < 0)
		return -1;
	if (ctx->seccomp && !nnp_last && process_load_seccomp(ctx->seccomp, ctx->sync_fd, err) < 0)
		return -1;

	if (process_set_user(p, sg_denied, err) < 0)
		return -1;
	umask(p->user.has_umask ? (mode_t)p->user.umask : 0022);
	if (chdir(p->cwd) < 0)
		return lw_fail(err, errno, "process.cwd: chdir to %s", p->cwd);
	{
		/* the cwd must be inside the container (CVE-2024-21626) */
		char cwd[16];
		if (!getcwd(cwd, sizeof(cwd)) && errno != ERANGE)
			return lw_fail(err, errno, "process.cwd %s is outside the container", p->cwd);
	}
	if (process_find_program(p, program, err) < 0)
		return -1;

	/* fds: everything from 3 on is close-on-exec but the preserved ones */
	process_keep_fds(ctx->preserve_fds + ctx->listen_fds);
	/* with a listener the parent must hand the notify fd on before it
	 * exits: load now rather than after the start */
	if (ctx->seccomp && nnp_last && listener &&
	    (lw_landlock_set_enforce(ctx->landlock, err) < 0 ||
	     process_load_seccomp(ctx->seccomp, ctx->sync_fd, err) < 0))
		return -1;
	return 0;
}

__attribute__((noreturn)) static void init_fail(struct init_ctx *ctx, lw_err *err, bool started)
{
	if (!started || ctx->run_mode) {
		sync_send_error(ctx->sync_fd, *err);
	} else {
		/* create already returned: the container's stderr is all we have */
		dprintf(2, "leeward: %s\n", (*err)->msg);
	}
	_exit(started ? 127 : 1);
}

void init_main(struct init_ctx *ctx)
{
	const struct spec *s = ctx->spec;
	cleanup_err lw_err err = NULL;
	char *program = NULL, **envp = NULL;
	sigset_t none;

	/* a foreground run blocked every signal for its signalfd */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close_other_fds(ctx);

	if (sync_expect(ctx->sync_fd, SYNC_GO, "go", NULL, &err) < 0)
		_exit(1);
	/* The init runs leeward's code until execve: non-dumpable, no process
	 * in the container can open /proc/<init>/exe (or its fds or memory) to
	 * reach the host binary (CVE-2019-5736); execve of the container's
	 * program ends that.  Not earlier: an unprivileged parent writes our
	 * uid/gid maps before SYNC_GO, and until then no other process can
	 * share our (new) pid namespace.  (Two-stage: stage1() does it.) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (open_host_proc(&err) < 0 || init_setup(ctx, &program, &envp, &err) < 0)
		init_fail(ctx, &err, false);
	close(host_proc);
	if (sync_send(ctx->sync_fd, SYNC_READY, 0, 0, NULL, -1) < 0)
		_exit(1);

	/* wait for start */
	if (ctx->run_mode) {
		if (sync_expect(ctx->sync_fd, SYNC_START, "start", NULL, &err) < 0)
			_exit(1);
	} else {
		char c;
		ssize_t n;
		do
			n = read(ctx->fifo_fd, &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(1);
		/* fifo_fd stays open (close-on-exec): `start` waits for it to
		 * close, so poststart hooks run after the startContainer ones */
	}

	if (s->hooks.n[SPEC_HOOK_START_CONTAINER]) {
		cleanup_free char *json = hook_state(ctx, "running");
		if (hooks_run(&s->hooks, SPEC_HOOK_START_CONTAINER, json, &err) < 0)
			init_fail(ctx, &err, true);
	}
	/* Landlock (if not yet), seccomp, execve */
	if (lw_landlock_set_enforce(ctx->landlock, &err) < 0)
		init_fail(ctx, &err, true);
	if (ctx->seccomp && s->process->no_new_privileges && !lw_seccomp_uses_notify(ctx->seccomp) &&
	    process_load_seccomp(ctx->seccomp, ctx->sync_fd, &err) < 0)
		init_fail(ctx, &err, true);
	execve(program, s->process->args, envp);
	lw_fail(&err, errno, "exec: \"%s\"", program);
	init_fail(ctx, &err, true);
}
