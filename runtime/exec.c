/* leeward exec.
 *
 * parent: state (created/running, not paused unless --ignore-paused) ->
 *   process spec (--process or the config's process + flags) -> pidfd of
 *   the init -> the spawn helper (spawn.c: a vfork-style clone with its
 *   own namespaces and fs) -> v1 attach -> SYNC_GO
 * helper: setns(pidfd, every namespace type of the container but the
 *   user and cgroup ones) -> clone3(CLONE_INTO_CGROUP | CLONE_PARENT) the
 *   process: it is born in the container's pid namespace with the
 *   container's mounts, network, ... already its own (no moment where a
 *   process of the container could reach the host's root or mounts
 *   through its /proc entry)
 * process: setns(pidfd, CLONE_NEWUSER | CLONE_NEWCGROUP) for those the
 *   container has; terminal, rlimits, scheduling, no_new_privs, seccomp,
 *   user and capabilities, cwd, program lookup -> SYNC_READY -> SYNC_START
 *   -> execve
 * Where the helper cannot join them (rootless: no CAP_SYS_ADMIN in the
 * host's user namespace; a time namespace, which a task sharing memory
 * may not join; the sanitizer build, which has no helper) the clone is a
 * stage 1 instead, which joins every namespace, user first, and forks the
 * process with CLONE_PARENT (SYNC_INIT_PID): one fork and exit more.
 */
#define _GNU_SOURCE
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cgroup/cgroup.h"
#include "../spec/spec.h"
#include "cleanup.h"
#include "console.h"
#include "landlock.h"
#include "log.h"
#include "process.h"
#include "seccomp.h"
#include "spawn.h"
#include "state.h"
#include "sync.h"
#include "util.h"

struct exec_ctx {
	const struct spec *spec;
	const struct spec_process *proc;
	int pidfd;
	int ns_flags;
	bool one_stage; /* the clone is the process (see the top) */
	int sync_fd;
	int console_fd;
	bool userns;
	int preserve_fds;
	const struct lw_seccomp *seccomp;
	struct lw_landlock_set *landlock;
};

/* ---- the child ----------------------------------------------------------- */

static int exec_setup(struct exec_ctx *x, char **program, char ***envp, lw_err *err)
{
	const struct spec_process *p = x->proc;

	if (x->console_fd >= 0 && console_setup(x->console_fd, p, 0, err) < 0)
		return -1;
	if (process_set_rlimits(p, err) < 0 || process_set_scheduling(x->spec, p, err) < 0)
		return -1;
	/* the rules' paths are opened now, as root of the container */
	if (lw_landlock_set_prepare(x->landlock, 3 + x->preserve_fds, -1, err) < 0)
		return -1;
	/* what reads files comes before Landlock may be in force */
	bool denied = false;
	if (x->userns) {
		char buf[16] = { 0 };
		int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			denied = read(fd, buf, sizeof(buf) - 1) > 0 && !strncmp(buf, "deny", 4);
			close(fd);
		}
	}
	*envp = process_environ(p, 0);
	if (!*envp)
		return lw_fail(err, ENOMEM, "environment");
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return lw_fail(err, errno, "process.noNewPrivileges");
	/* without no_new_privs Landlock needs CAP_SYS_ADMIN: restrict before
	 * the capabilities go (and before a seccomp filter in either case) */
	if (!p->no_new_privileges && lw_landlock_set_enforce(x->landlock, err) < 0)
		return -1;
	if (x->seccomp && !p->no_new_privileges &&
	    process_load_seccomp(x->seccomp, x->sync_fd, err) < 0)
		return -1;
	if (process_set_user(p, denied, err) < 0)
		return -1;
	if (p->user.has_umask)
		umask((mode_t)p->user.umask);
	if (chdir(p->cwd) < 0)
		return lw_fail(err, errno, "process.cwd: chdir to %s", p->cwd);
	if (process_find_program(p, program, err) < 0)
		return -1;
	process_keep_fds(x->preserve_fds);
	if (x->seccomp && p->no_new_privileges && lw_seccomp_uses_notify(x->seccomp) &&
	    (lw_landlock_set_enforce(x->landlock, err) < 0 ||
	     process_load_seccomp(x->seccomp, x->sync_fd, err) < 0))
		return -1;
	return 0;
}

__attribute__((noreturn)) static void exec_child(struct exec_ctx *x)
{
	cleanup_err lw_err err = NULL;
	char *program = NULL, **envp = NULL;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	{
		/* no fd of the runtime may reach the container (CVE-2024-21626) */
		int keep[] = { x->sync_fd, x->console_fd, x->pidfd };
		close_fds_except(3 + x->preserve_fds, keep, 3);
	}
	if (sync_expect(x->sync_fd, SYNC_GO, "go", NULL, &err) < 0)
		_exit(1);
	/* one call joins every namespace of the container, user first (one
	 * stage: the helper joined all but the user and cgroup ones for us) */
	int flags = x->one_stage ? x->ns_flags & (CLONE_NEWUSER | CLONE_NEWCGROUP) : x->ns_flags;
	if (flags && setns(x->pidfd, flags) < 0) {
		lw_fail(&err, errno, "joining the container's namespaces");
		goto fail;
	}
	close(x->pidfd);
	if (!x->one_stage) {
		struct clone_args a = { .flags = CLONE_PARENT };
		pid_t pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
		if (pid < 0) {
			lw_fail(&err, errno, "forking into the container's pid namespace");
			goto fail;
		}
		if (pid > 0) {
			sync_send(x->sync_fd, SYNC_INIT_PID, 0, pid, NULL, -1);
			_exit(0);
		}
		/* we share the socket with stage 1: go on only once the parent
		 * has our pid, so no message of ours overtakes SYNC_INIT_PID */
		if (sync_expect(x->sync_fd, SYNC_GO, "go", NULL, &err) < 0)
			_exit(1);
	}
	if (exec_setup(x, &program, &envp, &err) < 0)
		goto fail;
	if (sync_send(x->sync_fd, SYNC_READY, 0, 0, NULL, -1) < 0)
		_exit(1);
	if (sync_expect(x->sync_fd, SYNC_START, "start", NULL, &err) < 0)
		_exit(1);
	/* Landlock, then seccomp (whose filter need not allow Landlock's
	 * syscalls), then execve */
	if (lw_landlock_set_enforce(x->landlock, &err) < 0)
		goto fail;
	if (x->seccomp && x->proc->no_new_privileges && !lw_seccomp_uses_notify(x->seccomp) &&
	    process_load_seccomp(x->seccomp, x->sync_fd, &err) < 0)
		goto fail;
	execve(program, x->proc->args, envp);
	lw_fail(&err, errno, "exec: \"%s\"", program);
fail:
	sync_send_error(x->sync_fd, err);
	_exit(127);
}

/* ---- the parent ---------------------------------------------------------- */

struct spawn_exec_args {
	struct exec_ctx *x;
	int cgfd;        /* CLONE_INTO_CGROUP target, -1 after a refusal */
	int sync_parent; /* the parent's end, closed in the child */
};

/* spawn_fn: clone3 the process (or stage 1), into the unified cgroup when
 * there is one.  In the spawn helper (CLONE_PARENT) the helper first joins
 * the container's namespaces but the user and cgroup ones, for the process
 * to be born in them; its own, not the parent's (x is shared memory: the
 * parent sees which way it went). */
static pid_t spawn_exec(void *arg, unsigned long extra)
{
	struct spawn_exec_args *a = arg;
	struct exec_ctx *x = a->x;
	/* not the cgroup namespace: with nsdelegate, clone3 into the
	 * container's cgroup checks that the source cgroup is visible from
	 * the caller's cgroup namespace (ENOENT) */
	int join = x->ns_flags & ~(CLONE_NEWUSER | CLONE_NEWCGROUP);

	/* (pidfd setns joins all or none: a refusal changes nothing) */
	if (!(extra & CLONE_PARENT) || (join && setns(x->pidfd, join) < 0))
		x->one_stage = false;
	pid_t pid = spawn_clone3(extra, &a->cgfd, NULL);

	if (pid == 0) {
		close(a->sync_parent);
		exec_child(a->x);
	}
	return pid;
}

static void add_caps(uint64_t *set, const char **caps)
{
	for (size_t i = 0; caps && caps[i]; i++) {
		int c = spec_cap_from_name(caps[i]);
		/* as runc, and as config.json's capabilities: warn and go on */
		if (c < 0)
			lw_warn("--cap: unknown capability \"%s\" ignored", caps[i]);
		else
			*set |= 1ULL << c;
	}
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* The process to run: --process FILE, or the container's process with
 * the command line's args and overrides.  Arrays borrowed from the config
 * or argv are copied into `own` so everything can be freed the same way. */
static int build_process(const struct exec_opts *o, const struct spec *spec,
			 struct spec_process **out, lw_err *err)
{
	cleanup_free char *msg = NULL;
	struct spec_process *p;

	if (o->process_file) {
		if (spec_load_process(o->process_file, out, &msg) < 0)
			return lw_fail(err, 0, "--process %s: %s", o->process_file, msg ? msg : "");
		return 0;
	}
	if (o->n_args < 1)
		return lw_fail(err, 0, "exec: no command given (and no --process)");
	/* start from the config's process: caps, rlimits, nnp, user, env, cwd */
	p = calloc(1, sizeof(*p));
	if (!p)
		return lw_fail(err, ENOMEM, "exec");
	const struct spec_process *c = spec->process;
	/* scalars from the config; every pointer is copied or reset below */
	*p = *c;
	p->terminal = o->tty;
	p->args = p->env = NULL;
	p->cwd = p->command_line = p->apparmor_profile = p->selinux_label = NULL;
	p->user.username = NULL;
	p->scheduler = NULL;
	p->io_priority = NULL;
	p->exec_cpu_affinity = NULL;
	p->landlock = NULL; /* config.json's applies to every exec anyway */
	if (c->apparmor_profile)
		p->apparmor_profile = strdup(c->apparmor_profile);
	if (c->selinux_label)
		p->selinux_label = strdup(c->selinux_label);
	/* deep copies of what is changed */
	size_t nenv = c->n_env;
	size_t nextra = 0;
	while (o->env && o->env[nextra])
		nextra++;
	p->env = calloc(nenv + nextra + 1, sizeof(char *));
	p->args = calloc((size_t)o->n_args + 1, sizeof(char *));
	p->rlimits = NULL;
	p->n_rlimits = 0;
	p->user.additional_gids = NULL;
	p->user.n_additional_gids = 0;
	if (!p->env || !p->args)
		goto nomem;
	for (size_t i = 0; i < nenv; i++)
		p->env[i] = strdup(c->env[i]);
	for (size_t i = 0; i < nextra; i++) {
		/* --env overrides a variable of the same name */
		size_t kl = strcspn(o->env[i], "=");
		bool replaced = false;
		for (size_t k = 0; k < nenv; k++)
			if (!strncmp(p->env[k], o->env[i], kl) && p->env[k][kl] == '=') {
				free(p->env[k]);
				p->env[k] = strdup(o->env[i]);
				replaced = true;
			}
		if (!replaced)
			p->env[nenv++] = strdup(o->env[i]);
	}
	p->n_env = nenv;
	for (int i = 0; i < o->n_args; i++)
		p->args[i] = strdup(o->args[i]);
	p->n_args = (size_t)o->n_args;
	p->cwd = strdup(o->cwd ? o->cwd : c->cwd);
	if (c->n_rlimits) {
		p->rlimits = calloc(c->n_rlimits, sizeof(*p->rlimits));
		if (!p->rlimits)
			goto nomem;
		for (size_t i = 0; i < c->n_rlimits; i++) {
			p->rlimits[i] = c->rlimits[i];
			p->rlimits[i].type = strdup(c->rlimits[i].type);
		}
		p->n_rlimits = c->n_rlimits;
	}
	if (o->user) {
		char *colon = strchr(o->user, ':');
		cleanup_free char *u = strndup(o->user, colon ? (size_t)(colon - o->user) : strlen(o->user));
		if (parse_u32(u, &p->user.uid) < 0 || (colon && parse_u32(colon + 1, &p->user.gid) < 0)) {
			spec_process_free(p);
			return lw_fail(err, 0, "--user: expected UID[:GID], got \"%s\"", o->user);
		}
	}
	{
		size_t n = 0;
		const char **g = o->additional_gids;
		size_t base = o->additional_gids ? 0 : c->user.n_additional_gids;
		while (g && g[n])
			n++;
		if (n + base) {
			p->user.additional_gids = calloc(n + base, sizeof(uint32_t));
			if (!p->user.additional_gids)
				goto nomem;
			for (size_t i = 0; i < base; i++)
				p->user.additional_gids[i] = c->user.additional_gids[i];
			for (size_t i = 0; i < n; i++)
				if (parse_u32(g[i], &p->user.additional_gids[i]) < 0) {
					spec_process_free(p);
					return lw_fail(err, 0, "--additional-gids: invalid gid \"%s\"",
						       g[i]);
				}
			p->user.n_additional_gids = n + base;
		}
	}
	if (o->caps) {
		struct spec_capabilities *k = &p->capabilities;
		p->has_capabilities = true;
		uint64_t add = 0;
		add_caps(&add, o->caps);
		k->bounding |= add;
		k->effective |= add;
		k->permitted |= add;
		k->inheritable |= add;
		k->ambient |= add;
	}
	if (o->no_new_privs)
		p->no_new_privileges = true;
	if (o->apparmor) {
		free(p->apparmor_profile);
		p->apparmor_profile = strdup(o->apparmor);
	}
	if (o->process_label) {
		free(p->selinux_label);
		p->selinux_label = strdup(o->process_label);
	}
	*out = p;
	return 0;
nomem:
	spec_process_free(p);
	return lw_fail(err, ENOMEM, "exec");
}

int container_exec(const struct exec_opts *o, int *exit_status, lw_err *err)
{
	struct lw_state *st = NULL;
	struct spec *spec = NULL;
	struct spec_process *proc = NULL;
	struct cgroup *cg = NULL;
	struct lw_seccomp *sc = NULL;
	struct lw_landlock_set ll = { .n = 0 };
	struct exec_ctx x = { .pidfd = -1, .sync_fd = -1, .console_fd = -1 };
	struct run_io io = { .master = -1, .console_peer = -1 };
	int sp[2] = { -1, -1 }, cgfd = -1, subcg = -1, ret = -1;
	pid_t stage1 = -1, pid = -1;
	unsigned done = 0;
	bool foreground = !o->detach, tty_here = false, blocked = false;
	sigset_t all, old;

	if (state_load(o->root, o->id, &st, err) < 0)
		return -1;
	enum lw_status status = state_status(st);
	if (status == LW_STOPPED) {
		lw_fail(err, 0, "cannot exec in a stopped container");
		goto out;
	}
	if (state_load_config(st, &spec, err) < 0)
		goto out;
	if (st->cgroup && cgroup_open(st->cgroup, &cg, err) < 0)
		goto out;
	if (cg && cgroup_is_frozen(cg) == 1 && !o->ignore_paused) {
		lw_fail(err, 0, "cannot exec in a paused container (use --ignore-paused to override)");
		goto out;
	}
	if (build_process(o, spec, &proc, err) < 0)
		goto out;
	if (!proc->args || !proc->args[0]) {
		lw_fail(err, 0, "process.args: must not be empty");
		goto out;
	}
	if (proc->apparmor_profile && *proc->apparmor_profile &&
	    access("/sys/kernel/security/apparmor", F_OK) < 0) {
		lw_fail(err, ENOTSUP, "process.apparmorProfile: AppArmor is not enabled on this host");
		goto out;
	}
	if (proc->selinux_label && *proc->selinux_label) {
		lw_fail(err, ENOTSUP, "process.selinuxLabel: SELinux is not supported by leeward");
		goto out;
	}
	if (proc->terminal && !o->console_socket && o->detach) {
		lw_fail(err, 0, "a detached exec with a terminal needs --console-socket");
		goto out;
	}
	if (spec->linux_ && spec->linux_->seccomp) {
		cleanup_free char *cache = NULL;
		if (asprintf(&cache, "%s/.seccomp-cache", o->root) < 0)
			cache = NULL;
		if (lw_seccomp_compile(spec->linux_->seccomp, cache, &sc, err) < 0)
			goto out;
	}

	x.spec = spec;
	x.proc = proc;
	if (lw_landlock_set_compile(spec, proc, &ll, err) < 0)
		goto out;
	if (ll.n) {
		/* the container's rules lead where they led at create (see
		 * landlock.h); a container made before there were pins
		 * resolves them again */
		cleanup_free char *pins = NULL;
		int r = state_read_file(st, LW_LANDLOCK_PINS, &pins, err);
		if (r < 0 || (r > 0 && lw_landlock_set_pin(&ll, pins, err) < 0))
			goto out;
	}
	x.seccomp = sc;
	x.landlock = &ll;
	x.preserve_fds = o->preserve_fds;
	for (size_t i = 0; spec->linux_ && i < spec->linux_->n_namespaces; i++) {
		x.ns_flags |= spec_ns_clone_flag(spec->linux_->namespaces[i].type);
		if (spec->linux_->namespaces[i].type == SPEC_NS_USER)
			x.userns = true;
	}
	x.pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (x.pidfd < 0 || !state_pid_alive(st->pid, st->pid_start)) {
		lw_fail(err, ESRCH, "cannot exec in a stopped container");
		goto out;
	}
	if (proc->terminal) {
		if (o->console_socket) {
			x.console_fd = util_connect_unix(o->console_socket, "--console-socket", err);
			if (x.console_fd < 0)
				goto out;
		} else {
			int cp[2];
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cp) < 0) {
				lw_fail(err, errno, "socketpair");
				goto out;
			}
			x.console_fd = cp[1];
			io.console_peer = cp[0];
			tty_here = true;
		}
	}
	if (o->cgroup && (!cg || cgroup_clone_fd(cg) < 0)) {
		/* the v1 hierarchies are joined whole: a sub-cgroup there
		 * would need one per controller (runc's ctrl:path form) */
		lw_fail(err, EINVAL,
			"--cgroup %s: sub-cgroups are supported in the cgroup v2 (unified) tree, and this container has no cgroup there",
			o->cgroup);
		goto out;
	}
	if (cg) {
		cgfd = cgroup_clone_fd(cg);
		if (o->cgroup && cgfd >= 0) {
			if (strstr(o->cgroup, "..") || o->cgroup[0] == '/') {
				lw_fail(err, EINVAL, "--cgroup %s: must be a relative path without ..",
					o->cgroup);
				goto out;
			}
			subcg = openat(cgfd, o->cgroup, O_DIRECTORY | O_CLOEXEC);
			if (subcg < 0) {
				lw_fail(err, errno, "--cgroup %s", o->cgroup);
				goto out;
			}
			cgfd = subcg;
		}
	}
	/* The state lock is not held while the process is set up or runs: with
	 * --ignore-paused it sits in a frozen cgroup until `resume`, which
	 * needs the lock. */
	flock(st->dir_fd, LOCK_UN);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		lw_fail(err, errno, "socketpair");
		goto out;
	}
	x.sync_fd = sp[1];
	if (foreground) {
		util_sigfillset(&all);
		util_sigprocmask(SIG_BLOCK, &all, &old);
		blocked = true;
	}
	/* non-dumpable until execve: /proc/PID/exe of the leeward binary is
	 * out of reach of the container (CVE-2019-5736) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	x.one_stage = true;
	{
		struct spawn_exec_args a = { .x = &x, .cgfd = cgfd, .sync_parent = sp[0] };
		/* (--cgroup names a sub-cgroup of the unified tree only) */
		stage1 = spawn_via_helper(cg, spawn_exec, &a, &done);
		cgfd = a.cgfd;
	}
	if (stage1 < 0) {
		lw_fail(err, errno, "clone3");
		goto out;
	}
	close(sp[1]);
	sp[1] = -1;
	if (cgfd >= 0) {
		done |= CGROUP_DONE_UNIFIED;
	} else if (subcg >= 0) {
		/* CLONE_INTO_CGROUP was refused: into the sub-cgroup by hand,
		 * never into the container's own unified cgroup instead */
		char pidbuf[16];
		int n = snprintf(pidbuf, sizeof(pidbuf), "%d", (int)stage1);
		if (write_file_at(subcg, "cgroup.procs", pidbuf, (size_t)n) < 0) {
			lw_fail(err, errno, "--cgroup %s: adding the process", o->cgroup);
			goto kill;
		}
		done |= CGROUP_DONE_UNIFIED;
	}
	if (cg && cgroup_attach(cg, stage1, done, err) < 0)
		goto kill;
	if (sync_send(sp[0], SYNC_GO, 0, 0, NULL, -1) < 0) {
		lw_fail(err, errno, "sync");
		goto kill;
	}
	if (x.one_stage) {
		pid = stage1;
		stage1 = -1;
	} else {
		struct sync_msg m;
		int r = sync_recv(sp[0], &m, NULL);
		if (r <= 0 || m.type != SYNC_INIT_PID) {
			if (r > 0 && m.type == SYNC_ERROR)
				lw_fail(err, 0, "%s", m.text);
			else
				lw_fail(err, r < 0 ? errno : 0, "exec: joining the container failed (message %d)",
					r > 0 ? m.type : 0);
			goto kill;
		}
		pid = m.pid;
		waitpid(stage1, NULL, 0);
		stage1 = -1;
		if (sync_send(sp[0], SYNC_GO, 0, 0, NULL, -1) < 0) {
			lw_fail(err, errno, "sync");
			goto kill;
		}
	}
	if (proc->oom_score_adj.set) {
		char path[64], val[32];
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
		snprintf(val, sizeof(val), "%d", (int)proc->oom_score_adj.v);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write_all(fd, val, strlen(val)) < 0) {
			lw_fail(err, errno, "process.oomScoreAdj");
			if (fd >= 0)
				close(fd);
			goto kill;
		}
		close(fd);
	}
	for (;;) {
		struct sync_msg m;
		int fd = -1;
		int r = sync_recv(sp[0], &m, &fd);
		if (r <= 0) {
			lw_fail(err, r < 0 ? errno : 0, "exec: the process exited during setup");
			goto kill;
		}
		if (m.type == SYNC_ERROR) {
			lw_fail(err, 0, "%s", m.text);
			(*err)->errno_ = m.err;
			goto kill;
		}
		if (m.type == SYNC_SECCOMP) {
			const struct spec_seccomp *s = spec->linux_->seccomp;
			cleanup_free char *json = state_json(st, LW_RUNNING, spec, false);
			r = lw_seccomp_send_listener(s->listener_path, s->listener_metadata, fd, pid,
						     json, err);
			if (fd >= 0)
				close(fd);
			if (r < 0)
				goto kill;
			sync_send(sp[0], SYNC_SECCOMP_DONE, 0, 0, NULL, -1);
			continue;
		}
		if (m.type == SYNC_READY)
			break;
		if (fd >= 0)
			close(fd);
	}
	if (tty_here && console_receive_master(io.console_peer, &io.master, err) < 0)
		goto kill;
	if (o->pid_file && util_write_pid_file(o->pid_file, pid, err) < 0)
		goto kill;
	/* release the lock: kill/delete/state must work while it runs */
	state_free(st);
	st = NULL;
	if (sync_send(sp[0], SYNC_START, 0, 0, NULL, -1) < 0) {
		lw_fail(err, errno, "exec: start");
		goto kill;
	}
	{
		struct sync_msg m;
		int r = sync_recv(sp[0], &m, NULL);
		if (r > 0 && m.type == SYNC_ERROR) {
			lw_fail(err, 0, "%s", m.text);
			(*err)->errno_ = m.err;
			waitpid(pid, NULL, 0);
			pid = -1;
			goto out;
		}
	}
	if (!foreground) {
		ret = 0;
		goto out;
	}
	{
		int ws = 0;
		io.pid = pid;
		if (console_wait_foreground(&io, &ws) < 0)
			ws = 255 << 8;
		*exit_status = util_exit_code(ws);
		ret = 0;
	}
	goto out;
kill:
	if (stage1 > 0) {
		kill(stage1, SIGKILL);
		waitpid(stage1, NULL, 0);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
out:
	if (blocked)
		util_sigprocmask(SIG_SETMASK, &old, NULL);
	if (sp[0] >= 0)
		close(sp[0]);
	if (sp[1] >= 0)
		close(sp[1]);
	if (subcg >= 0)
		close(subcg);
	if (x.pidfd >= 0)
		close(x.pidfd);
	if (x.console_fd >= 0)
		close(x.console_fd);
	if (io.console_peer >= 0)
		close(io.console_peer);
	if (io.master >= 0)
		close(io.master);
	if (sc)
		lw_seccomp_free(sc);
	lw_landlock_set_free(&ll);
	spec_process_free(proc);
	cgroup_free(cg);
	spec_free(spec);
	state_free(st);
	return ret;
}
