/* The parent half of container creation (start, kill, delete: lifecycle.c).
 *
 * create: parse config -> state dir -> cgroup -> (seccomp compiled) ->
 * clone3(CLONE_INTO_CGROUP | CLONE_NEW*) -> maps, v1 attach -> SYNC_GO ->
 * hooks on request -> SYNC_READY -> state.json, pid-file.  Every step
 * registers what it must undo; a failure undoes all of it (process, cgroup,
 * state dir, fds) before the error is returned.
 */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cgroup/cgroup.h"
#include "../hooks/hooks.h"
#include "../spec/spec.h"
#include "cleanup.h"
#include "console.h"
#include "log.h"
#include "mountapi.h"
#include "landlock.h"
#include "seccomp.h"
#include "spawn.h"
#include "state.h"
#include "sync.h"
#include "userns.h"
#include "util.h"

#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif

/* Everything a create has made so far, undone in reverse on failure. */
struct creation {
	const struct create_opts *opts;
	struct spec *spec;
	char *bundle;
	char *rootfs;
	char *state_dir;
	int state_fd;
	struct cgroup *cg;
	struct lw_seccomp *seccomp;
	struct lw_landlock_set landlock;
	char *landlock_pins; /* SYNC_LANDLOCK_PIN records, newline-separated */
	size_t pins_len;
	int fifo_fd;
	int console_fd;
	int ns_fd[SPEC_NS_COUNT];
	int *idmap_fd; /* per mount: a detached idmapped tree, or -1 */
	int sync_fd; /* parent end */
	pid_t pid;   /* the container init */
	pid_t stage1;
	int pidfd;
	struct lw_state st;
	char *pid_file;    /* --pid-file made absolute (we chdir to the bundle) */
	char *config_text; /* config.json as read, copied into the state dir */
	size_t config_len;
	bool hooks_failed;
	bool userns;
	bool rootless;
};

static int read_config(struct creation *c, lw_err *err)
{
	cleanup_free char *path = NULL, *buf = NULL, *msg = NULL;
	cleanup_close int fd = -1;
	size_t len;

	c->bundle = realpath(c->opts->bundle ? c->opts->bundle : ".", NULL);
	if (!c->bundle)
		return lw_fail(err, errno, "bundle %s", c->opts->bundle ? c->opts->bundle : ".");
	if (asprintf(&path, "%s/config.json", c->bundle) < 0)
		return lw_fail(err, ENOMEM, "config.json");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lw_fail(err, errno, "opening %s", path);
	if (read_all(fd, &buf, &len) < 0)
		return lw_fail(err, errno, "reading %s", path);
	if (spec_parse(buf, len, &c->spec, &msg) < 0)
		return lw_fail(err, 0, "config.json: %s", msg ? msg : "invalid");
	c->config_text = take_ptr(buf);
	c->config_len = len;
	return 0;
}

/* A sysctl is only set in a namespace of the container's own: the same
 * write in a shared namespace would change the host (runc's rules). */
static int check_sysctls(const struct spec *s, lw_err *err)
{
	static const char *ipc_keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
					  "kernel.sem",	   "kernel.shmall", "kernel.shmmax",
					  "kernel.shmmni", "kernel.shm_rmid_forced" };
	const struct spec_linux *l = s->linux_;

	for (size_t i = 0; l && i < l->n_sysctl; i++) {
		const char *k = l->sysctl[i].key;
		enum spec_ns_type need = SPEC_NS_COUNT;
		for (size_t j = 0; j < LW_ARRAY_SIZE(ipc_keys); j++)
			if (!strcmp(k, ipc_keys[j]))
				need = SPEC_NS_IPC;
		if (!strncmp(k, "fs.mqueue.", 10))
			need = SPEC_NS_IPC;
		else if (!strncmp(k, "net.", 4))
			need = SPEC_NS_NETWORK;
		else if (!strcmp(k, "kernel.hostname") || !strcmp(k, "kernel.domainname"))
			need = SPEC_NS_UTS;
		if (need == SPEC_NS_COUNT)
			return lw_fail(err, 0,
				       "config.json: linux.sysctl: \"%s\" is not in a separate kernel "
				       "namespace",
				       k);
		if (!spec_namespace(s, need))
			return lw_fail(err, 0,
				       "config.json: linux.sysctl: \"%s\" needs a %s namespace of the "
				       "container's own",
				       k, spec_ns_name(need));
	}
	return 0;
}

static int check_config(struct creation *c, lw_err *err)
{
	const struct spec *s = c->spec;
	struct stat sb;
	cleanup_free char *rootfs = NULL;

	if (!s->process)
		return lw_fail(err, 0, "config.json: process: required to create a container");
	if (!s->process->args || !s->process->args[0] || !*s->process->args[0])
		return lw_fail(err, 0, "config.json: process.args: must not be empty");
	if (!s->root || !s->root->path)
		return lw_fail(err, 0, "config.json: root.path: required");
	if (s->root->path[0] == '/')
		rootfs = strdup(s->root->path);
	else if (asprintf(&rootfs, "%s/%s", c->bundle, s->root->path) < 0)
		rootfs = NULL;
	if (!rootfs)
		return lw_fail(err, ENOMEM, "root.path");
	c->rootfs = realpath(rootfs, NULL);
	if (!c->rootfs)
		return lw_fail(err, errno, "config.json: root.path: %s", rootfs);
	if (stat(c->rootfs, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return lw_fail(err, ENOTDIR, "config.json: root.path: %s", c->rootfs);
	if (s->process->terminal && !c->opts->console_socket && !(c->opts->run && !c->opts->detach))
		return lw_fail(err, 0,
			       "config.json: process.terminal: a detached container with a "
			       "terminal needs --console-socket");
	if (!s->process->terminal && c->opts->console_socket)
		return lw_fail(err, 0,
			       "--console-socket given but config.json process.terminal is false");
	c->userns = spec_namespace(s, SPEC_NS_USER) != NULL;
	c->rootless = geteuid() != 0;
	if (c->rootless && !c->userns)
		return lw_fail(err, 0,
			       "config.json: linux.namespaces: running as an unprivileged user "
			       "needs a user namespace");
	if (c->userns && !spec_namespace(s, SPEC_NS_USER)->path && s->linux_ &&
	    (!s->linux_->n_uid_mappings || !s->linux_->n_gid_mappings))
		return lw_fail(err, 0,
			       "config.json: linux.uidMappings/gidMappings: required with a new "
			       "user namespace");
	/* without a UTS namespace of its own, sethostname would rename the host */
	if ((s->hostname || s->domainname) && !spec_namespace(s, SPEC_NS_UTS))
		return lw_fail(err, 0, "config.json: %s: needs a UTS namespace (linux.namespaces: uts)",
			       s->hostname ? "hostname" : "domainname");
	if (!spec_namespace(s, SPEC_NS_MOUNT))
		return lw_fail(err, 0, "config.json: linux.namespaces: a mount namespace is required");
	if (check_sysctls(s, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n_warnings; i++)
		lw_warn("config.json: %s", s->warnings[i]);
	if (s->linux_ && s->linux_->intel_rdt)
		return lw_fail(err, ENOTSUP, "config.json: linux.intelRdt: not supported");
	return 0;
}

/* Idmapped mounts (options idmap/ridmap, or the mount's own uid/gid
 * mappings): the user namespace that carries the mapping is made here, in
 * the parent, and handed to the init as an fd.  Without mappings of its
 * own a mount takes the container's (linux.uidMappings/gidMappings). */
static int open_idmaps(struct creation *c, lw_err *err)
{
	const struct spec *s = c->spec;
	const struct spec_linux *l = s->linux_;
	int n = 0;

	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		bool idmap = m->n_uid_mappings || m->n_gid_mappings;
		for (size_t k = 0; k < m->n_options; k++)
			if (!strcmp(m->options[k], "idmap") || !strcmp(m->options[k], "ridmap"))
				idmap = true;
		if (!idmap)
			continue;
		if (!c->idmap_fd) {
			c->idmap_fd = malloc(s->n_mounts * sizeof(int));
			if (!c->idmap_fd)
				return lw_fail(err, ENOMEM, "mounts");
			for (size_t k = 0; k < s->n_mounts; k++)
				c->idmap_fd[k] = -1;
		}
		if (++n > 16)
			return lw_fail(err, E2BIG, "config.json: mounts: at most 16 idmapped mounts");
		const struct spec_id_mapping *u = m->uid_mappings, *g = m->gid_mappings;
		size_t nu = m->n_uid_mappings, ng = m->n_gid_mappings;
		if (!nu && l) {
			u = l->uid_mappings;
			nu = l->n_uid_mappings;
		}
		if (!ng && l) {
			g = l->gid_mappings;
			ng = l->n_gid_mappings;
		}
		if (!nu || !ng)
			return lw_fail(err, 0,
				       "config.json: mounts[%zu]: an idmapped mount needs uidMappings "
				       "and gidMappings (its own or linux.*)",
				       i);
		if (!m->source)
			return lw_fail(err, 0, "config.json: mounts[%zu].source: required", i);
		/* Idmapping needs CAP_SYS_ADMIN over the source's filesystem,
		 * which a container in a user namespace lacks: the parent makes
		 * the idmapped copy and the init only attaches it (move_mount). */
		bool rec = false, ridmap = false;
		for (size_t k = 0; k < m->n_options; k++) {
			rec |= !strcmp(m->options[k], "rbind");
			ridmap |= !strcmp(m->options[k], "ridmap");
		}
		cleanup_close int uns = userns_fd_for_maps(u, nu, g, ng, err);
		if (uns < 0)
			return lw_wrap(err, "mounts[%zu] (%s)", i, m->destination);
		int tree = open_tree(AT_FDCWD, m->source,
				     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
		if (tree < 0)
			return lw_fail(err, errno, "config.json: mounts[%zu].source: %s", i, m->source);
		c->idmap_fd[i] = tree;
		struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)uns };
		if (mount_setattr(tree, "", AT_EMPTY_PATH | (ridmap ? AT_RECURSIVE : 0), &a,
				  sizeof(a)) < 0)
			return lw_fail(err, errno, "mounts[%zu]: idmapping %s", i, m->source);
	}
	return 0;
}

/* Open every namespace to join, and check it is of the named type. */
static int open_namespaces(struct creation *c, lw_err *err)
{
	const struct spec_linux *l = c->spec->linux_;

	for (size_t i = 0; l && i < l->n_namespaces; i++) {
		const struct spec_namespace *ns = &l->namespaces[i];
		if (!ns->path)
			continue;
		int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return lw_fail(err, errno, "config.json: linux.namespaces[%zu].path: %s", i,
				       ns->path);
		c->ns_fd[ns->type] = fd;
		int type = ioctl(fd, NS_GET_NSTYPE);
		if (type < 0)
			return lw_fail(err, 0,
				       "config.json: linux.namespaces[%zu].path: %s is not a namespace",
				       i, ns->path);
		if (type != spec_ns_clone_flag(ns->type))
			return lw_fail(err, 0,
				       "config.json: linux.namespaces[%zu].path: %s is not a %s "
				       "namespace",
				       i, ns->path, spec_ns_name(ns->type));
	}
	return 0;
}

static char *creation_state_json(struct creation *c, enum lw_status status)
{
	struct lw_state st = c->st;
	st.id = (char *)c->opts->id;
	st.pid = c->pid;
	st.bundle = c->bundle;
	st.rootfs = c->rootfs;
	return state_json(&st, status, c->spec, false);
}

/* Runs in the parent while the child waits: prestart + createRuntime. */
static int run_create_hooks(struct creation *c, lw_err *err)
{
	cleanup_free char *json = creation_state_json(c, LW_CREATING);

	if (hooks_run(&c->spec->hooks, SPEC_HOOK_PRESTART, json, err) < 0 ||
	    hooks_run(&c->spec->hooks, SPEC_HOOK_CREATE_RUNTIME, json, err) < 0) {
		c->hooks_failed = true;
		return -1;
	}
	return 0;
}

/* Kill and reap what was cloned; remove cgroup and state dir. */
static void creation_undo(struct creation *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (c->stage1 > 0) {
		kill(c->stage1, SIGKILL);
		waitpid(c->stage1, NULL, 0);
	}
	if (c->hooks_failed && c->spec) {
		cleanup_free char *json = creation_state_json(c, LW_STOPPED);
		hooks_run_warn(&c->spec->hooks, SPEC_HOOK_POSTSTOP, json);
	}
	if (c->cg) {
		lw_err e = NULL;
		if (cgroup_destroy(c->cg, &e) < 0) {
			lw_warn("%s", e->msg);
			lw_err_free(&e);
		}
	}
	if (c->state_dir)
		state_remove(c->opts->root, c->opts->id);
}

static void creation_free(struct creation *c)
{
	if (c->cg)
		cgroup_free(c->cg);
	if (c->seccomp)
		lw_seccomp_free(c->seccomp);
	lw_landlock_set_free(&c->landlock);
	free(c->landlock_pins);
	for (int i = 0; i < SPEC_NS_COUNT; i++)
		if (c->ns_fd[i] >= 0)
			close(c->ns_fd[i]);
	for (size_t i = 0; c->idmap_fd && c->spec && i < c->spec->n_mounts; i++)
		if (c->idmap_fd[i] >= 0)
			close(c->idmap_fd[i]);
	free(c->idmap_fd);
	if (c->fifo_fd >= 0)
		close(c->fifo_fd);
	if (c->console_fd >= 0)
		close(c->console_fd);
	if (c->sync_fd >= 0)
		close(c->sync_fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->state_fd >= 0)
		close(c->state_fd);
	free(c->config_text);
	free(c->pid_file);
	free(c->st.created);
	free(c->st.owner);
	free(c->bundle);
	free(c->rootfs);
	free(c->state_dir);
	spec_free(c->spec);
}

static unsigned long ns_flags_to_create(const struct spec *s)
{
	unsigned long flags = 0;
	for (size_t i = 0; s->linux_ && i < s->linux_->n_namespaces; i++)
		if (!s->linux_->namespaces[i].path)
			flags |= (unsigned long)spec_ns_clone_flag(s->linux_->namespaces[i].type);
	return flags;
}

/* Decide how namespaces come to be (see init.c): one clone3 that creates
 * them all, or a first stage that joins namespaces by path (user first) and
 * unshares the rest before it forks the init. */
static void plan_namespaces(struct creation *c, struct init_ctx *ctx)
{
	unsigned long create = ns_flags_to_create(c->spec);
	bool joins = false;

	for (int i = 0; i < SPEC_NS_COUNT; i++)
		if (c->ns_fd[i] >= 0)
			joins = true;
	/* A time namespace with offsets must be unshared so the offsets can be
	 * written before a process lives in it. */
	bool time_offsets = (create & CLONE_NEWTIME) && c->spec->linux_->n_time_offsets > 0;
	ctx->new_timens = (create & CLONE_NEWTIME) != 0;
	if (time_offsets)
		create &= ~(unsigned long)CLONE_NEWTIME;
	ctx->new_netns = (create & CLONE_NEWNET) != 0;
	/* A cgroup namespace takes the cgroups of its creator as roots: the
	 * init unshares it after SYNC_GO, once it is in every v1 hierarchy
	 * too (CLONE_INTO_CGROUP covers only the unified one). */
	bool new_cgroupns = (create & CLONE_NEWCGROUP) != 0;
	create &= ~(unsigned long)CLONE_NEWCGROUP;

	if (c->ns_fd[SPEC_NS_USER] >= 0 || c->ns_fd[SPEC_NS_PID] >= 0 ||
	    (joins && (create & CLONE_NEWUSER))) {
		ctx->two_stage = true;
		ctx->clone_flags = 0;
		ctx->unshare_flags = create;
	} else {
		ctx->clone_flags = create;
		ctx->unshare_flags = 0;
	}
	if (time_offsets)
		ctx->unshare_flags |= CLONE_NEWTIME;
	if (new_cgroupns)
		ctx->unshare_flags |= CLONE_NEWCGROUP;
}

/* Lowering oom_score_adj needs CAP_SYS_RESOURCE in the host's user
 * namespace: the parent writes it for the init. */
static int set_oom_score(pid_t pid, const struct spec_process *p, lw_err *err)
{
	char path[64], val[32];
	int fd;

	if (!p->oom_score_adj.set)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	snprintf(val, sizeof(val), "%d", (int)p->oom_score_adj.v);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, val, strlen(val)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return lw_fail(err, e, "process.oomScoreAdj %s", val);
	}
	close(fd);
	return 0;
}

struct spawn_init_args {
	struct creation *c;
	struct init_ctx *ctx;
	int cgfd; /* CLONE_INTO_CGROUP target, -1 after a refusal */
};

/* spawn_fn: clone3 the init (or stage 1), into the unified cgroup when
 * there is one. */
static pid_t spawn_init(void *arg, unsigned long extra)
{
	struct spawn_init_args *a = arg;
	pid_t pid = spawn_clone3(a->ctx->clone_flags | extra, &a->cgfd, &a->c->pidfd);

	if (pid == 0) {
		close(a->c->sync_fd);
		init_main(a->ctx);
	}
	return pid;
}

static int start_child(struct creation *c, struct init_ctx *ctx, lw_err *err)
{
	int sp[2];
	struct spawn_init_args a = { .c = c, .ctx = ctx, .cgfd = c->cg ? cgroup_clone_fd(c->cg) : -1 };
	unsigned done;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return lw_fail(err, errno, "socketpair");
	c->sync_fd = sp[0];
	ctx->sync_fd = sp[1];

	pid_t pid = spawn_in_cgroup(c->cg, spawn_init, &a, &done);
	if (pid < 0) {
		int e = errno;
		close(sp[1]);
		return lw_fail(err, e, "clone3");
	}
	if (a.cgfd >= 0)
		done |= CGROUP_DONE_UNIFIED;
	close(sp[1]);
	ctx->sync_fd = -1;

	if (ctx->two_stage) {
		c->stage1 = pid;
		if (c->cg && cgroup_attach(c->cg, pid, done, err) < 0)
			return -1;
		if (sync_send(c->sync_fd, SYNC_GO, 0, 0, NULL, -1) < 0)
			return lw_fail(err, errno, "sync");
		for (;;) {
			struct sync_msg m;
			int r = sync_recv(c->sync_fd, &m, NULL);
			if (r <= 0)
				return lw_fail(err, r < 0 ? errno : 0,
					       "container init exited during namespace setup");
			if (m.type == SYNC_ERROR) {
				lw_fail(err, 0, "%s", m.text);
				return -1;
			}
			if (m.type == SYNC_USERMAP) {
				if (userns_write_maps(pid, c->spec->linux_, c->rootless, err) < 0)
					return -1;
				sync_send(c->sync_fd, SYNC_USERMAP_DONE, 0, 0, NULL, -1);
			} else if (m.type == SYNC_INIT_PID) {
				c->pid = m.pid;
				break;
			}
		}
		/* stage 1 exits once the init runs; the init is our child too
		 * (CLONE_PARENT) or stage 1 itself */
		if (c->pid != c->stage1) {
			waitpid(c->stage1, NULL, 0);
			c->stage1 = 0;
			close(c->pidfd);
			c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
			if (sync_send(c->sync_fd, SYNC_GO, 0, 0, NULL, -1) < 0)
				return lw_fail(err, errno, "sync");
		} else {
			c->stage1 = 0;
		}
	} else {
		c->pid = pid;
		if (c->userns && userns_write_maps(pid, c->spec->linux_, c->rootless, err) < 0)
			return -1;
		if (c->cg && cgroup_attach(c->cg, pid, done, err) < 0)
			return -1;
		if (sync_send(c->sync_fd, SYNC_GO, 0, 0, NULL, -1) < 0)
			return lw_fail(err, errno, "sync");
	}
	return set_oom_score(c->pid, c->spec->process, err);
}

/* Parent side after SYNC_GO: hooks and seccomp listener on request, until
 * the init says it is ready. */
static int wait_ready(struct creation *c, lw_err *err)
{
	for (;;) {
		struct sync_msg m;
		int fd = -1;
		int r = sync_recv(c->sync_fd, &m, &fd);
		if (r < 0)
			return lw_fail(err, errno, "reading from container init");
		if (r == 0)
			return lw_fail(err, 0, "container init exited during setup");
		switch (m.type) {
		case SYNC_ERROR:
			lw_fail(err, 0, "%s", m.text);
			(*err)->errno_ = m.err;
			return -1;
		case SYNC_HOOKS:
			if (run_create_hooks(c, err) < 0)
				return -1;
			sync_send(c->sync_fd, SYNC_HOOKS_DONE, 0, 0, NULL, -1);
			break;
		case SYNC_SECCOMP: {
			cleanup_free char *json = creation_state_json(c, LW_CREATING);
			const struct spec_seccomp *sc = c->spec->linux_->seccomp;
			r = lw_seccomp_send_listener(sc->listener_path, sc->listener_metadata, fd,
						     c->pid, json, err);
			if (fd >= 0)
				close(fd);
			if (r < 0)
				return lw_wrap(err, "linux.seccomp.listenerPath");
			sync_send(c->sync_fd, SYNC_SECCOMP_DONE, 0, 0, NULL, -1);
			break;
		}
		case SYNC_LANDLOCK_PIN: {
			size_t n = strlen(m.text);
			char *p = realloc(c->landlock_pins, c->pins_len + n + 2);
			if (!p)
				return lw_fail(err, ENOMEM, "Landlock rule paths");
			memcpy(p + c->pins_len, m.text, n);
			c->pins_len += n;
			p[c->pins_len++] = '\n';
			p[c->pins_len] = 0;
			c->landlock_pins = p;
			break;
		}
		case SYNC_READY:
			return 0;
		default:
			if (fd >= 0)
				close(fd);
			return lw_fail(err, EPROTO, "unexpected message %d from container init",
				       m.type);
		}
	}
}

/* Devices the config creates in /dev are usable: as runc, each
 * linux.devices entry is appended to the cgroup's allow list. */
static int add_device_rules(struct spec *s, lw_err *err)
{
	struct spec_linux *l = s->linux_;
	struct spec_resources *r;

	if (!l || !l->n_devices)
		return 0;
	if (!l->resources) {
		l->resources = calloc(1, sizeof(*l->resources));
		if (!l->resources)
			return lw_fail(err, ENOMEM, "linux.devices");
	}
	r = l->resources;
	struct spec_device_rule *nr =
		realloc(r->devices, (r->n_devices + l->n_devices) * sizeof(*r->devices));
	if (!nr)
		return lw_fail(err, ENOMEM, "linux.devices");
	r->devices = nr;
	for (size_t i = 0; i < l->n_devices; i++) {
		const struct spec_device *d = &l->devices[i];
		r->devices[r->n_devices++] = (struct spec_device_rule){
			.allow = true,
			.type = d->type == 'b' ? 'b' : 'c',
			.major = d->major,
			.minor = d->minor,
			.access = NULL,
		};
	}
	return 0;
}

/* state's "owner": the user name from the host's /etc/passwd, read
 * directly (as runc does; the static binary has no NSS), else "#UID". */
static char *owner_name(void)
{
	uid_t uid = geteuid();
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;
	char *s = NULL;

	if (f) {
		while ((pw = fgetpwent(f)))
			if (pw->pw_uid == uid) {
				s = strdup(pw->pw_name);
				break;
			}
		fclose(f);
		if (s)
			return s;
	}
	if (asprintf(&s, "#%u", (unsigned)geteuid()) < 0)
		return NULL;
	return s;
}

static int prepare(struct creation *c, struct init_ctx *ctx, lw_err *err)
{
	const struct create_opts *o = c->opts;
	const struct spec_linux *l;

	if (state_check_id(o->id, err) < 0)
		return -1;
	if (read_config(c, err) < 0)
		return -1;
	if (check_config(c, err) < 0)
		return -1;
	/* what the kernel cannot enforce is an error here with
	 * disableBestEffort, before anything exists */
	if (lw_landlock_set_compile(c->spec, NULL, &c->landlock, err) < 0)
		return -1;
	l = c->spec->linux_;
	if (o->pid_file) {
		if (o->pid_file[0] == '/') {
			c->pid_file = strdup(o->pid_file);
		} else {
			char cwd[PATH_MAX];
			if (!getcwd(cwd, sizeof(cwd)) ||
			    asprintf(&c->pid_file, "%s/%s", cwd, o->pid_file) < 0)
				c->pid_file = NULL;
		}
		if (!c->pid_file)
			return lw_fail(err, errno, "--pid-file %s", o->pid_file);
	}
	/* as runc: the runtime (and so every hook) works in the bundle */
	if (chdir(c->bundle) < 0)
		return lw_fail(err, errno, "chdir to the bundle %s", c->bundle);

	c->state_fd = state_create(o->root, o->id, &c->state_dir, err);
	if (c->state_fd < 0)
		return -1;
	if (state_write_file(c->state_fd, c->state_dir, "config.json", c->config_text,
			     c->config_len, err) < 0)
		return -1;

	if (add_device_rules(c->spec, err) < 0)
		return -1;
	if (cgroup_create(o->id, l ? l->cgroups_path : NULL, l ? l->resources : NULL, c->rootless,
			  &c->cg, err) < 0)
		return -1;

	if (l && l->seccomp) {
		cleanup_free char *cache = NULL;
		if (asprintf(&cache, "%s/.seccomp-cache", o->root) < 0)
			cache = NULL;
		if (lw_seccomp_compile(l->seccomp, cache, &c->seccomp, err) < 0)
			return -1;
	}
	if (c->seccomp && lw_seccomp_uses_notify(c->seccomp) &&
	    (!l->seccomp->listener_path || !*l->seccomp->listener_path))
		return lw_fail(err, 0,
			       "config.json: linux.seccomp.listenerPath: required with "
			       "SCMP_ACT_NOTIFY");

	if (!o->run) {
		if (mkfifoat(c->state_fd, "exec.fifo", 0622) < 0)
			return lw_fail(err, errno, "creating exec.fifo");
		/* O_RDWR never blocks: the init reads the byte `start` writes */
		c->fifo_fd = openat(c->state_fd, "exec.fifo", O_RDWR | O_CLOEXEC);
		if (c->fifo_fd < 0)
			return lw_fail(err, errno, "opening exec.fifo");
	}
	if (o->console_socket) {
		c->console_fd = util_connect_unix(o->console_socket, "--console-socket", err);
		if (c->console_fd < 0)
			return -1;
	}
	if (open_namespaces(c, err) < 0 || open_idmaps(c, err) < 0)
		return -1;

	ctx->spec = c->spec;
	ctx->id = o->id;
	ctx->bundle = c->bundle;
	ctx->rootfs = c->rootfs;
	ctx->cgroup_saved = c->cg ? cgroup_saved(c->cg) : NULL;
	ctx->fifo_fd = c->fifo_fd;
	ctx->console_fd = c->console_fd;
	for (int i = 0; i < SPEC_NS_COUNT; i++)
		ctx->ns_fd[i] = c->ns_fd[i];
	ctx->idmap_fd = c->idmap_fd;
	ctx->userns = c->userns;
	ctx->cgroupns = spec_namespace(c->spec, SPEC_NS_CGROUP) != NULL;
	ctx->rootless = c->rootless;
	ctx->no_pivot = o->no_pivot;
	ctx->no_new_keyring = o->no_new_keyring;
	ctx->preserve_fds = o->preserve_fds;
	ctx->run_mode = o->run;
	ctx->seccomp = c->seccomp;
	ctx->landlock = &c->landlock;
	{
		const char *lf = getenv("LISTEN_FDS");
		ctx->listen_fds = lf ? atoi(lf) : 0;
		if (ctx->listen_fds < 0)
			ctx->listen_fds = 0;
	}
	plan_namespaces(c, ctx);

	c->st.created = state_now_rfc3339();
	c->st.owner = owner_name();
	return 0;
}

static int save_state(struct creation *c, lw_err *err)
{
	struct lw_state st = c->st;

	st.id = (char *)c->opts->id;
	st.dir = c->state_dir;
	st.dir_fd = c->state_fd;
	st.pid = c->pid;
	st.pid_start = state_pid_start(c->pid);
	st.bundle = c->bundle;
	st.rootfs = c->rootfs;
	st.cgroup = c->cg ? (char *)cgroup_saved(c->cg) : NULL;
	st.rootless = c->rootless;
	st.userns = c->userns;
	st.poststart = c->spec->hooks.n[SPEC_HOOK_POSTSTART] > 0;
	st.has_annotations = true;
	st.annotations = c->spec->annotations;
	st.n_annotations = c->spec->n_annotations;
	if (st.pid_start == 0)
		return lw_fail(err, ESRCH, "container init exited during create");
	c->st.pid_start = st.pid_start;
	if (c->landlock_pins &&
	    state_write_file(c->state_fd, c->state_dir, LW_LANDLOCK_PINS, c->landlock_pins,
			     c->pins_len, err) < 0)
		return -1;
	if (state_save(&st, err) < 0)
		return -1;
	if (c->pid_file && util_write_pid_file(c->pid_file, c->pid, err) < 0)
		return -1;
	return 0;
}

/* After SYNC_START: EOF on the sync socket means execve succeeded (the
 * child's end is close-on-exec); SYNC_ERROR carries why it did not. */
static int wait_exec(struct creation *c, lw_err *err)
{
	struct sync_msg m;
	int r = sync_recv(c->sync_fd, &m, NULL);

	if (r > 0 && m.type == SYNC_ERROR) {
		lw_fail(err, 0, "%s", m.text);
		(*err)->errno_ = m.err;
		return -1;
	}
	return 0;
}

static void destroy_after_run(struct creation *c)
{
	cleanup_free char *json = creation_state_json(c, LW_STOPPED);
	hooks_run_warn(&c->spec->hooks, SPEC_HOOK_POSTSTOP, json);
	if (c->cg) {
		lw_err e = NULL;
		cgroup_kill_all(c->cg, SIGKILL, NULL);
		if (cgroup_destroy(c->cg, &e) < 0) {
			lw_warn("%s", e->msg);
			lw_err_free(&e);
		}
	}
	state_remove(c->opts->root, c->opts->id);
}

int container_create(const struct create_opts *opts, int *exit_status, lw_err *err)
{
	struct creation c = { .opts = opts, .state_fd = -1, .fifo_fd = -1, .console_fd = -1,
			      .sync_fd = -1, .pidfd = -1 };
	struct init_ctx ctx = { .fifo_fd = -1, .console_fd = -1, .sync_fd = -1 };
	struct run_io io = { .master = -1 };
	sigset_t all, old;
	bool foreground = opts->run && !opts->detach;
	bool tty_here = false;
	int ret = -1;

	for (int i = 0; i < SPEC_NS_COUNT; i++)
		c.ns_fd[i] = -1;
	if (prepare(&c, &ctx, err) < 0)
		goto fail;

	tty_here = foreground && c.spec->process->terminal;
	if (tty_here) {
		/* `run -t` in the foreground: we are the console socket's peer */
		int sp[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
			lw_fail(err, errno, "socketpair");
			goto fail;
		}
		c.console_fd = sp[1];
		ctx.console_fd = sp[1];
		io.console_peer = sp[0];
	}

	/* A foreground run forwards every signal: block them before the
	 * clone so none is lost; the init unblocks them. */
	if (foreground) {
		util_sigfillset(&all);
		util_sigprocmask(SIG_BLOCK, &all, &old);
	}
	if (start_child(&c, &ctx, err) < 0)
		goto fail;
	if (wait_ready(&c, err) < 0)
		goto fail;
	if (tty_here && console_receive_master(io.console_peer, &io.master, err) < 0)
		goto fail;
	if (save_state(&c, err) < 0)
		goto fail;

	if (!opts->run) {
		ret = 0;
		goto out;
	}

	/* run: start right away */
	if (sync_send(c.sync_fd, SYNC_START, 0, 0, NULL, -1) < 0) {
		lw_fail(err, errno, "starting container");
		goto fail;
	}
	if (wait_exec(&c, err) < 0)
		goto fail;
	{
		cleanup_free char *json = creation_state_json(&c, LW_RUNNING);
		hooks_run_warn(&c.spec->hooks, SPEC_HOOK_POSTSTART, json);
	}
	if (!foreground) {
		ret = 0;
		goto out;
	}

	/* foreground: forward signals (and the terminal), wait, clean up */
	{
		int ws = 0;
		io.pid = c.pid;
		/* the container is others' to inspect and signal while it runs
		 * (state, exec, kill, pause from another shell) */
		flock(c.state_fd, LOCK_UN);
		if (console_wait_foreground(&io, &ws) < 0)
			ws = 255 << 8;
		c.pid = 0; /* reaped */
		*exit_status = util_exit_code(ws);
		flock(c.state_fd, LOCK_EX);
		/* unless a `delete` already removed it (and ran the poststop
		 * hooks) while we waited */
		struct stat sb;
		if (!opts->keep &&
		    !(fstatat(c.state_fd, "state.json", &sb, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT))
			destroy_after_run(&c);
		ret = 0;
	}
	goto out;

fail:
	creation_undo(&c);
out:
	if (foreground)
		util_sigprocmask(SIG_SETMASK, &old, NULL);
	if (io.master >= 0)
		close(io.master);
	if (tty_here && io.console_peer >= 0)
		close(io.console_peer);
	creation_free(&c);
	return ret;
}

