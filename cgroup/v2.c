/* linux.resources -> cgroup v2 files (Documentation/admin-guide/cgroup-v2.rst),
 * with runc's conversions where the OCI fields are v1-shaped.  Only fields
 * that are set are written; 0 means "unset" where runc treats it so. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by the Makefile */
#endif
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/cleanup.h"
#include "../runtime/log.h"
#include "internal.h"

#define FIELD(expr, name)                                                                          \
	do {                                                                                       \
		if ((expr) < 0)                                                                    \
			return lw_wrap(err, "linux.resources." name);                              \
	} while (0)

/* cpu.shares -> cpu.weight as runc (opencontainers/cgroups since runc PR
 * #4785) and crun do now: a quadratic in log2(shares) through (2, 1),
 * (1024, 100) and (262144, 10000), so the v1 default maps to the v2
 * default.  Computed here without libm; the unit test checks it against
 * the reference values. */
#define LW_LN2 0.693147180559945309417232121458176568
#define LW_LN10 2.302585092994045684017991454684364208

/* ln(x) for x in [1, 2): 2 atanh((x-1)/(x+1)), a fast series there */
static double ln_1_2(double x)
{
	double y = (x - 1) / (x + 1), y2 = y * y, term = y, sum = 0;
	for (int k = 1; k < 80; k += 2) {
		sum += term / k;
		term *= y2;
	}
	return 2 * sum;
}

static double log2_u64(uint64_t v)
{
	int k = 63 - __builtin_clzll(v);
	double m = (double)v / (double)(1ull << k); /* [1, 2) */
	return m == 1.0 ? (double)k : k + ln_1_2(m) / LW_LN2;
}

/* 10^e for 0 <= e <= 4; exact at integers */
static double pow10_small(double e)
{
	double r = 1;
	if (e == (double)(int)e) {
		for (int i = 0; i < (int)e; i++)
			r *= 10;
		return r;
	}
	double x = e * LW_LN10;
	int k = (int)(x / LW_LN2 + 0.5);
	double f = x - k * LW_LN2, term = 1;
	for (int i = 1; i < 30; i++) {
		term *= f / i;
		r += term;
	}
	return r * (double)(1ull << k);
}

uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	double l = log2_u64(shares);
	double w = pow10_small((l * l + 125 * l) / 612.0 - 7.0 / 34.0);
	uint64_t c = (uint64_t)w;
	return (double)c < w ? c + 1 : c;
}

uint64_t cg_blkio_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + (weight - 10) * 9999 / 990;
}

/* OCI memory.swap is memory+swap (v1 memsw); v2 memory.swap.max is swap
 * alone.  As runc: unlimited memory with unset swap -> swap max too. */
int cg_v2_swap_value(const struct spec_resources *res, char *buf, size_t len, lw_err *err)
{
	int64_t mem = res->memory.limit.set ? res->memory.limit.v : 0;
	int64_t swap = res->memory.swap.set ? res->memory.swap.v : 0;
	buf[0] = '\0';
	if (mem == -1 && swap == 0) {
		snprintf(buf, len, "max");
		return 0;
	}
	if (swap == -1) {
		snprintf(buf, len, "max");
		return 0;
	}
	if (swap == 0)
		return 0;
	if (swap < 0)
		return lw_fail(err, 0, "linux.resources.memory.swap: invalid value %" PRId64, swap);
	if (mem == 0 || mem == -1)
		return lw_fail(err, 0,
			       "linux.resources.memory.swap: cannot set a swap limit without a "
			       "memory limit");
	if (mem < 0)
		return lw_fail(err, 0, "linux.resources.memory.limit: invalid value %" PRId64, mem);
	if (swap < mem)
		return lw_fail(err, 0,
			       "linux.resources.memory.swap: memory+swap limit (%" PRId64
			       ") must be >= memory limit (%" PRId64 ")",
			       swap, mem);
	snprintf(buf, len, "%" PRId64, swap - mem);
	return 0;
}

/* 0 = leave alone, -1 = "max", > 0 = the number; other negatives invalid. */
static int limit_str(int64_t v, char *buf, size_t len)
{
	if (v == 0)
		return 0;
	if (v == -1)
		snprintf(buf, len, "max");
	else if (v < 0)
		return -1;
	else
		snprintf(buf, len, "%" PRId64, v);
	return 1;
}

static int v2_memory(int fd, const struct spec_resources *res, lw_err *err)
{
	char buf[32];
	if (res->memory.swap.set || (res->memory.limit.set && res->memory.limit.v == -1)) {
		if (cg_v2_swap_value(res, buf, sizeof(buf), err) < 0)
			return -1;
		if (buf[0] && cg_write(fd, "memory.swap.max", buf, err) < 0) {
			/* no swap accounting: "unlimited" and "none" are what we have */
			if (!((*err)->errno_ == ENOENT &&
			      (strcmp(buf, "max") == 0 || strcmp(buf, "0") == 0)))
				return lw_wrap(err, "linux.resources.memory.swap");
			lw_err_free(err);
		}
	}
	if (res->memory.limit.set) {
		int r = limit_str(res->memory.limit.v, buf, sizeof(buf));
		if (r < 0)
			return lw_fail(err, 0, "linux.resources.memory.limit: invalid value %" PRId64,
				       res->memory.limit.v);
		if (r > 0)
			FIELD(cg_write(fd, "memory.max", buf, err), "memory.limit");
	}
	if (res->memory.reservation.set) {
		int r = limit_str(res->memory.reservation.v, buf, sizeof(buf));
		if (r < 0)
			return lw_fail(err, 0,
				       "linux.resources.memory.reservation: invalid value %" PRId64,
				       res->memory.reservation.v);
		if (r > 0)
			FIELD(cg_write(fd, "memory.low", buf, err), "memory.reservation");
	}
	if (res->memory.swappiness.set)
		lw_debug("cgroup v2 has no memory swappiness; ignoring linux.resources.memory.swappiness");
	if (res->memory.disable_oom_killer.set && res->memory.disable_oom_killer.v)
		lw_debug("cgroup v2 cannot disable the OOM killer; ignoring "
			 "linux.resources.memory.disableOOMKiller");
	if (res->memory.kernel.set || res->memory.kernel_tcp.set)
		lw_debug("cgroup v2 has no kernel memory limits; ignoring "
			 "linux.resources.memory.kernel/kernelTCP");
	return 0;
}

static int v2_cpu(int fd, const struct spec_resources *res, lw_err *err)
{
	if (res->cpu.realtime_runtime.set && res->cpu.realtime_runtime.v != 0)
		return lw_fail(err, 0, "linux.resources.cpu.realtimeRuntime: not supported on cgroup v2");
	if (res->cpu.realtime_period.set && res->cpu.realtime_period.v != 0)
		return lw_fail(err, 0, "linux.resources.cpu.realtimePeriod: not supported on cgroup v2");
	if (res->cpu.idle.set)
		FIELD(cg_writef(fd, "cpu.idle", err, "%" PRId64, res->cpu.idle.v), "cpu.idle");
	if (res->cpu.shares.set && res->cpu.shares.v)
		FIELD(cg_writef(fd, "cpu.weight", err, "%" PRIu64,
				cg_shares_to_weight(res->cpu.shares.v)),
		      "cpu.shares");
	bool quota = res->cpu.quota.set && res->cpu.quota.v != 0;
	bool period = res->cpu.period.set && res->cpu.period.v != 0;
	if (quota || period) {
		char buf[64], q[24] = "max";
		if (quota && res->cpu.quota.v > 0) {
			snprintf(q, sizeof(q), "%" PRId64, res->cpu.quota.v);
		} else if (!quota) {
			/* period alone (update): keep the quota in place */
			cleanup_free char *cur = NULL;
			if (cg_read(fd, "cpu.max", &cur, NULL) == 0)
				snprintf(q, sizeof(q), "%.*s", (int)strcspn(cur, " \n"), cur);
		}
		if (period)
			snprintf(buf, sizeof(buf), "%s %" PRIu64, q, res->cpu.period.v);
		else
			snprintf(buf, sizeof(buf), "%s", q);
		if (cg_write(fd, "cpu.max", buf, err) < 0)
			return lw_wrap(err, "linux.resources.cpu.%s", quota ? "quota" : "period");
	}
	if (res->cpu.burst.set)
		FIELD(cg_writef(fd, "cpu.max.burst", err, "%" PRIu64, res->cpu.burst.v), "cpu.burst");
	if (res->cpu.cpus && *res->cpu.cpus)
		FIELD(cg_write(fd, "cpuset.cpus", res->cpu.cpus, err), "cpu.cpus");
	if (res->cpu.mems && *res->cpu.mems)
		FIELD(cg_write(fd, "cpuset.mems", res->cpu.mems, err), "cpu.mems");
	return 0;
}

struct io_dev {
	int64_t major, minor;
	uint64_t v[4]; /* rbps wbps riops wiops; 0 = not given */
	bool set[4];
};

int cg_io_max_lines(const struct spec_resources *res, char ***lines, size_t *n, lw_err *err)
{
	static const char *const keys[4] = { "rbps", "wbps", "riops", "wiops" };
	const struct spec_throttle_device *lists[4] = {
		res->block_io.throttle_read_bps, res->block_io.throttle_write_bps,
		res->block_io.throttle_read_iops, res->block_io.throttle_write_iops
	};
	size_t counts[4] = { res->block_io.n_throttle_read_bps, res->block_io.n_throttle_write_bps,
			     res->block_io.n_throttle_read_iops,
			     res->block_io.n_throttle_write_iops };
	size_t total = counts[0] + counts[1] + counts[2] + counts[3], nd = 0;
	cleanup_free struct io_dev *devs = calloc(total + 1, sizeof(*devs));
	if (!devs)
		return lw_fail(err, ENOMEM, "io.max");
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < counts[k]; i++) {
			const struct spec_throttle_device *t = &lists[k][i];
			size_t d;
			for (d = 0; d < nd; d++)
				if (devs[d].major == t->major && devs[d].minor == t->minor)
					break;
			if (d == nd) {
				devs[nd].major = t->major;
				devs[nd].minor = t->minor;
				nd++;
			}
			devs[d].v[k] = t->rate;
			devs[d].set[k] = true;
		}
	char **v = calloc(nd + 1, sizeof(*v));
	if (!v)
		return lw_fail(err, ENOMEM, "io.max");
	for (size_t d = 0; d < nd; d++) {
		char buf[256];
		size_t len = snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64, devs[d].major,
				      devs[d].minor);
		for (int k = 0; k < 4; k++) {
			if (!devs[d].set[k])
				continue;
			/* v1 semantics: rate 0 removes the limit */
			if (devs[d].v[k] == 0)
				len += snprintf(buf + len, sizeof(buf) - len, " %s=max", keys[k]);
			else
				len += snprintf(buf + len, sizeof(buf) - len, " %s=%" PRIu64, keys[k],
						devs[d].v[k]);
		}
		if (!(v[d] = strdup(buf))) {
			char **tmp = v;
			lw_strvfreep(&tmp);
			return lw_fail(err, ENOMEM, "io.max");
		}
	}
	*lines = v;
	*n = nd;
	return 0;
}

static int v2_io(int fd, const struct spec_resources *res, lw_err *err)
{
	bool bfq = cg_file_exists(fd, "io.bfq.weight");
	if (res->block_io.weight.set && res->block_io.weight.v) {
		if (bfq)
			FIELD(cg_writef(fd, "io.bfq.weight", err, "%" PRIu64, res->block_io.weight.v),
			      "blockIO.weight");
		else
			FIELD(cg_writef(fd, "io.weight", err, "%" PRIu64,
					cg_blkio_to_io_weight(res->block_io.weight.v)),
			      "blockIO.weight");
	}
	if (res->block_io.leaf_weight.set)
		lw_debug("cgroup v2 has no leaf weight; ignoring linux.resources.blockIO.leafWeight");
	for (size_t i = 0; i < res->block_io.n_weight_device; i++) {
		const struct spec_weight_device *w = &res->block_io.weight_device[i];
		if (!w->weight.set)
			continue;
		uint64_t val = bfq ? w->weight.v : cg_blkio_to_io_weight(w->weight.v);
		if (cg_writef(fd, bfq ? "io.bfq.weight" : "io.weight", err,
			      "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor, val) < 0)
			return lw_wrap(err, "linux.resources.blockIO.weightDevice[%zu]", i);
	}
	cleanup_strv char **lines = NULL;
	size_t n = 0;
	if (cg_io_max_lines(res, &lines, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		FIELD(cg_write(fd, "io.max", lines[i], err), "blockIO.throttle*");
	return 0;
}

int cg_v2_hugetlb(int fd, const struct spec_resources *res, lw_err *err)
{
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *l = &res->hugepage_limits[i];
		char file[96];
		if (!l->page_size || strchr(l->page_size, '/') ||
		    snprintf(file, sizeof(file), "hugetlb.%s.max", l->page_size) >= (int)sizeof(file))
			return lw_fail(err, 0, "linux.resources.hugepageLimits[%zu].pageSize: invalid",
				       i);
		if (cg_writef(fd, file, err, "%" PRIu64, l->limit) < 0)
			return lw_wrap(err, "linux.resources.hugepageLimits[%zu]", i);
		snprintf(file, sizeof(file), "hugetlb.%s.rsvd.max", l->page_size);
		if (cg_file_exists(fd, file) && cg_writef(fd, file, err, "%" PRIu64, l->limit) < 0)
			return lw_wrap(err, "linux.resources.hugepageLimits[%zu]", i);
	}
	return 0;
}

static int v2_rdma(int fd, const struct spec_resources *res, lw_err *err)
{
	for (size_t i = 0; i < res->n_rdma; i++) {
		const struct spec_rdma *r = &res->rdma[i];
		char h[24] = "max", o[24] = "max";
		if (r->hca_handles.set)
			snprintf(h, sizeof(h), "%" PRIu64, r->hca_handles.v);
		if (r->hca_objects.set)
			snprintf(o, sizeof(o), "%" PRIu64, r->hca_objects.v);
		if (cg_writef(fd, "rdma.max", err, "%s hca_handle=%s hca_object=%s", r->device, h,
			      o) < 0)
			return lw_wrap(err, "linux.resources.rdma[\"%s\"]", r->device);
	}
	return 0;
}

int cg_v2_unified(int fd, const struct spec_resources *res, lw_err *err)
{
	for (size_t i = 0; i < res->n_unified; i++) {
		const char *k = res->unified[i].key;
		/* a key is a file name in the container's cgroup, nothing else:
		 * "../x" or "a/b" would write outside it */
		if (!k || !*k || k[0] == '.' || strchr(k, '/'))
			return lw_fail(err, 0, "linux.resources.unified: invalid key \"%s\"",
				       k ? k : "");
		if (cg_write(fd, k, res->unified[i].value ? res->unified[i].value : "", err) < 0) {
			if ((*err)->errno_ == ENOENT)
				return lw_fail(err, 0,
					       "linux.resources.unified: unknown key \"%s\" (no such "
					       "cgroup file)",
					       k);
			return lw_wrap(err, "linux.resources.unified[\"%s\"]", k);
		}
	}
	return 0;
}

int cg_v2_apply(struct cgroup *cg, const struct spec_resources *res, bool devices, lw_err *err)
{
	int fd = cg->uni->fd;
	if (devices && cg_devices_v2_apply(fd, res, err) < 0)
		return -1;
	if (!res)
		return 0;
	if (res->has_memory && v2_memory(fd, res, err) < 0)
		return -1;
	if (res->has_cpu && v2_cpu(fd, res, err) < 0)
		return -1;
	if (res->has_pids && res->pids_limit.set) {
		if (res->pids_limit.v > 0)
			FIELD(cg_writef(fd, "pids.max", err, "%" PRId64, res->pids_limit.v),
			      "pids.limit");
		else
			FIELD(cg_write(fd, "pids.max", "max", err), "pids.limit");
	}
	if (res->has_block_io && v2_io(fd, res, err) < 0)
		return -1;
	if (cg_v2_hugetlb(fd, res, err) < 0 || v2_rdma(fd, res, err) < 0)
		return -1;
	if (res->has_network &&
	    (res->network.class_id.set || res->network.n_priorities))
		lw_debug("cgroup v2 has no net_cls/net_prio; ignoring linux.resources.network");
	return cg_v2_unified(fd, res, err);
}
