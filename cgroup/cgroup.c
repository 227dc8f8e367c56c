/* The cgroup manager's core: the container's cgroup in each hierarchy and
 * its lifecycle (create, open, attach, destroy).  host.c knows the host's
 * cgroup filesystems, v2.c / v1.c write resources, control.c acts on the
 * processes of a live cgroup (pids, freeze, kill).
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
unsigned cg_ctrl_mask(const char *list, size_t len, bool *named)
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

void cg_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

long cg_now_ms(void)
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
	long delay = 1;
	bool swept = false;
	while (rmdir(h->path) < 0) {
		if (errno == ENOENT)
			break;
		/* busy: sub-cgroups the container made (swept once, only then:
		 * listing a cgroup directory costs more than the rmdir) or
		 * tasks still exiting (retried) */
		if (errno == EBUSY && !swept) {
			remove_children(h->path);
			swept = true;
			continue;
		}
		if (errno != EBUSY || cg_now_ms() >= deadline)
			return lw_fail(err, errno, "removing cgroup %s", h->path);
		cg_sleep_ms(delay);
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
	long deadline = cg_now_ms() + 1000;
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
	if (cg_host_discover(true, err) < 0)
		return -1;
	size_t n_mounts;
	const struct cg_host_mount *mounts = cg_host_mounts(&n_mounts);

	cleanup_cgroup struct cgroup *cg = calloc(1, sizeof(*cg));
	if (!cg)
		return lw_fail(err, ENOMEM, "cgroup");
	cg->mode = mode;
	cg->rootless = rootless;
	unsigned need = cg_needed_ctrls(res, rootless) | unified_ctrls(res);
	int ret = -1;

	for (size_t i = 0; i < n_mounts; i++) {
		const struct cg_host_mount *m = &mounts[i];
		cleanup_free char *rel = NULL;
		if (cg_resolve_path(cg_host_own_path(m), cgroups_path, id, &rel, err) < 0)
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
	if (cg_host_discover(false, err) < 0)
		return -1;
	size_t n_mounts;
	const struct cg_host_mount *mounts = cg_host_mounts(&n_mounts);
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
	cg->mode = cg_mode_from_name(line);
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
		unsigned ctrls = unified ? 0 : cg_ctrl_mask(line, strlen(line), NULL);
		int created = atoi(sp1 + 1);
		const struct cg_host_mount *m = NULL;
		for (size_t i = 0; i < n_mounts && !m; i++)
			if (mounts[i].unified == unified && mounts[i].ctrls == ctrls)
				m = &mounts[i];
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

int cgroup_attach(struct cgroup *cg, pid_t pid, unsigned done, lw_err *err)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		if (h->fd < 0 || (done & (h->unified ? CGROUP_DONE_UNIFIED : CGROUP_DONE_V1)))
			continue;
		if (cg_writef(h->fd, "cgroup.procs", err, "%d", (int)pid) < 0)
			return lw_wrap(err, "adding pid %d to cgroup %s", (int)pid, h->path);
	}
	return 0;
}

bool cgroup_has_v1(const struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].fd >= 0 && !cg->h[i].unified)
			return true;
	return false;
}

int cgroup_enter_thread(struct cgroup *cg, lw_err *err)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		if (h->fd < 0 || h->unified)
			continue;
		if (cg_writef(h->fd, "tasks", err, "0") < 0)
			return lw_wrap(err, "moving a thread into cgroup %s", h->path);
	}
	return 0;
}
