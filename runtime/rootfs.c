/* The container's filesystem, built in the init's mount namespace.
 *
 * Every path inside the rootfs is resolved with openat2(RESOLVE_IN_ROOT)
 * from an fd of the rootfs, and every mount goes onto /proc/self/fd/N of
 * the O_PATH fd that resolution returned: a symlink planted in the image
 * cannot redirect a mount to the host (CVE-2021-30465 class), and /proc and
 * /sys must not be symlinks at all (CVE-2019-16884 class).
 */
#define _GNU_SOURCE
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../spec/spec.h"
#include "cleanup.h"
#include "console.h"
#include "container.h"
#include "log.h"
#include "inroot.h"
#include "mountapi.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* ---- mount options ---------------------------------------------------- */

static const struct {
	const char *name;
	unsigned long set;
	unsigned long clear;
} flag_opts[] = {
	{ "async", 0, MS_SYNCHRONOUS },	  { "atime", 0, MS_NOATIME },
	{ "defaults", 0, 0 },		  { "dev", 0, MS_NODEV },
	{ "diratime", 0, MS_NODIRATIME }, { "dirsync", MS_DIRSYNC, 0 },
	{ "exec", 0, MS_NOEXEC },	  { "iversion", MS_I_VERSION, 0 },
	{ "lazytime", MS_LAZYTIME, 0 },	  { "loud", 0, MS_SILENT },
	{ "mand", 0, 0 },		  { "noatime", MS_NOATIME, 0 },
	{ "nodev", MS_NODEV, 0 },	  { "nodiratime", MS_NODIRATIME, 0 },
	{ "noexec", MS_NOEXEC, 0 },	  { "noiversion", 0, MS_I_VERSION },
	{ "nolazytime", 0, MS_LAZYTIME }, { "nomand", 0, 0 },
	{ "norelatime", 0, MS_RELATIME }, { "nostrictatime", 0, MS_STRICTATIME },
	{ "nosuid", MS_NOSUID, 0 },	  { "nosymfollow", MS_NOSYMFOLLOW, 0 },
	{ "relatime", MS_RELATIME, 0 },	  { "remount", MS_REMOUNT, 0 },
	{ "ro", MS_RDONLY, 0 },		  { "rw", 0, MS_RDONLY },
	{ "silent", MS_SILENT, 0 },	  { "strictatime", MS_STRICTATIME, 0 },
	{ "suid", 0, MS_NOSUID },	  { "sync", MS_SYNCHRONOUS, 0 },
};

static const struct {
	const char *name;
	unsigned long flags;
} prop_opts[] = {
	{ "private", MS_PRIVATE },	       { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },	       { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },		       { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE },       { "runbindable", MS_UNBINDABLE | MS_REC },
};

static const struct {
	const char *name;
	bool clear;
	unsigned long long attr;
} rec_opts[] = {
	{ "rro", false, MOUNT_ATTR_RDONLY },	     { "rrw", true, MOUNT_ATTR_RDONLY },
	{ "rnosuid", false, MOUNT_ATTR_NOSUID },     { "rsuid", true, MOUNT_ATTR_NOSUID },
	{ "rnodev", false, MOUNT_ATTR_NODEV },	     { "rdev", true, MOUNT_ATTR_NODEV },
	{ "rnoexec", false, MOUNT_ATTR_NOEXEC },     { "rexec", true, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", false, MOUNT_ATTR_NODIRATIME },
	{ "rdiratime", true, MOUNT_ATTR_NODIRATIME },
	{ "rrelatime", false, MOUNT_ATTR_RELATIME }, { "rnorelatime", true, MOUNT_ATTR__ATIME },
	{ "rnoatime", false, MOUNT_ATTR_NOATIME },   { "ratime", true, MOUNT_ATTR__ATIME },
	{ "rstrictatime", false, MOUNT_ATTR_STRICTATIME },
	{ "rnostrictatime", true, MOUNT_ATTR__ATIME },
	{ "rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW },
};

int rootfs_parse_options(char *const *options, size_t n, struct mount_opts *o, lw_err *err)
{
	size_t dlen = 0;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < n; i++) {
		const char *opt = options[i];
		bool found = false;

		if (!strcmp(opt, "bind") || !strcmp(opt, "rbind")) {
			o->bind = true;
			o->rec |= opt[0] == 'r';
			continue;
		}
		if (!strcmp(opt, "tmpcopyup")) {
			o->tmpcopyup = true;
			continue;
		}
		if (!strcmp(opt, "idmap") || !strcmp(opt, "ridmap")) {
			o->idmap = true;
			continue;
		}
		for (size_t k = 0; !found && k < LW_ARRAY_SIZE(flag_opts); k++)
			if (!strcmp(opt, flag_opts[k].name)) {
				o->flags = (o->flags & ~flag_opts[k].clear) | flag_opts[k].set;
				o->clear = (o->clear & ~flag_opts[k].set) | flag_opts[k].clear;
				found = true;
			}
		for (size_t k = 0; !found && k < LW_ARRAY_SIZE(prop_opts); k++)
			if (!strcmp(opt, prop_opts[k].name)) {
				o->propagation = prop_opts[k].flags;
				found = true;
			}
		for (size_t k = 0; !found && k < LW_ARRAY_SIZE(rec_opts); k++)
			if (!strcmp(opt, rec_opts[k].name)) {
				if (rec_opts[k].clear) {
					o->attr_clr |= rec_opts[k].attr ? rec_opts[k].attr
									: MOUNT_ATTR__ATIME;
					o->attr_set &= ~rec_opts[k].attr;
				} else {
					o->attr_set |= rec_opts[k].attr;
					o->attr_clr &= ~rec_opts[k].attr;
					if (rec_opts[k].attr & MOUNT_ATTR__ATIME ||
					    rec_opts[k].attr == MOUNT_ATTR_RELATIME)
						o->attr_clr |= MOUNT_ATTR__ATIME;
				}
				found = true;
			}
		if (found)
			continue;
		/* anything else is the filesystem's own option */
		size_t l = strlen(opt);
		char *nd = realloc(o->data, dlen + l + 2);
		if (!nd) {
			free(o->data);
			return lw_fail(err, ENOMEM, "mount options");
		}
		o->data = nd;
		if (dlen)
			o->data[dlen++] = ',';
		memcpy(o->data + dlen, opt, l + 1);
		dlen += l;
	}
	return 0;
}

static void fd_path(char *buf, size_t n, int fd)
{
	snprintf(buf, n, "/proc/self/fd/%d", fd);
}

static int setattr_fd(int fd, unsigned long long set, unsigned long long clr, bool rec)
{
	struct mount_attr a = { .attr_set = set, .attr_clr = clr };
	return mount_setattr(fd, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &a, sizeof(a));
}

static unsigned long long ms_to_attr(unsigned long ms)
{
	unsigned long long a = 0;
	if (ms & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (ms & MS_NOSYMFOLLOW)
		a |= MOUNT_ATTR_NOSYMFOLLOW;
	return a;
}

/* Re-open what is mounted at path now (an fd taken before a mount refers
 * to what the mount covers). */
static int reopen(int rootfd, const char *dest, lw_err *err)
{
	int fd = open_in_root(rootfd, dest, O_PATH);
	if (fd < 0)
		return lw_fail(err, errno, "reopening %s", dest);
	return fd;
}

/* Apply per-mount flags after a bind (bind mounts ignore them at first),
 * propagation and recursive attributes. */
static int apply_after(int rootfd, const char *dest, const struct mount_opts *o, bool was_bind,
		       lw_err *err)
{
	cleanup_close int fd = -1;
	unsigned long long set = ms_to_attr(o->flags);
	unsigned long long clr = ms_to_attr(o->clear);

	if (!was_bind && !o->propagation && !o->attr_set && !o->attr_clr)
		return 0;
	fd = reopen(rootfd, dest, err);
	if (fd < 0)
		return -1;
	if (was_bind && (set || clr)) {
		if (o->flags & MS_NOATIME)
			set |= MOUNT_ATTR_NOATIME, clr |= MOUNT_ATTR__ATIME;
		else if (o->flags & MS_STRICTATIME)
			set |= MOUNT_ATTR_STRICTATIME, clr |= MOUNT_ATTR__ATIME;
		if (setattr_fd(fd, set, clr & ~set, false) < 0)
			return lw_fail(err, errno, "setting mount flags on %s", dest);
	}
	if (o->attr_set || o->attr_clr) {
		if (setattr_fd(fd, o->attr_set, o->attr_clr, true) < 0)
			return lw_fail(err, errno, "setting recursive mount attributes on %s",
				       dest);
	}
	if (o->propagation) {
		char p[64];
		fd_path(p, sizeof(p), fd);
		if (mount(NULL, p, NULL, o->propagation, NULL) < 0)
			return lw_fail(err, errno, "setting propagation of %s", dest);
	}
	return 0;
}

/* ---- cgroup mounts ------------------------------------------------------ */

/* Mount point of the v1 hierarchy holding `controllers` (from
 * /proc/self/mountinfo), or of cgroup2 when controllers is "". */
/* The host's cgroup mounts, read from mountinfo once per process. */
static struct cg_mount {
	bool v2;
	char mp[256];
	char opts[256];
} cg_mounts[32];
static int n_cg_mounts = -1;

static void load_cg_mounts(void)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	n_cg_mounts = 0;
	while (f && getline(&line, &cap, f) > 0 && n_cg_mounts < 32) {
		char *sep = strstr(line, " - ");
		char fstype[64], src[256], opts[256], mp[256];
		if (!sep || sscanf(sep + 3, "%63s %255s %255s", fstype, src, opts) != 3)
			continue;
		if (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %255s", mp) != 1)
			continue;
		struct cg_mount *m = &cg_mounts[n_cg_mounts++];
		m->v2 = !strcmp(fstype, "cgroup2");
		snprintf(m->mp, sizeof(m->mp), "%s", mp);
		snprintf(m->opts, sizeof(m->opts), "%s", opts);
	}
}

/* Mount point of the v1 hierarchy holding `controllers`, or of cgroup2
 * when controllers is "". */
static char *hierarchy_mountpoint(const char *controllers)
{
	if (n_cg_mounts < 0)
		load_cg_mounts();
	for (int i = 0; i < n_cg_mounts; i++) {
		const struct cg_mount *m = &cg_mounts[i];
		if (!*controllers) {
			if (m->v2)
				return strdup(m->mp);
			continue;
		}
		if (m->v2)
			continue;
		/* every controller of the hierarchy must be in the options */
		bool all = true;
		cleanup_free char *c = strdup(controllers);
		for (char *sv, *tok = c ? strtok_r(c, ",", &sv) : NULL; tok; tok = strtok_r(NULL, ",", &sv)) {
			const char *hit = strstr(m->opts, tok);
			size_t tl = strlen(tok);
			if (!hit || (hit != m->opts && hit[-1] != ',') || (hit[tl] && hit[tl] != ','))
				all = false;
		}
		if (all)
			return strdup(m->mp);
	}
	return NULL;
}

static int bind_host_path(int rootfd, const char *host, const char *dest, bool rec,
			  unsigned long flags, lw_err *err)
{
	cleanup_close int fd = -1;
	char p[64];
	struct stat sb;

	if (stat(host, &sb) < 0)
		return lw_fail(err, errno, "%s", host);
	fd = mkpath_in_root(rootfd, dest, !S_ISDIR(sb.st_mode), 0644, err);
	if (fd < 0)
		return -1;
	fd_path(p, sizeof(p), fd);
	if (mount(host, p, NULL, MS_BIND | (rec ? MS_REC : 0), NULL) < 0)
		return lw_fail(err, errno, "bind-mounting %s on %s", host, dest);
	if (flags) {
		cleanup_close int fd2 = reopen(rootfd, dest, err);
		if (fd2 < 0)
			return -1;
		if (setattr_fd(fd2, ms_to_attr(flags), 0, rec) < 0)
			return lw_fail(err, errno, "setting flags on %s", dest);
	}
	return 0;
}

/* Our own cgroup directory `host` at tmpfs/name: a detached copy, its
 * flags set before it is attached (mkdirat, open_tree, mount_setattr,
 * move_mount; no path walk from the root, no /proc/self/fd).  -1 with
 * errno: the caller takes the general way. */
static int bind_cgroup_dir(int tmpfs, const char *host, const char *name, unsigned long flags)
{
	cleanup_close int tree = -1;

	if (mkdirat(tmpfs, name, 0755) < 0 && errno != EEXIST)
		return -1;
	tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return -1;
	if (flags && setattr_fd(tree, ms_to_attr(flags), 0, false) < 0)
		return -1;
	return move_mount(tree, "", tmpfs, name, MOVE_MOUNT_F_EMPTY_PATH);
}

/* "cgroup" (v1 style) or "cgroup2": what the container sees of its own
 * cgroups.  With a cgroup namespace the hierarchies are mounted afresh
 * (their root is the container's cgroup); without, the container's own
 * directories are bind-mounted. */
static int mount_cgroups(const struct init_ctx *ctx, int rootfd, const struct spec_mount *m,
			 const struct mount_opts *o, lw_err *err)
{
	bool cgns = ctx->cgroupns;
	unsigned long flags = (o->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)) |
			      MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct statfs sf;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	bool v2host = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;

	if (v2host || !strcmp(m->type, "cgroup2")) {
		/* the unified hierarchy: fresh in a cgroup namespace, else our
		 * own directory of the host's */
		cleanup_free char *mp = v2host ? strdup("/sys/fs/cgroup") : hierarchy_mountpoint("");
		cleanup_close int fd = -1;
		char p[64];
		if (!mp)
			return lw_fail(err, ENOENT, "no cgroup2 hierarchy on this host");
		fd = mkpath_in_root(rootfd, m->destination, false, 0, err);
		if (fd < 0)
			return -1;
		fd_path(p, sizeof(p), fd);
		if (cgns) {
			if (mount("cgroup2", p, "cgroup2", flags, NULL) == 0)
				return 0;
			if (errno != EPERM && errno != EBUSY)
				return lw_fail(err, errno, "mounting cgroup2 on %s", m->destination);
		}
		cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
		char host[4096];
		snprintf(host, sizeof(host), "%s", mp);
		while (f && getline(&line, &cap, f) > 0)
			if (!strncmp(line, "0::", 3) && strncmp(line + 3, "/..", 3)) {
				line[strcspn(line, "\n")] = 0;
				snprintf(host, sizeof(host), "%s%s", mp, line + 3);
			}
		if (mount(host, p, NULL, MS_BIND | MS_REC, NULL) < 0)
			return lw_fail(err, errno, "bind-mounting %s on %s", host, m->destination);
		cleanup_close int fd2 = reopen(rootfd, m->destination, err);
		if (fd2 < 0 || setattr_fd(fd2, ms_to_attr(flags), 0, true) < 0)
			return lw_fail(err, errno, "cgroup mount flags on %s", m->destination);
		return 0;
	}

	/* v1 / hybrid: a tmpfs with one directory per hierarchy */
	cleanup_close int tmpfs = -1;
	{
		cleanup_close int fd = mkpath_in_root(rootfd, m->destination, false, 0, err);
		char p[64];
		if (fd < 0)
			return -1;
		fd_path(p, sizeof(p), fd);
		if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
			return lw_fail(err, errno, "mounting tmpfs on %s", m->destination);
		/* the fresh tmpfs: nothing in it can be a symlink, its
		 * directories are made and used relative to it */
		tmpfs = reopen(rootfd, m->destination, err);
		if (tmpfs < 0)
			return -1;
	}
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return lw_fail(err, errno, "/proc/self/cgroup");
	while (getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		char *ctrls = c1 + 1, *path = c2 + 1;
		path[strcspn(path, "\n")] = 0;
		const char *name = *ctrls ? ctrls : "unified";
		if (!strncmp(name, "name=", 5)) {
			/* a named hierarchy (name=systemd) the container has no
			 * cgroup of: showing it would show the host's whole tree */
			if (!strcmp(path, "/"))
				continue;
			name += 5;
		}
		cleanup_free char *mp = hierarchy_mountpoint(ctrls);
		if (!mp)
			continue;
		cleanup_free char *dest = NULL, *host = NULL;
		if (asprintf(&dest, "%s/%s", m->destination, name) < 0 ||
		    asprintf(&host, "%s%s", mp, cgns ? "" : path) < 0)
			return lw_fail(err, ENOMEM, "cgroup mount");
		if (cgns) {
			cleanup_close int fd = mkpath_in_root(rootfd, dest, false, 0, err);
			char p[64];
			if (fd < 0)
				return -1;
			fd_path(p, sizeof(p), fd);
			int r = *ctrls ? mount("cgroup", p, "cgroup", flags, ctrls)
				       : mount("cgroup2", p, "cgroup2", flags, NULL);
			if (r == 0)
				continue;
			/* fall back to a bind of our own directory */
			free(host);
			if (asprintf(&host, "%s%s", mp, path) < 0)
				return lw_fail(err, ENOMEM, "cgroup mount");
		}
		if (bind_cgroup_dir(tmpfs, host, name, flags) < 0 &&
		    bind_host_path(rootfd, host, dest, false, flags, err) < 0)
			return -1;
		/* cpu,cpuacct style hierarchies get a symlink per controller */
		if (strchr(name, ',')) {
			cleanup_free char *names = strdup(name);
			cleanup_close int dfd = open_in_root(rootfd, m->destination, O_PATH | O_DIRECTORY);
			for (char *s, *t = strtok_r(names, ",", &s); dfd >= 0 && t;
			     t = strtok_r(NULL, ",", &s))
				symlinkat(name, dfd, t);
		}
	}
	if (o->flags & MS_RDONLY) {
		cleanup_close int fd = reopen(rootfd, m->destination, err);
		if (fd < 0 || setattr_fd(fd, MOUNT_ATTR_RDONLY, 0, false) < 0)
			return lw_fail(err, errno, "read-only %s", m->destination);
	}
	return 0;
}

/* ---- one mounts[] entry ------------------------------------------------- */

static int do_mount(const struct init_ctx *ctx, int rootfd, const struct spec_mount *m, size_t i,
		    lw_err *err)
{
	struct mount_opts o;
	cleanup_close int target = -1;
	cleanup_free char *src = NULL;
	const char *type = m->type;
	char p[64];
	bool is_file = false;
	int r;

	if (rootfs_parse_options(m->options, m->n_options, &o, err) < 0)
		return lw_wrap(err, "mounts[%zu]", i);
	cleanup_free char *data = o.data;

	int idmap = ctx->idmap_fd ? ctx->idmap_fd[i] : -1;
	if (idmap >= 0 && !(o.bind || (type && !strcmp(type, "bind"))))
		return lw_fail(err, EINVAL, "mounts[%zu] (%s): idmap is only for bind mounts", i,
			       m->destination);
	if (type && !strcmp(type, "bind"))
		o.bind = true;
	if (type && (!strcmp(type, "cgroup") || !strcmp(type, "cgroup2")) && !o.bind) {
		if (mount_cgroups(ctx, rootfd, m, &o, err) < 0)
			return lw_wrap(err, "mounts[%zu] (%s)", i, m->destination);
		return 0;
	}

	if (o.bind) {
		struct stat sb;
		if (!m->source)
			return lw_fail(err, 0, "mounts[%zu].source: required for a bind mount", i);
		if (m->source[0] != '/' && asprintf(&src, "%s/%s", ctx->bundle, m->source) < 0)
			return lw_fail(err, ENOMEM, "mounts");
		if (!src)
			src = strdup(m->source);
		if (stat(src, &sb) < 0)
			return lw_fail(err, errno, "mounts[%zu].source: %s", i, src);
		is_file = !S_ISDIR(sb.st_mode);
	}

	/* proc and sysfs must land exactly where they are asked: a symlink
	 * there would put an unmasked procfs somewhere maskedPaths miss */
	if (type && (!strcmp(type, "proc") || !strcmp(type, "sysfs"))) {
		const char *d = m->destination;
		while (*d == '/')
			d++;
		target = openat2_(rootfd, d, O_PATH,
				  RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
		if (target < 0 && errno == ELOOP)
			return lw_fail(err, ELOOP, "mounts[%zu].destination: %s is a symlink", i,
				       m->destination);
		if (target >= 0) {
			struct stat sb;
			if (fstat(target, &sb) == 0 && !S_ISDIR(sb.st_mode))
				return lw_fail(err, ENOTDIR, "mounts[%zu].destination: %s", i,
					       m->destination);
		}
	}
	if (target < 0) {
		target = mkpath_in_root(rootfd, m->destination, is_file, 0644, err);
		if (target < 0)
			return lw_wrap(err, "mounts[%zu].destination", i);
	}
	fd_path(p, sizeof(p), target);

	if (o.bind && idmap >= 0) {
		/* the parent made the idmapped copy (it needs privileges over the
		 * source's filesystem); attach it */
		if (move_mount(idmap, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return lw_fail(err, errno, "mounts[%zu]: attaching idmapped %s on %s", i, src,
				       m->destination);
		if (apply_after(rootfd, m->destination, &o, true, err) < 0)
			return lw_wrap(err, "mounts[%zu]", i);
		return 0;
	}
	if (o.bind) {
		r = mount(src, p, NULL, MS_BIND | (o.rec ? MS_REC : 0), NULL);
		if (r < 0)
			return lw_fail(err, errno, "mounts[%zu]: bind-mounting %s on %s", i, src,
				       m->destination);
		if (apply_after(rootfd, m->destination, &o, true, err) < 0)
			return lw_wrap(err, "mounts[%zu]", i);
		return 0;
	}

	r = mount(m->source ? m->source : type, p, type, o.flags, data);
	if (r < 0 && errno == EPERM && type && !strcmp(type, "sysfs") && ctx->userns) {
		/* a sysfs needs the network namespace's owner: bind the host's */
		r = mount("/sys", p, NULL, MS_BIND | MS_REC, NULL);
		if (r == 0) {
			cleanup_close int fd = reopen(rootfd, m->destination, err);
			if (fd < 0 || setattr_fd(fd, ms_to_attr(o.flags) | MOUNT_ATTR_NOSUID |
							    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
						 0, true) < 0)
				return lw_fail(err, errno, "mounts[%zu]: flags on %s", i,
					       m->destination);
		}
	}
	if (r < 0)
		return lw_fail(err, errno, "mounts[%zu]: mounting %s (%s) on %s", i,
			       m->source ? m->source : "none", type ? type : "none",
			       m->destination);
	if (type && !strcmp(type, "proc")) {
		cleanup_close int fd = reopen(rootfd, m->destination, err);
		struct statfs sf;
		if (fd < 0 || fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
			return lw_fail(err, 0, "mounts[%zu]: %s is not procfs after mounting", i,
				       m->destination);
	}
	return apply_after(rootfd, m->destination, &o, false, err);
}

/* ---- /dev ---------------------------------------------------------------- */

static const struct {
	const char *path;
	unsigned major, minor;
} default_devices[] = {
	{ "/dev/null", 1, 3 },	  { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
	{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

/* The device node `name` in the directory dfd (path names it in errors):
 * mknod (the caller's umask is 0, so the mode is exact), replacing what is
 * there; in a user namespace, where mknod is denied, a bind mount of the
 * host's node instead, which is never chowned or chmoded: that would
 * change the host's file. */
static int make_node(const struct init_ctx *ctx, int dfd, const char *name, const char *path,
		     mode_t kind, dev_t rdev, mode_t mode, bool set_owner, uid_t uid, gid_t gid,
		     lw_err *err)
{
	if (!ctx->userns) {
		int r = mknodat(dfd, name, kind | (mode & 07777), rdev);
		if (r < 0 && errno == EEXIST && unlinkat(dfd, name, 0) == 0)
			r = mknodat(dfd, name, kind | (mode & 07777), rdev);
		if (r == 0) {
			if (set_owner && fchownat(dfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
				return lw_fail(err, errno, "chown %s", path);
			return 0;
		}
		if (errno != EPERM)
			return lw_fail(err, errno, "mknod %s", path);
	}
	/* bind the host node */
	unlinkat(dfd, name, 0);
	int f = openat(dfd, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_WRONLY, 0600);
	if (f < 0)
		return lw_fail(err, errno, "creating %s", path);
	char p[64];
	fd_path(p, sizeof(p), f);
	int r = mount(path, p, NULL, MS_BIND, NULL);
	int e = errno;
	close(f);
	if (r < 0)
		return lw_fail(err, e, "bind-mounting host %s", path);
	return 0;
}

static int make_device(const struct init_ctx *ctx, int rootfd, const char *path, char type,
		       unsigned major, unsigned minor, mode_t mode, bool set_owner, uid_t uid,
		       gid_t gid, lw_err *err)
{
	cleanup_free char *dir = strdup(path);
	cleanup_close int dfd = -1;
	char *name = dir ? strrchr(dir, '/') : NULL;
	mode_t kind = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;

	if (!dir || !name)
		return lw_fail(err, EINVAL, "device %s", path);
	*name++ = 0;
	dfd = open_dir_in_root(rootfd, dir, err);
	if (dfd < 0)
		return -1;
	return make_node(ctx, dfd, name, path, kind, makedev(major, minor), mode, set_owner, uid,
			 gid, err);
}

static bool dev_is_bind(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (strcmp(m->destination, "/dev") && strcmp(m->destination, "/dev/"))
			continue;
		bool bind = m->type && !strcmp(m->type, "bind");
		for (size_t k = 0; k < m->n_options; k++)
			if (!strcmp(m->options[k], "bind") || !strcmp(m->options[k], "rbind"))
				bind = true;
		return bind;
	}
	return false;
}

static int setup_dev(const struct init_ctx *ctx, int rootfd, lw_err *err)
{
	const struct spec *s = ctx->spec;
	const struct spec_linux *l = s->linux_;
	cleanup_close int dev = -1;

	if (dev_is_bind(s))
		return 0;
	dev = open_dir_in_root(rootfd, "/dev", err);
	if (dev < 0)
		return lw_wrap(err, "/dev in the rootfs");
	/* exact modes: no umask (the process's own is set at the end) */
	mode_t saved_umask = umask(0);
	int r = 0;
	for (size_t i = 0; r == 0 && i < LW_ARRAY_SIZE(default_devices); i++) {
		bool overridden = false;
		for (size_t k = 0; l && k < l->n_devices; k++)
			if (!strcmp(l->devices[k].path, default_devices[i].path))
				overridden = true;
		if (overridden)
			continue;
		const char *path = default_devices[i].path;
		r = make_node(ctx, dev, path + strlen("/dev/"), path, S_IFCHR,
			      makedev(default_devices[i].major, default_devices[i].minor), 0666, false,
			      0, 0, err);
		if (r < 0)
			lw_wrap(err, "default device");
	}
	for (size_t k = 0; r == 0 && l && k < l->n_devices; k++) {
		const struct spec_device *d = &l->devices[k];
		mode_t mode = d->has_file_mode ? d->file_mode : 0666;
		r = make_device(ctx, rootfd, d->path, d->type == 'u' ? 'c' : d->type,
				(unsigned)d->major, (unsigned)d->minor, mode, d->has_uid || d->has_gid,
				d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, err);
		if (r < 0)
			lw_wrap(err, "linux.devices[%zu]", k);
	}
	umask(saved_umask);
	if (r < 0)
		return -1;
	static const struct {
		const char *target, *name;
	} links[] = {
		{ "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" },
	};
	for (size_t i = 0; i < LW_ARRAY_SIZE(links); i++)
		if (symlinkat(links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
			return lw_fail(err, errno, "creating /dev/%s", links[i].name);
	if (access("/proc/kcore", F_OK) == 0)
		symlinkat("/proc/kcore", dev, "core");
	/* /dev/ptmx -> the container's devpts instance */
	struct stat sb;
	if (fstatat(dev, "ptmx", &sb, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(sb.st_mode))
		unlinkat(dev, "ptmx", 0);
	if (symlinkat("pts/ptmx", dev, "ptmx") < 0 && errno != EEXIST)
		return lw_fail(err, errno, "creating /dev/ptmx");
	return 0;
}

/* ---- propagation and the rootfs mount ---------------------------------- */

static unsigned long root_propagation(const struct spec *s)
{
	const char *p = s->linux_ ? s->linux_->rootfs_propagation : NULL;
	if (!p || !*p)
		return MS_SLAVE | MS_REC;
	for (size_t k = 0; k < LW_ARRAY_SIZE(prop_opts); k++)
		if (!strcmp(p, prop_opts[k].name))
			return prop_opts[k].flags;
	return MS_SLAVE | MS_REC;
}

/* The mount point holding `path` (longest mountinfo prefix), made private. */
static int make_parent_private(const char *path, lw_err *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL, *best = NULL, *parent = NULL;
	size_t cap = 0, best_len = 0;

	if (!f)
		return lw_fail(err, errno, "/proc/self/mountinfo");
	parent = strdup(path);
	if (!parent)
		return lw_fail(err, ENOMEM, "rootfs");
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = 0;
	while (getline(&line, &cap, f) > 0) {
		char mp[4096];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		size_t n = strlen(mp);
		bool prefix = !strcmp(mp, "/") ||
			      (!strncmp(parent, mp, n) && (parent[n] == '/' || parent[n] == 0));
		if (prefix && n >= best_len) {
			free(best);
			best = strdup(mp);
			best_len = n;
		}
	}
	if (best && mount(NULL, best, NULL, MS_PRIVATE, NULL) < 0)
		return lw_fail(err, errno, "making %s private", best);
	return 0;
}

int rootfs_prepare(const struct init_ctx *ctx, lw_err *err)
{
	const struct spec *s = ctx->spec;
	unsigned long prop = root_propagation(s);
	cleanup_close int rootfd = -1;

	/* our changes must not propagate to the host (nor the host's to us,
	 * unless asked); shared roots are set up after pivot_root */
	/* (always recursive: a shared mount left anywhere above the rootfs
	 * would leak our mounts to the host and make pivot_root fail) */
	if (mount(NULL, "/", NULL, (prop & MS_SHARED) ? MS_SLAVE | MS_REC : prop | MS_REC, NULL) < 0)
		return lw_fail(err, errno, "linux.rootfsPropagation: making / %s",
			       s->linux_ && s->linux_->rootfs_propagation ? s->linux_->rootfs_propagation
									  : "rslave");
	/* the rootfs must be a mount point for pivot_root */
	if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return lw_fail(err, errno, "bind-mounting the rootfs %s", ctx->rootfs);
	/* pivot_root refuses a new root whose parent mount is shared: unless
	 * a recursive slave/private change already saw to it, make that parent
	 * private (a shared root becomes shared after pivot_root) */
	if ((prop & MS_SHARED) && make_parent_private(ctx->rootfs, err) < 0)
		return -1;
	/* nor may the new root itself be shared (it is also put_old) */
	{
		unsigned long type = prop & (MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE);
		if (mount(NULL, ctx->rootfs, NULL, type ? type : MS_SLAVE, NULL) < 0)
			return lw_fail(err, errno, "setting the propagation of the rootfs");
	}

	rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lw_fail(err, errno, "opening the rootfs %s", ctx->rootfs);
	for (size_t i = 0; i < s->n_mounts; i++)
		if (do_mount(ctx, rootfd, &s->mounts[i], i, err) < 0)
			return -1;
	if (setup_dev(ctx, rootfd, err) < 0)
		return -1;
	/* the process's cwd is created if missing, as runc does */
	if (s->process && s->process->cwd) {
		int fd = mkpath_in_root(rootfd, s->process->cwd, false, 0, err);
		if (fd < 0)
			return lw_wrap(err, "process.cwd");
		close(fd);
	}
	return 0;
}

/* ---- masked / read-only paths, pivot ----------------------------------- */

static int readonly_path(int rootfd, const char *path, size_t i, lw_err *err)
{
	cleanup_close int fd = open_in_root(rootfd, path, O_PATH);
	char p[64];

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return lw_fail(err, errno, "linux.readonlyPaths[%zu]: %s", i, path);
	}
	fd_path(p, sizeof(p), fd);
	if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
		return lw_fail(err, errno, "linux.readonlyPaths[%zu]: bind %s", i, path);
	cleanup_close int fd2 = reopen(rootfd, path, err);
	if (fd2 < 0)
		return -1;
	if (setattr_fd(fd2, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				    MOUNT_ATTR_NOEXEC,
		       0, true) < 0)
		return lw_fail(err, errno, "linux.readonlyPaths[%zu]: read-only %s", i, path);
	return 0;
}

static int masked_path(int rootfd, const char *path, size_t i, lw_err *err)
{
	cleanup_close int fd = open_in_root(rootfd, path, O_PATH);
	struct stat sb;
	char p[64];

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return lw_fail(err, errno, "linux.maskedPaths[%zu]: %s", i, path);
	}
	if (fstat(fd, &sb) < 0)
		return lw_fail(err, errno, "linux.maskedPaths[%zu]: %s", i, path);
	fd_path(p, sizeof(p), fd);
	if (S_ISDIR(sb.st_mode)) {
		if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=0k,nr_inodes=1") < 0 &&
		    mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL) < 0)
			return lw_fail(err, errno, "linux.maskedPaths[%zu]: tmpfs on %s", i, path);
	} else if (mount("/dev/null", p, NULL, MS_BIND, NULL) < 0) {
		return lw_fail(err, errno, "linux.maskedPaths[%zu]: /dev/null on %s", i, path);
	}
	return 0;
}

static int do_pivot(const struct init_ctx *ctx, lw_err *err)
{
	cleanup_close int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	cleanup_close int newroot = open(ctx->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

	if (oldroot < 0 || newroot < 0)
		return lw_fail(err, errno, "opening / and the rootfs");
	if (fchdir(newroot) < 0)
		return lw_fail(err, errno, "chdir to the rootfs");
	if (ctx->no_pivot) {
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return lw_fail(err, errno, "--no-pivot: moving the rootfs to /");
		if (chroot(".") < 0)
			return lw_fail(err, errno, "--no-pivot: chroot");
		if (chdir("/") < 0)
			return lw_fail(err, errno, "chdir /");
		return 0;
	}
	/* pivot_root(".", "."): the old root ends up stacked under the new
	 * one; detach it without propagating the unmount to the host */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return lw_fail(err, errno, "pivot_root");
	if (fchdir(oldroot) < 0)
		return lw_fail(err, errno, "chdir to the old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return lw_fail(err, errno, "making the old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return lw_fail(err, errno, "unmounting the old root");
	if (chdir("/") < 0)
		return lw_fail(err, errno, "chdir /");
	return 0;
}

int rootfs_finish(const struct init_ctx *ctx, lw_err *err)
{
	const struct spec *s = ctx->spec;
	const struct spec_linux *l = s->linux_;
	cleanup_close int rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return lw_fail(err, errno, "opening the rootfs %s", ctx->rootfs);
	for (size_t i = 0; l && i < l->n_readonly_paths; i++)
		if (readonly_path(rootfd, l->readonly_paths[i], i, err) < 0)
			return -1;
	for (size_t i = 0; l && i < l->n_masked_paths; i++)
		if (masked_path(rootfd, l->masked_paths[i], i, err) < 0)
			return -1;
	if (do_pivot(ctx, err) < 0)
		return -1;
	if (s->process && s->process->terminal && ctx->console_fd >= 0) {
		if (console_setup(ctx->console_fd, s->process, 1, err) < 0)
			return -1;
	}
	if (s->root && s->root->readonly) {
		if (mount_setattr(AT_FDCWD, "/", 0,
				  &(struct mount_attr){ .attr_set = MOUNT_ATTR_RDONLY },
				  sizeof(struct mount_attr)) < 0)
			return lw_fail(err, errno, "root.readonly: remounting / read-only");
	}
	{
		unsigned long prop = root_propagation(s);
		if ((prop & MS_SHARED) && mount(NULL, "/", NULL, prop, NULL) < 0)
			return lw_fail(err, errno, "linux.rootfsPropagation: shared /");
	}
	return 0;
}
