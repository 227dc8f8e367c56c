/* The cgroup manager's core: which cgroup filesystems the host has, where
 * the container's cgroup is in each, and its lifecycle (create, open,
 * attach, freeze, kill, destroy).  Resources are written by v2.c / v1.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by the Makefile */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "../runtime/cleanup.h"
#include "../runtime/log.h"
#include "internal.h"

#define CG_ROOT "/sys/fs/cgroup"

static const char *const ctrl_names[CG_NCTRL] = {
	[CG_CPU] = "cpu",	    [CG_CPUACCT] = "cpuacct", [CG_CPUSET] = "cpuset",
	[CG_MEMORY] = "memory",	    [CG_DEVICES] = "devices", [CG_FREEZER] = "freezer",
	[CG_BLKIO] = "blkio",	    [CG_PIDS] = "pids",	      [CG_HUGETLB] = "hugetlb",
	[CG_NET_CLS] = "net_cls",   [CG_NET_PRIO] = "net_prio", [CG_RDMA] = "rdma",
	[CG_PERF_EVENT] = "perf_event", [CG_MISC] = "misc",
};

const char *cg_ctrl_name(enum cg_ctrl c)
{
	return c < CG_NCTRL ? ctrl_names[c] : "?";
}

const char *cg_ctrl_v2_name(enum cg_ctrl c)
{
	switch (c) {
	case CG_BLKIO:
		return "io";
	case CG_CPUACCT:
		return "cpu";
	case CG_CPU:
	case CG_CPUSET:
	case CG_MEMORY:
	case CG_PIDS:
	case CG_HUGETLB:
	case CG_RDMA:
	case CG_MISC:
		return ctrl_names[c];
	default:
		return NULL; /* devices, freezer: core of v2; net_*: none */
	}
}

static int ctrl_from_name(const char *s, size_t len)
{
	for (int i = 0; i < CG_NCTRL; i++)
		if (strlen(ctrl_names[i]) == len && memcmp(ctrl_names[i], s, len) == 0)
			return i;
	return -1;
}

/* Bits of a comma-separated controller list ("rw,cpu,cpuacct" works too:
 * unknown words are ignored). *named is set for "name=..." hierarchies. */
static unsigned ctrl_mask(const char *list, size_t len, bool *named)
{
	unsigned mask = 0;
	const char *p = list, *end = list + len;

	while (p < end) {
		const char *q = memchr(p, ',', end - p);
		size_t n = q ? (size_t)(q - p) : (size_t)(end - p);
		int c = ctrl_from_name(p, n);
		if (c >= 0)
			mask |= CG_BIT(c);
		else if (n > 5 && memcmp(p, "name=", 5) == 0 && named)
			*named = true;
		p += n + 1;
	}
	return mask;
}

/* ---- host discovery ---------------------------------------------------- */

struct host_mount {
	char *mnt;
	char *root;
	unsigned ctrls;
	bool unified;
};

struct own_line {
	bool unified;
	unsigned ctrls;
	char *path;
};

static struct {
	bool mode_done, mounts_done, own_done;
	enum cgroup_mode mode;
	struct host_mount *m;
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

static enum cgroup_mode mode_from_name(const char *s)
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
	struct host_mount *m = realloc(host.m, (host.n + 1) * sizeof(*m));
	if (!m)
		return -1;
	host.m = m;
	m[host.n] = (struct host_mount){ strdup(mnt), strdup(root), ctrls, unified };
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
		unsigned ctrls = unified ? 0 : ctrl_mask(super, strlen(super), &named);
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
		o.ctrls = ctrl_mask(c1 + 1, c2 - c1 - 1, NULL);
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
static const char *own_path(const struct host_mount *m)
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

int cg_write(int dirfd, const char *file, const char *val, lw_err *err)
{
	cleanup_close int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return lw_fail(err, errno, "writing %s", file);
	size_t len = strlen(val);
	ssize_t w = write(fd, val, len);
	if (w < 0)
		return lw_fail(err, errno, "writing %s", file);
	if ((size_t)w != len)
		return lw_fail(err, EIO, "writing %s: short write", file);
	return 0;
}

int cg_writef(int dirfd, const char *file, lw_err *err, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return lw_fail(err, EINVAL, "writing %s: value too long", file);
	return cg_write(dirfd, file, buf, err);
}

int cg_read(int dirfd, const char *file, char **out, lw_err *err)
{
	cleanup_close int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lw_fail(err, errno, "reading %s", file);
	size_t cap = 4096, len = 0;
	cleanup_free char *buf = malloc(cap);
	if (!buf)
		return lw_fail(err, ENOMEM, "reading %s", file);
	for (;;) {
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				return lw_fail(err, ENOMEM, "reading %s", file);
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return lw_fail(err, errno, "reading %s", file);
		}
		if (r == 0)
			break;
		len += r;
	}
	buf[len] = '\0';
	*out = take_ptr(buf);
	return 0;
}

int cg_read_u64(int dirfd, const char *file, uint64_t *v, lw_err *err)
{
	cleanup_free char *s = NULL;
	if (cg_read(dirfd, file, &s, err) < 0)
		return -1;
	if (strncmp(s, "max", 3) == 0) {
		*v = UINT64_MAX;
		return 0;
	}
	char *end;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || end == s)
		return lw_fail(err, EINVAL, "reading %s: not a number", file);
	return 0;
}

int cg_keyed_u64(const char *text, const char *key, uint64_t *v)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
			*v = strtoull(p + kl + 1, NULL, 10);
			return 0;
		}
	}
	return -1;
}

bool cg_file_exists(int dirfd, const char *file)
{
	return faccessat(dirfd, file, F_OK, 0) == 0;
}

struct cg_hier *cg_v1_find(struct cgroup *cg, enum cg_ctrl c)
{
	for (size_t i = 0; i < cg->n; i++)
		if (!cg->h[i].unified && (cg->h[i].ctrls & CG_BIT(c)) && cg->h[i].fd >= 0)
			return &cg->h[i];
	return NULL;
}

/* ---- what the resources need -------------------------------------------- */

unsigned cg_needed_ctrls(const struct spec_resources *res, bool rootless)
{
	unsigned m = rootless ? 0 : CG_BIT(CG_DEVICES);
	if (!res)
		return m;
	if (res->n_devices && !rootless)
		m |= CG_BIT(CG_DEVICES);
	if (res->has_memory &&
	    (res->memory.limit.set || res->memory.reservation.set || res->memory.swap.set ||
	     res->memory.kernel_tcp.set || res->memory.swappiness.set ||
	     res->memory.disable_oom_killer.set))
		m |= CG_BIT(CG_MEMORY);
	if (res->has_cpu) {
		if (res->cpu.shares.set || res->cpu.quota.set || res->cpu.period.set ||
		    res->cpu.burst.set || res->cpu.realtime_runtime.set ||
		    res->cpu.realtime_period.set || res->cpu.idle.set)
			m |= CG_BIT(CG_CPU);
		if ((res->cpu.cpus && *res->cpu.cpus) || (res->cpu.mems && *res->cpu.mems))
			m |= CG_BIT(CG_CPUSET);
	}
	if (res->has_pids && res->pids_limit.set)
		m |= CG_BIT(CG_PIDS);
	if (res->has_block_io &&
	    (res->block_io.weight.set || res->block_io.leaf_weight.set ||
	     res->block_io.n_weight_device || res->block_io.n_throttle_read_bps ||
	     res->block_io.n_throttle_write_bps || res->block_io.n_throttle_read_iops ||
	     res->block_io.n_throttle_write_iops))
		m |= CG_BIT(CG_BLKIO);
	if (res->n_hugepage_limits)
		m |= CG_BIT(CG_HUGETLB);
	if (res->n_rdma)
		m |= CG_BIT(CG_RDMA);
	return m;
}

/* v2 controllers named by the prefix of linux.resources.unified keys. */
static unsigned unified_ctrls(const struct spec_resources *res)
{
	unsigned m = 0;
	for (size_t i = 0; res && i < res->n_unified; i++) {
		const char *k = res->unified[i].key, *dot = k ? strchr(k, '.') : NULL;
		if (!dot)
			continue;
		int c = ctrl_from_name(k, dot - k);
		if (c < 0 && dot - k == 2 && strncmp(k, "io", 2) == 0)
			c = CG_BLKIO;
		if (c >= 0 && cg_ctrl_v2_name(c))
			m |= CG_BIT(c);
	}
	return m;
}

/* ---- creating ------------------------------------------------------------ */

static void hier_free(struct cg_hier *h)
{
	if (h->fd >= 0)
		close(h->fd);
	free(h->mnt);
	free(h->rel);
	free(h->path);
}

void cgroup_free(struct cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n; i++)
		hier_free(&cg->h[i]);
	free(cg->h);
	free(cg->saved);
	free(cg);
}

static void cgroup_freep(struct cgroup **cg)
{
	cgroup_free(*cg);
}
#define cleanup_cgroup __attribute__((cleanup(cgroup_freep)))

static struct cg_hier *hier_add(struct cgroup *cg, const char *mnt, const char *rel, bool unified,
				unsigned ctrls, int created)
{
	struct cg_hier *v = realloc(cg->h, (cg->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	cg->h = v;
	struct cg_hier *h = &cg->h[cg->n];
	*h = (struct cg_hier){ .unified = unified, .ctrls = ctrls, .fd = -1, .created = created };
	h->mnt = strdup(mnt);
	h->rel = strdup(rel);
	if (h->mnt && h->rel && asprintf(&h->path, "%s%s", mnt, rel) < 0)
		h->path = NULL;
	if (!h->mnt || !h->rel || !h->path) {
		hier_free(h);
		return NULL;
	}
	cg->n++;
	return h;
}

/* Re-point cg->uni after cg->h moved. */
static void fix_uni(struct cgroup *cg)
{
	cg->uni = NULL;
	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].unified)
			cg->uni = &cg->h[i];
}

/* mkdir -p h->path, counting the components we made. */
static int hier_mkdir(struct cg_hier *h)
{
	if (mkdir(h->path, 0755) == 0) {
		h->created = 1;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	/* parents missing: walk down from the mount */
	size_t ml = strlen(h->mnt);
	char *p = h->path;
	int made = 0;
	for (char *s = p + ml + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		int r = mkdir(p, 0755);
		int e = errno;
		*s = c;
		if (r == 0)
			made++;
		else if (e != EEXIST) {
			/* undo what we made on the way down, deepest first */
			cleanup_free char *q = strndup(p, s - p);
			for (int j = 0; q && j < made; j++) {
				char *sl = strrchr(q, '/');
				if (!sl)
					break;
				*sl = '\0';
				rmdir(q);
			}
			h->created = 0;
			errno = e;
			return -1;
		} else
			made = 0; /* raced with someone else: only ours below */
		if (c == '\0')
			break;
	}
	h->created = made;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Remove the sub-cgroups the container made under dir (nested cgroups). */
static void remove_children(const char *dir)
{
	cleanup_dir DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *sub = NULL;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
			continue;
		remove_children(sub);
		rmdir(sub);
	}
}

/* rmdir the leaf (retrying EBUSY until deadline) and the ancestors we made. */
static int hier_remove(struct cg_hier *h, long deadline, lw_err *err)
{
	if (h->created <= 0)
		return 0;
	remove_children(h->path);
	long delay = 1;
	while (rmdir(h->path) < 0) {
		if (errno == ENOENT)
			break;
		if (errno != EBUSY || now_ms() >= deadline)
			return lw_fail(err, errno, "removing cgroup %s", h->path);
		sleep_ms(delay);
		if (delay < 32)
			delay *= 2;
	}
	if (h->fd >= 0) {
		close(h->fd);
		h->fd = -1;
	}
	size_t ml = strlen(h->mnt);
	cleanup_free char *p = strdup(h->path);
	for (int k = 1; p && k < h->created; k++) {
		char *slash = strrchr(p, '/');
		if (!slash || (size_t)(slash - p) <= ml)
			break;
		*slash = '\0';
		/* busy: another container lives there now; it is theirs too */
		if (rmdir(p) < 0 && errno != ENOENT)
			break;
	}
	h->created = 0;
	return 0;
}

int cgroup_destroy(struct cgroup *cg, lw_err *err)
{
	long deadline = now_ms() + 1000;
	int ret = 0;
	for (size_t i = 0; i < cg->n; i++)
		if (hier_remove(&cg->h[i], deadline, ret == 0 ? err : NULL) < 0)
			ret = -1;
	return ret;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* Reusing an existing cgroup: it must hold no process and not be frozen,
 * or the container would share limits (and a freezer) with strangers. */
static int check_reusable(struct cgroup *cg, lw_err *err)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		if (h->fd < 0 || h->created > 0)
			continue;
		cleanup_free char *procs = NULL;
		if (cg_read(h->fd, "cgroup.procs", &procs, err) < 0)
			return lw_wrap(err, "cgroup %s", h->path);
		if (procs[0])
			return lw_fail(err, 0, "cgroup %s already exists and is not empty (%d processes)",
				       h->path, count_lines(procs));
		cleanup_free char *st = NULL;
		if (h->unified) {
			uint64_t frozen = 0, populated = 0;
			if (cg_read(h->fd, "cgroup.events", &st, NULL) < 0)
				continue;
			/* processes in sub-cgroups count too */
			if (cg_keyed_u64(st, "populated", &populated) == 0 && populated)
				return lw_fail(err, 0,
					       "cgroup %s already exists and is not empty "
					       "(processes in sub-cgroups)",
					       h->path);
			if (cg_keyed_u64(st, "frozen", &frozen) == 0 && frozen)
				return lw_fail(err, 0, "cgroup %s already exists and is frozen",
					       h->path);
		} else if (h->ctrls & CG_BIT(CG_FREEZER)) {
			if (cg_read(h->fd, "freezer.state", &st, NULL) == 0 &&
			    strncmp(st, "THAWED", 6) != 0)
				return lw_fail(err, 0, "cgroup %s already exists and is frozen",
					       h->path);
		}
	}
	return 0;
}

/* The saved form, one line per hierarchy after the mode line:
 *   hybrid[ rootless]
 *   <controllers|unified> <dirs we created> <path inside the hierarchy>
 * e.g. "memory 1 /process_api/x/ctr".  Mount points are found again at
 * open time; the created count tells destroy what is ours to remove. */
static int build_saved(struct cgroup *cg, lw_err *err)
{
	size_t cap = 32;
	for (size_t i = 0; i < cg->n; i++)
		cap += strlen(cg->h[i].rel) + 128;
	char *s = malloc(cap);
	if (!s)
		return lw_fail(err, ENOMEM, "cgroup state");
	size_t len = snprintf(s, cap, "%s%s\n", cgroup_mode_name(cg->mode),
			      cg->rootless ? " rootless" : "");
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		if (h->fd < 0 && h->created == 0)
			continue; /* skipped (rootless) */
		char names[128] = "";
		if (h->unified)
			strcpy(names, "unified");
		for (int c = 0; c < CG_NCTRL && !h->unified; c++)
			if (h->ctrls & CG_BIT(c)) {
				if (names[0])
					strcat(names, ",");
				strcat(names, ctrl_names[c]);
			}
		len += snprintf(s + len, cap - len, "%s %d %s\n", names, h->created, h->rel);
	}
	free(cg->saved);
	cg->saved = s;
	return 0;
}

const char *cgroup_saved(const struct cgroup *cg)
{
	return cg->saved;
}

int cgroup_clone_fd(const struct cgroup *cg)
{
	return cg->uni ? cg->uni->fd : -1;
}

static bool word_in(const char *list, const char *w)
{
	size_t wl = strlen(w);
	for (const char *p = list; (p = strstr(p, w)); p += wl)
		if ((p == list || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\n' || !p[wl]))
			return true;
	return false;
}

/* Enable the v2 controllers in `mask` in every ancestor's
 * cgroup.subtree_control, top-down; unless required_only, also cpu, io,
 * memory and pids where the host offers them (stats, OOM events), on a
 * best-effort basis. */
int cg_v2_enable(struct cg_hier *u, unsigned mask, bool required_only, lw_err *err)
{
	static const enum cg_ctrl dflt[] = { CG_CPU, CG_BLKIO, CG_MEMORY, CG_PIDS };
	cleanup_free char *have = NULL, *avail = NULL;
	char all[128] = "", req[128] = "";
	size_t al = 0, rl = 0;
	bool missing = false;

	if (cg_read(u->fd, "cgroup.controllers", &have, err) < 0)
		return lw_wrap(err, "cgroup %s", u->path);
	unsigned want = mask;
	if (!required_only)
		for (size_t i = 0; i < LW_ARRAY_SIZE(dflt); i++)
			want |= CG_BIT(dflt[i]);
	for (int c = 0; c < CG_NCTRL; c++) {
		const char *name = cg_ctrl_v2_name(c);
		if (!(want & CG_BIT(c)) || !name || c == CG_CPUACCT || word_in(have, name))
			continue;
		missing = true;
	}
	if (!missing) /* fast path: the parent was set up before */
		return 0;

	cleanup_close int rootfd = open(u->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lw_fail(err, errno, "opening %s", u->mnt);
	if (cg_read(rootfd, "cgroup.controllers", &avail, err) < 0)
		return lw_wrap(err, "cgroup %s", u->mnt);
	for (int c = 0; c < CG_NCTRL; c++) {
		const char *name = cg_ctrl_v2_name(c);
		if (!(want & CG_BIT(c)) || !name || c == CG_CPUACCT)
			continue;
		if (!word_in(avail, name)) {
			if (mask & CG_BIT(c))
				return lw_fail(err, 0,
					       "linux.resources: the cgroup v2 controller \"%s\" is "
					       "not available on this host (%s/cgroup.controllers)",
					       name, u->mnt);
			continue;
		}
		al += snprintf(all + al, sizeof(all) - al, "%s+%s", al ? " " : "", name);
		if (mask & CG_BIT(c))
			rl += snprintf(req + rl, sizeof(req) - rl, "%s+%s", rl ? " " : "", name);
	}
	if (!al)
		return 0;

	size_t ml = strlen(u->mnt);
	cleanup_free char *p = strdup(u->path);
	if (!p)
		return lw_fail(err, ENOMEM, "cgroup");
	char *leaf = strrchr(p, '/');
	for (char *s = p + ml;; s++) {
		if (*s != '/' && s != leaf)
			continue;
		*s = '\0';
		cleanup_close int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int r = fd < 0 ? lw_fail(err, errno, "opening %s", p)
			       : cg_write(fd, "cgroup.subtree_control", all, err);
		if (r < 0 && fd >= 0 && strcmp(all, req) != 0) {
			lw_debug("cgroup: enabling \"%s\" in %s failed, trying \"%s\"", all, p,
				 req);
			r = rl ? cg_write(fd, "cgroup.subtree_control", req, err) : 0;
		}
		if (r < 0) {
			lw_wrap(err, "enabling controllers \"%s\" in %s", rl ? req : all, p);
			return -1;
		}
		bool last = s == leaf;
		*s = '/';
		if (last)
			break;
	}
	return 0;
}

static int apply(struct cgroup *cg, const struct spec_resources *res, bool create, lw_err *err)
{
	bool rootless = cg->rootless;
	/* an update without device rules keeps the ones set at create */
	bool devices = !rootless && (create || (res && res->n_devices));
	unsigned need = cg_needed_ctrls(res, rootless) | unified_ctrls(res);
	if (!create && res && res->has_memory && res->memory.check_before_update.set &&
	    res->memory.check_before_update.v && res->memory.limit.set && res->memory.limit.v > 0) {
		struct cg_hier *h = cg->mode == CGROUP_MODE_V2 ? cg->uni : cg_v1_find(cg, CG_MEMORY);
		uint64_t usage = 0;
		if (h && h->fd >= 0 &&
		    cg_read_u64(h->fd, h->unified ? "memory.current" : "memory.usage_in_bytes", &usage,
				NULL) == 0 &&
		    usage > (uint64_t)res->memory.limit.v)
			return lw_fail(err, 0,
				       "linux.resources.memory.limit: %lld is below the current usage "
				       "%llu (checkBeforeUpdate)",
				       (long long)res->memory.limit.v, (unsigned long long)usage);
	}
	if (cg->mode == CGROUP_MODE_V2) {
		if (!cg->uni || cg->uni->fd < 0) {
			if ((need & ~CG_BIT(CG_DEVICES)) == 0)
				return 0;
			return lw_fail(err, EACCES,
				       "linux.resources: the cgroup is not writable (rootless "
				       "without a delegated cgroup) but limits are set");
		}
		if (cg_v2_enable(cg->uni, need & ~CG_BIT(CG_DEVICES), !create, err) < 0)
			return -1;
		return cg_v2_apply(cg, res, devices, err);
	}
	if (cg->uni && cg->uni->fd >= 0 && res &&
	    (res->n_unified || (res->n_hugepage_limits && !cg_v1_find(cg, CG_HUGETLB)))) {
		/* hybrid: unified keys, and hugetlb when only cgroup2 has it */
		unsigned m = unified_ctrls(res);
		if (res->n_hugepage_limits && !cg_v1_find(cg, CG_HUGETLB))
			m |= CG_BIT(CG_HUGETLB);
		if (m && cg_v2_enable(cg->uni, m, true, err) < 0)
			return res->n_unified ? lw_wrap(err, "linux.resources.unified (hybrid host: "
							  "only controllers of the cgroup2 tree)")
					      : -1;
	}
	return cg_v1_apply(cg, res, devices, err);
}

int cgroup_create(const char *id, const char *cgroups_path, const struct spec_resources *res,
		  bool rootless, struct cgroup **out, lw_err *err)
{
	enum cgroup_mode mode = cgroup_mode();
	if (mode == CGROUP_MODE_NONE)
		return lw_fail(err, 0, "no cgroup filesystem mounted at " CG_ROOT);
	if (discover_mounts(err) < 0 || discover_own(err) < 0)
		return -1;

	cleanup_cgroup struct cgroup *cg = calloc(1, sizeof(*cg));
	if (!cg)
		return lw_fail(err, ENOMEM, "cgroup");
	cg->mode = mode;
	cg->rootless = rootless;
	unsigned need = cg_needed_ctrls(res, rootless) | unified_ctrls(res);
	int ret = -1;

	for (size_t i = 0; i < host.n; i++) {
		const struct host_mount *m = &host.m[i];
		cleanup_free char *rel = NULL;
		if (cg_resolve_path(own_path(m), cgroups_path, id, &rel, err) < 0)
			goto fail;
		struct cg_hier *h = hier_add(cg, m->mnt, rel, m->unified, m->ctrls, 0);
		if (!h) {
			lw_fail(err, ENOMEM, "cgroup");
			goto fail;
		}
		if (hier_mkdir(h) < 0) {
			int e = errno;
			bool needed = m->unified ? (mode == CGROUP_MODE_V2 && need) : (need & m->ctrls);
			if (rootless && (e == EACCES || e == EPERM || e == EROFS) && !needed) {
				lw_debug("cgroup: skipping %s (not writable, no limits there)", h->path);
				continue;
			}
			lw_fail(err, e, "creating cgroup %s", h->path);
			goto fail;
		}
		h->fd = open(h->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (h->fd < 0) {
			lw_fail(err, errno, "opening cgroup %s", h->path);
			goto fail;
		}
		if (!m->unified && (m->ctrls & CG_BIT(CG_CPUSET)) &&
		    cg_v1_cpuset_init(h, err) < 0)
			goto fail;
	}
	fix_uni(cg);
	if (check_reusable(cg, err) < 0 || apply(cg, res, true, err) < 0 ||
	    build_saved(cg, err) < 0)
		goto fail;
	*out = take_ptr(cg);
	return 0;
fail:
	fix_uni(cg);
	cgroup_destroy(cg, NULL);
	return ret;
}

int cgroup_update(struct cgroup *cg, const struct spec_resources *res, lw_err *err)
{
	if (!res)
		return 0;
	return apply(cg, res, false, err);
}

int cgroup_open(const char *saved, struct cgroup **out, lw_err *err)
{
	if (!saved || !*saved)
		return lw_fail(err, 0, "cgroup state: empty");
	if (discover_mounts(err) < 0)
		return -1;
	cleanup_cgroup struct cgroup *cg = calloc(1, sizeof(*cg));
	cleanup_free char *copy = strdup(saved);
	if (!cg || !copy || !(cg->saved = strdup(saved)))
		return lw_fail(err, ENOMEM, "cgroup state");
	char *save = NULL, *line = strtok_r(copy, "\n", &save);
	if (!line)
		return lw_fail(err, 0, "cgroup state: empty");
	char *flag = strchr(line, ' ');
	if (flag) {
		*flag++ = '\0';
		cg->rootless = strcmp(flag, "rootless") == 0;
	}
	cg->mode = mode_from_name(line);
	if (cg->mode == CGROUP_MODE_NONE)
		return lw_fail(err, 0, "cgroup state: unknown mode \"%s\"", line);
	if (cg->mode != cgroup_mode())
		return lw_fail(err, 0, "cgroup state: saved for a %s host, this host is %s", line,
			       cgroup_mode_name(cgroup_mode()));
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		if (!sp2 || sp2[1] != '/')
			return lw_fail(err, 0, "cgroup state: bad line \"%s\"", line);
		*sp1 = '\0';
		bool unified = strcmp(line, "unified") == 0;
		unsigned ctrls = unified ? 0 : ctrl_mask(line, strlen(line), NULL);
		int created = atoi(sp1 + 1);
		const struct host_mount *m = NULL;
		for (size_t i = 0; i < host.n && !m; i++)
			if (host.m[i].unified == unified && host.m[i].ctrls == ctrls)
				m = &host.m[i];
		if (!m) {
			lw_debug("cgroup: hierarchy %s of the saved state is not mounted", line);
			continue;
		}
		struct cg_hier *h = hier_add(cg, m->mnt, sp2 + 1, unified, ctrls, created);
		if (!h)
			return lw_fail(err, ENOMEM, "cgroup state");
		h->fd = open(h->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (h->fd < 0 && errno != ENOENT)
			return lw_fail(err, errno, "opening cgroup %s", h->path);
		if (h->fd < 0)
			h->created = 0; /* already gone */
	}
	fix_uni(cg);
	*out = take_ptr(cg);
	return 0;
}

int cgroup_attach(struct cgroup *cg, pid_t pid, bool in_unified, lw_err *err)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		if (h->fd < 0 || (h->unified && in_unified))
			continue;
		if (cg_writef(h->fd, "cgroup.procs", err, "%d", (int)pid) < 0)
			return lw_wrap(err, "adding pid %d to cgroup %s", (int)pid, h->path);
	}
	return 0;
}

/* The hierarchy that lists the container's processes. */
static struct cg_hier *procs_hier(struct cgroup *cg)
{
	if (cg->uni && cg->uni->fd >= 0)
		return cg->uni;
	static const enum cg_ctrl pref[] = { CG_PIDS, CG_MEMORY, CG_FREEZER, CG_CPU };
	for (size_t i = 0; i < LW_ARRAY_SIZE(pref); i++) {
		struct cg_hier *h = cg_v1_find(cg, pref[i]);
		if (h)
			return h;
	}
	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].fd >= 0)
			return &cg->h[i];
	return NULL;
}

struct pid_vec {
	pid_t *v;
	size_t n, cap;
};

/* cgroup.procs of dirfd and of every sub-cgroup below it (a container may
 * make its own), depth bounded so a deep tree cannot exhaust the stack. */
static int collect_pids(int dirfd, const char *path, struct pid_vec *pv, int depth, lw_err *err)
{
	cleanup_free char *s = NULL;
	if (cg_read(dirfd, "cgroup.procs", &s, err) < 0)
		return lw_wrap(err, "cgroup %s", path);
	for (char *p = s; *p;) {
		char *e;
		long x = strtol(p, &e, 10);
		if (e == p)
			break;
		if (x > 0) {
			if (pv->n == pv->cap) {
				size_t cap = pv->cap ? pv->cap * 2 : 16;
				pid_t *nv = realloc(pv->v, cap * sizeof(*nv));
				if (!nv)
					return lw_fail(err, ENOMEM, "cgroup pids");
				pv->v = nv;
				pv->cap = cap;
			}
			pv->v[pv->n++] = (pid_t)x;
		}
		p = *e ? e + 1 : e;
	}
	if (depth >= 32)
		return 0;
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_dir DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		cleanup_close int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue; /* removed meanwhile */
		if (collect_pids(sub, de->d_name, pv, depth + 1, err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, lw_err *err)
{
	*pids = NULL;
	*n = 0;
	struct cg_hier *h = procs_hier(cg);
	if (!h)
		return 0;
	struct pid_vec pv = { 0 };
	if (collect_pids(h->fd, h->path, &pv, 0, err) < 0) {
		free(pv.v);
		return -1;
	}
	*pids = pv.v;
	*n = pv.n;
	return 0;
}

/* Where freezing happens: the v1 freezer hierarchy on v1/hybrid, else the
 * unified tree's core freezer. */
static struct cg_hier *freezer_hier(struct cgroup *cg)
{
	struct cg_hier *h = cg_v1_find(cg, CG_FREEZER);
	if (h)
		return h;
	return cg->uni && cg->uni->fd >= 0 ? cg->uni : NULL;
}

int cgroup_is_frozen(struct cgroup *cg)
{
	struct cg_hier *h = freezer_hier(cg);
	cleanup_free char *s = NULL;
	if (!h)
		return 0;
	if (cg_read(h->fd, h->unified ? "cgroup.freeze" : "freezer.state", &s, NULL) < 0)
		return -1;
	return h->unified ? s[0] == '1' : strncmp(s, "THAWED", 6) != 0;
}

static int freeze_wait(struct cg_hier *h, bool frozen, lw_err *err)
{
	const char *v1val = frozen ? "FROZEN" : "THAWED";
	long deadline = now_ms() + 5000, delay = 1;
	for (int iter = 0;; iter++) {
		cleanup_free char *s = NULL;
		if (h->unified) {
			uint64_t v = 0;
			if (cg_read(h->fd, "cgroup.events", &s, err) < 0)
				return -1;
			if (cg_keyed_u64(s, "frozen", &v) == 0 && (v != 0) == frozen)
				return 0;
		} else {
			if (cg_read(h->fd, "freezer.state", &s, err) < 0)
				return -1;
			if (strncmp(s, v1val, 6) == 0)
				return 0;
			/* v1 can stay FREEZING when a task races in; ask again */
			if (iter % 8 == 7 && cg_write(h->fd, "freezer.state", v1val, err) < 0)
				return -1;
		}
		if (now_ms() >= deadline)
			return lw_fail(err, ETIMEDOUT, "waiting for cgroup %s to %s", h->path,
				       frozen ? "freeze" : "thaw");
		sleep_ms(delay);
		if (delay < 16)
			delay *= 2;
	}
}

int cgroup_freeze(struct cgroup *cg, bool frozen, lw_err *err)
{
	struct cg_hier *h = freezer_hier(cg);
	if (!h)
		return lw_fail(err, ENOTSUP, "cgroup: no freezer available");
	const char *file = h->unified ? "cgroup.freeze" : "freezer.state";
	const char *val = h->unified ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
	if (cg_write(h->fd, file, val, err) < 0 || freeze_wait(h, frozen, err) < 0) {
		if (frozen) /* do not leave it half frozen */
			cg_write(h->fd, file, h->unified ? "0" : "THAWED", NULL);
		return lw_wrap(err, "cgroup %s", h->path);
	}
	return 0;
}

int cgroup_kill_all(struct cgroup *cg, int sig, lw_err *err)
{
	if (sig == SIGKILL && cg->uni && cg->uni->fd >= 0 &&
	    cg_file_exists(cg->uni->fd, "cgroup.kill")) {
		if (cg_write(cg->uni->fd, "cgroup.kill", "1", err) < 0)
			return lw_wrap(err, "cgroup %s", cg->uni->path);
		return 0;
	}
	/* Freeze so no process forks a child we would miss (as runc). */
	int was = cgroup_is_frozen(cg);
	bool froze = was == 0 && cgroup_freeze(cg, true, NULL) == 0;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	int ret = cgroup_pids(cg, &pids, &n, err);
	for (size_t i = 0; ret == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			ret = lw_fail(err, errno, "sending signal %d to pid %d", sig, (int)pids[i]);
	/* a frozen v1 task cannot die until thawed */
	if (froze || (was == 1 && sig == SIGKILL))
		cgroup_freeze(cg, false, NULL);
	return ret;
}
