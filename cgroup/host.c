/* What cgroup filesystems the host has (mode, mounts, the caller's own
 * cgroups), read once per process, and where a cgroupsPath lands. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "../runtime/cleanup.h"
#include "../runtime/log.h"
#include "internal.h"

#define CG_ROOT "/sys/fs/cgroup"

/* ---- host discovery ---------------------------------------------------- */

struct own_line {
	bool unified;
	unsigned ctrls;
	char *path;
};

static struct {
	bool mode_done, mounts_done, own_done;
	enum cgroup_mode mode;
	struct cg_host_mount *m;
	size_t n;
	struct own_line *own;
	size_t n_own;
} host;

static bool is_fs(const char *path, long magic)
{
	struct statfs sfs;
	return statfs(path, &sfs) == 0 && sfs.f_type == (typeof(sfs.f_type))magic;
}

enum cgroup_mode cgroup_mode(void)
{
	if (host.mode_done)
		return host.mode;
	if (is_fs(CG_ROOT, CGROUP2_SUPER_MAGIC))
		host.mode = CGROUP_MODE_V2;
	else if (is_fs(CG_ROOT, TMPFS_MAGIC))
		host.mode = is_fs(CG_ROOT "/unified", CGROUP2_SUPER_MAGIC) ? CGROUP_MODE_HYBRID
									    : CGROUP_MODE_V1;
	else
		host.mode = CGROUP_MODE_NONE;
	host.mode_done = true;
	return host.mode;
}

const char *cgroup_mode_name(enum cgroup_mode mode)
{
	switch (mode) {
	case CGROUP_MODE_V1:
		return "v1";
	case CGROUP_MODE_HYBRID:
		return "hybrid";
	case CGROUP_MODE_V2:
		return "v2";
	default:
		return "none";
	}
}

enum cgroup_mode cg_mode_from_name(const char *s)
{
	if (strcmp(s, "v1") == 0)
		return CGROUP_MODE_V1;
	if (strcmp(s, "hybrid") == 0)
		return CGROUP_MODE_HYBRID;
	if (strcmp(s, "v2") == 0)
		return CGROUP_MODE_V2;
	return CGROUP_MODE_NONE;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static int add_mount(const char *mnt, const char *root, unsigned ctrls, bool unified)
{
	struct cg_host_mount *m = realloc(host.m, (host.n + 1) * sizeof(*m));
	if (!m)
		return -1;
	host.m = m;
	m[host.n] = (struct cg_host_mount){ strdup(mnt), strdup(root), ctrls, unified };
	if (!m[host.n].mnt || !m[host.n].root)
		return -1;
	host.n++;
	return 0;
}

/* v1 hierarchies with controllers, and the cgroup2 mount; first mount of a
 * hierarchy wins, but one under /sys/fs/cgroup beats one elsewhere. */
static int discover_mounts(lw_err *err)
{
	if (host.mounts_done)
		return 0;
	if (cgroup_mode() == CGROUP_MODE_V2) {
		if (add_mount(CG_ROOT, "/", 0, true) < 0)
			return lw_fail(err, ENOMEM, "cgroup discovery");
		host.mounts_done = true;
		return 0;
	}

	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return lw_fail(err, errno, "opening /proc/self/mountinfo");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		/* id parent maj:min root mountpoint opts [optional...] - fstype src superopts */
		char *fields[6] = { 0 }, *save = NULL, *tok;
		int nf = 0;
		char *dash = strstr(line, " - ");
		if (!dash)
			continue;
		*dash = '\0';
		for (tok = strtok_r(line, " ", &save); tok && nf < 6; tok = strtok_r(NULL, " ", &save))
			fields[nf++] = tok;
		if (nf < 5)
			continue;
		char *fstype = strtok_r(dash + 3, " ", &save);
		strtok_r(NULL, " ", &save); /* source */
		char *super = strtok_r(NULL, " \n", &save);
		if (!fstype || !super)
			continue;
		bool unified = strcmp(fstype, "cgroup2") == 0;
		if (!unified && strcmp(fstype, "cgroup") != 0)
			continue;
		char *root = fields[3], *mnt = fields[4];
		unescape(root);
		unescape(mnt);
		bool named = false;
		unsigned ctrls = unified ? 0 : cg_ctrl_mask(super, strlen(super), &named);
		if (!unified && ctrls == 0)
			continue; /* name=systemd and the like: nothing to limit there */
		bool preferred = strncmp(mnt, CG_ROOT "/", sizeof(CG_ROOT)) == 0;
		size_t i;
		for (i = 0; i < host.n; i++)
			if (host.m[i].unified == unified && host.m[i].ctrls == ctrls)
				break;
		if (i < host.n) {
			if (preferred && strncmp(host.m[i].mnt, CG_ROOT "/", sizeof(CG_ROOT)) != 0) {
				char *a = strdup(mnt), *b = strdup(root);
				if (!a || !b) {
					free(a);
					free(b);
					return lw_fail(err, ENOMEM, "cgroup discovery");
				}
				free(host.m[i].mnt);
				free(host.m[i].root);
				host.m[i].mnt = a;
				host.m[i].root = b;
			}
			continue;
		}
		if (add_mount(mnt, root, ctrls, unified) < 0)
			return lw_fail(err, ENOMEM, "cgroup discovery");
	}
	host.mounts_done = true;
	return 0;
}

static int discover_own(lw_err *err)
{
	if (host.own_done)
		return 0;
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return lw_fail(err, errno, "opening /proc/self/cgroup");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		struct own_line o = { 0 };
		o.unified = (c2 == c1 + 1) && strncmp(line, "0:", 2) == 0;
		o.ctrls = cg_ctrl_mask(c1 + 1, c2 - c1 - 1, NULL);
		if (!o.unified && o.ctrls == 0)
			continue;
		o.path = strdup(c2 + 1);
		struct own_line *v = realloc(host.own, (host.n_own + 1) * sizeof(*v));
		if (!o.path || !v) {
			free(o.path);
			if (v)
				host.own = v;
			return lw_fail(err, ENOMEM, "reading /proc/self/cgroup");
		}
		host.own = v;
		host.own[host.n_own++] = o;
	}
	host.own_done = true;
	return 0;
}

/* The invoking process's cgroup in hierarchy m, relative to m's mount. */
const char *cg_host_own_path(const struct cg_host_mount *m)
{
	for (size_t i = 0; i < host.n_own; i++) {
		const struct own_line *o = &host.own[i];
		if (o->unified != m->unified || (!m->unified && o->ctrls != m->ctrls))
			continue;
		const char *p = o->path;
		size_t rl = strlen(m->root);
		/* a mount of a subtree (cgroup namespace, bind mount) */
		if (strcmp(m->root, "/") != 0 && strncmp(p, m->root, rl) == 0 &&
		    (p[rl] == '/' || p[rl] == '\0'))
			p += rl;
		return *p ? p : "/";
	}
	return "/";
}

/* ---- path resolution --------------------------------------------------- */

int cg_resolve_path(const char *own, const char *cgroups_path, const char *id, char **out,
		    lw_err *err)
{
	const char *p = cgroups_path && *cgroups_path ? cgroups_path : id;

	if (!p || !*p)
		return lw_fail(err, 0, "linux.cgroupsPath: empty path and no container id");
	if (strchr(p, '\n'))
		return lw_fail(err, 0, "linux.cgroupsPath: must not contain a newline");
	if (p == cgroups_path && p[0] != '/') {
		const char *c1 = strchr(p, ':');
		if (c1 && strchr(c1 + 1, ':'))
			return lw_fail(err, 0,
				       "linux.cgroupsPath: \"%s\" is systemd driver syntax "
				       "(slice:prefix:name); leeward has only the cgroupfs driver, "
				       "use a path",
				       p);
	}

	size_t cap = strlen(own) + strlen(p) + 3;
	cleanup_free char *buf = malloc(cap);
	if (!buf)
		return lw_fail(err, ENOMEM, "linux.cgroupsPath");
	size_t len = 0;
	buf[0] = '\0';
	const char *parts[2] = { p[0] == '/' ? "" : own, p };
	for (int k = 0; k < 2; k++) {
		const char *s = parts[k];
		while (*s) {
			while (*s == '/')
				s++;
			const char *e = strchrnul(s, '/');
			size_t n = e - s;
			if (n == 2 && s[0] == '.' && s[1] == '.')
				return lw_fail(err, 0, "linux.cgroupsPath: must not contain \"..\"");
			if (n > 0 && !(n == 1 && s[0] == '.')) {
				buf[len++] = '/';
				memcpy(buf + len, s, n);
				len += n;
				buf[len] = '\0';
			}
			s = e;
		}
	}
	if (len == 0)
		return lw_fail(err, 0, "linux.cgroupsPath: \"%s\" resolves to the root cgroup", p);
	*out = take_ptr(buf);
	return 0;
}

/* ---- file helpers ------------------------------------------------------ */


int cg_host_discover(bool own, lw_err *err)
{
	if (discover_mounts(err) < 0)
		return -1;
	return own ? discover_own(err) : 0;
}

const struct cg_host_mount *cg_host_mounts(size_t *n)
{
	*n = host.n;
	return host.m;
}
