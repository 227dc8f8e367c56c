/* linux.resources -> cgroup v1 files (Documentation/admin-guide/cgroup-v1/),
 * used on v1 and hybrid hosts.  Plain file writes: libcgroup would add a
 * mount scan and an API layer for what is a write(2) per field. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by the Makefile */
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../runtime/cleanup.h"
#include "../runtime/log.h"
#include "internal.h"

#define FIELD(expr, name)                                                                          \
	do {                                                                                       \
		if ((expr) < 0)                                                                    \
			return lw_wrap(err, "linux.resources." name);                              \
	} while (0)

static const char *ctrl_field(enum cg_ctrl c)
{
	switch (c) {
	case CG_CPU:
		return "cpu";
	case CG_CPUSET:
		return "cpu.cpus/mems";
	case CG_MEMORY:
		return "memory";
	case CG_PIDS:
		return "pids";
	case CG_BLKIO:
		return "blockIO";
	case CG_HUGETLB:
		return "hugepageLimits";
	case CG_RDMA:
		return "rdma";
	case CG_DEVICES:
		return "devices";
	default:
		return cg_ctrl_name(c);
	}
}

int cg_v1_cpuset_init(struct cg_hier *h, lw_err *err)
{
	/* A v1 cpuset starts with empty cpus/mems and refuses tasks until they
	 * are set.  Fill every empty level from the hierarchy's root down, not
	 * only what we created: a parent made by someone else (or by a
	 * concurrent create that has not filled it yet) may be empty too. */
	size_t mlen = strlen(h->mnt);
	cleanup_free char *dir = strdup(h->path);
	if (!dir)
		return lw_fail(err, ENOMEM, "cpuset");
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	for (char *p = dir + mlen + 1; p && *p;) {
		char *slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		/* dir is now one level deeper than its parent */
		char *last = strrchr(dir, '/');
		*last = '\0';
		cleanup_close int pfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		*last = '/';
		cleanup_close int cfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0 || cfd < 0)
			return lw_fail(err, errno, "cpuset: opening %s", dir);
		for (size_t i = 0; i < LW_ARRAY_SIZE(files); i++) {
			cleanup_free char *cur = NULL, *par = NULL;
			if (cg_read(cfd, files[i], &cur, err) < 0)
				return lw_wrap(err, "cgroup %s", dir);
			if (cur[0] && cur[0] != '\n')
				continue;
			if (cg_read(pfd, files[i], &par, err) < 0)
				return lw_wrap(err, "cgroup %s", dir);
			/* EBUSY/EINVAL races with a concurrent filler are fine if the
			 * file is no longer empty */
			if (cg_write(cfd, files[i], par, err) < 0) {
				cleanup_free char *again = NULL;
				lw_err e2 = NULL;
				if (cg_read(cfd, files[i], &again, &e2) == 0 && again[0] &&
				    again[0] != '\n') {
					lw_err_free(err);
					continue;
				}
				lw_err_free(&e2);
				return lw_wrap(err, "cgroup %s", dir);
			}
		}
		if (!slash)
			break;
		*slash = '/';
		p = slash + 1;
	}
	return 0;
}

static int v1_memory(int fd, const struct spec_resources *res, lw_err *err)
{
	int64_t mem = res->memory.limit.set ? res->memory.limit.v : 0;
	int64_t swap = res->memory.swap.set ? res->memory.swap.v : 0;
	char m[24], s[24];

	if ((mem < 0 && mem != -1) || (swap < 0 && swap != -1))
		return lw_fail(err, 0, "linux.resources.memory.%s: invalid value %" PRId64,
			       mem < -1 ? "limit" : "swap", mem < -1 ? mem : swap);
	/* unlimited memory with swap unset: unlimited memory+swap too (runc) */
	if (mem == -1 && swap == 0 && cg_file_exists(fd, "memory.memsw.limit_in_bytes"))
		swap = -1;
	if (mem > 0 && swap > 0 && swap < mem)
		return lw_fail(err, 0,
			       "linux.resources.memory.swap: memory+swap limit (%" PRId64
			       ") must be >= memory limit (%" PRId64 ")",
			       swap, mem);
	snprintf(m, sizeof(m), "%" PRId64, mem);
	snprintf(s, sizeof(s), "%" PRId64, swap);
	if (mem != 0 && swap != 0) {
		/* the kernel wants memory <= memsw at every step: order the writes */
		uint64_t cur = 0;
		cg_read_u64(fd, "memory.limit_in_bytes", &cur, NULL);
		if (swap == -1 || cur < (uint64_t)swap) {
			FIELD(cg_write(fd, "memory.memsw.limit_in_bytes", s, err), "memory.swap");
			FIELD(cg_write(fd, "memory.limit_in_bytes", m, err), "memory.limit");
		} else {
			FIELD(cg_write(fd, "memory.limit_in_bytes", m, err), "memory.limit");
			FIELD(cg_write(fd, "memory.memsw.limit_in_bytes", s, err), "memory.swap");
		}
	} else if (mem != 0) {
		FIELD(cg_write(fd, "memory.limit_in_bytes", m, err), "memory.limit");
	} else if (swap != 0) {
		FIELD(cg_write(fd, "memory.memsw.limit_in_bytes", s, err), "memory.swap");
	}
	if (res->memory.reservation.set && res->memory.reservation.v != 0)
		FIELD(cg_writef(fd, "memory.soft_limit_in_bytes", err, "%" PRId64,
				res->memory.reservation.v),
		      "memory.reservation");
	if (res->memory.kernel.set)
		lw_debug("kernel memory limits are gone from Linux; ignoring "
			 "linux.resources.memory.kernel");
	if (res->memory.kernel_tcp.set && res->memory.kernel_tcp.v != 0)
		FIELD(cg_writef(fd, "memory.kmem.tcp.limit_in_bytes", err, "%" PRId64,
				res->memory.kernel_tcp.v),
		      "memory.kernelTCP");
	if (res->memory.swappiness.set) {
		if (res->memory.swappiness.v > 100)
			return lw_fail(err, 0,
				       "linux.resources.memory.swappiness: %" PRIu64
				       " is out of range (0-100)",
				       res->memory.swappiness.v);
		FIELD(cg_writef(fd, "memory.swappiness", err, "%" PRIu64, res->memory.swappiness.v),
		      "memory.swappiness");
	}
	if (res->memory.disable_oom_killer.set)
		FIELD(cg_write(fd, "memory.oom_control", res->memory.disable_oom_killer.v ? "1" : "0",
			       err),
		      "memory.disableOOMKiller");
	return 0;
}

static int v1_cpu(int fd, const struct spec_resources *res, lw_err *err)
{
	if (res->cpu.shares.set && res->cpu.shares.v)
		FIELD(cg_writef(fd, "cpu.shares", err, "%" PRIu64, res->cpu.shares.v), "cpu.shares");
	bool period = res->cpu.period.set && res->cpu.period.v;
	bool quota = res->cpu.quota.set && res->cpu.quota.v;
	if (period && cg_writef(fd, "cpu.cfs_period_us", err, "%" PRIu64, res->cpu.period.v) < 0) {
		/* a shorter period may be refused under the current quota:
		 * quota first, then period */
		if (!quota || (*err)->errno_ != EINVAL)
			return lw_wrap(err, "linux.resources.cpu.period");
		lw_err_free(err);
		FIELD(cg_writef(fd, "cpu.cfs_quota_us", err, "%" PRId64, res->cpu.quota.v),
		      "cpu.quota");
		FIELD(cg_writef(fd, "cpu.cfs_period_us", err, "%" PRIu64, res->cpu.period.v),
		      "cpu.period");
		quota = false;
	}
	if (quota)
		FIELD(cg_writef(fd, "cpu.cfs_quota_us", err, "%" PRId64, res->cpu.quota.v),
		      "cpu.quota");
	if (res->cpu.burst.set)
		FIELD(cg_writef(fd, "cpu.cfs_burst_us", err, "%" PRIu64, res->cpu.burst.v),
		      "cpu.burst");
	if (res->cpu.realtime_period.set && res->cpu.realtime_period.v)
		FIELD(cg_writef(fd, "cpu.rt_period_us", err, "%" PRIu64, res->cpu.realtime_period.v),
		      "cpu.realtimePeriod");
	if (res->cpu.realtime_runtime.set && res->cpu.realtime_runtime.v)
		FIELD(cg_writef(fd, "cpu.rt_runtime_us", err, "%" PRId64,
				res->cpu.realtime_runtime.v),
		      "cpu.realtimeRuntime");
	if (res->cpu.idle.set)
		FIELD(cg_writef(fd, "cpu.idle", err, "%" PRId64, res->cpu.idle.v), "cpu.idle");
	return 0;
}

static int throttle(int fd, const char *file, const struct spec_throttle_device *t, size_t n,
		    const char *field, lw_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (cg_writef(fd, file, err, "%" PRId64 ":%" PRId64 " %" PRIu64, t[i].major,
			      t[i].minor, t[i].rate) < 0)
			return lw_wrap(err, "linux.resources.blockIO.%s[%zu]", field, i);
	return 0;
}

static int v1_blkio(int fd, const struct spec_resources *res, lw_err *err)
{
	/* CFQ is gone from modern kernels; BFQ has its own files */
	bool cfq = cg_file_exists(fd, "blkio.weight");
	const char *wfile = cfq ? "blkio.weight" : "blkio.bfq.weight";
	const char *wdfile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";

	if (res->block_io.weight.set && res->block_io.weight.v)
		FIELD(cg_writef(fd, wfile, err, "%" PRIu64, res->block_io.weight.v),
		      "blockIO.weight");
	if (res->block_io.leaf_weight.set && res->block_io.leaf_weight.v)
		FIELD(cg_writef(fd, "blkio.leaf_weight", err, "%" PRIu64,
				res->block_io.leaf_weight.v),
		      "blockIO.leafWeight");
	for (size_t i = 0; i < res->block_io.n_weight_device; i++) {
		const struct spec_weight_device *w = &res->block_io.weight_device[i];
		if (w->weight.set && cg_writef(fd, wdfile, err, "%" PRId64 ":%" PRId64 " %" PRIu64,
					       w->major, w->minor, w->weight.v) < 0)
			return lw_wrap(err, "linux.resources.blockIO.weightDevice[%zu].weight", i);
		if (w->leaf_weight.set &&
		    cg_writef(fd, "blkio.leaf_weight_device", err, "%" PRId64 ":%" PRId64 " %" PRIu64,
			      w->major, w->minor, w->leaf_weight.v) < 0)
			return lw_wrap(err, "linux.resources.blockIO.weightDevice[%zu].leafWeight", i);
	}
	if (throttle(fd, "blkio.throttle.read_bps_device", res->block_io.throttle_read_bps,
		     res->block_io.n_throttle_read_bps, "throttleReadBpsDevice", err) < 0 ||
	    throttle(fd, "blkio.throttle.write_bps_device", res->block_io.throttle_write_bps,
		     res->block_io.n_throttle_write_bps, "throttleWriteBpsDevice", err) < 0 ||
	    throttle(fd, "blkio.throttle.read_iops_device", res->block_io.throttle_read_iops,
		     res->block_io.n_throttle_read_iops, "throttleReadIOPSDevice", err) < 0 ||
	    throttle(fd, "blkio.throttle.write_iops_device", res->block_io.throttle_write_iops,
		     res->block_io.n_throttle_write_iops, "throttleWriteIOPSDevice", err) < 0)
		return -1;
	return 0;
}

static int v1_hugetlb(int fd, const struct spec_resources *res, lw_err *err)
{
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *l = &res->hugepage_limits[i];
		char file[96];
		if (!l->page_size || strchr(l->page_size, '/') ||
		    snprintf(file, sizeof(file), "hugetlb.%s.limit_in_bytes", l->page_size) >=
			    (int)sizeof(file))
			return lw_fail(err, 0, "linux.resources.hugepageLimits[%zu].pageSize: invalid",
				       i);
		if (cg_writef(fd, file, err, "%" PRIu64, l->limit) < 0)
			return lw_wrap(err, "linux.resources.hugepageLimits[%zu]", i);
	}
	return 0;
}

static int v1_network(struct cgroup *cg, const struct spec_resources *res, lw_err *err)
{
	struct cg_hier *cls = cg_v1_find(cg, CG_NET_CLS), *prio = cg_v1_find(cg, CG_NET_PRIO);
	if (res->network.class_id.set) {
		if (cls)
			FIELD(cg_writef(cls->fd, "net_cls.classid", err, "%" PRIu64,
					res->network.class_id.v),
			      "network.classID");
		else
			lw_debug("no net_cls cgroup; ignoring linux.resources.network.classID");
	}
	for (size_t i = 0; i < res->network.n_priorities; i++) {
		const struct spec_net_priority *p = &res->network.priorities[i];
		if (!prio) {
			lw_debug("no net_prio cgroup; ignoring linux.resources.network.priorities");
			break;
		}
		if (cg_writef(prio->fd, "net_prio.ifpriomap", err, "%s %u", p->name, p->priority) < 0)
			return lw_wrap(err, "linux.resources.network.priorities[%zu]", i);
	}
	return 0;
}

static int v1_rdma(int fd, const struct spec_resources *res, lw_err *err)
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

int cg_v1_apply(struct cgroup *cg, const struct spec_resources *res, bool devices, lw_err *err)
{
	bool rootless = cg->rootless;
	unsigned need = cg_needed_ctrls(res, rootless);
	if (!devices)
		need &= ~CG_BIT(CG_DEVICES);
	bool uni = cg->uni && cg->uni->fd >= 0;

	for (int c = 0; c < CG_NCTRL; c++) {
		if (!(need & CG_BIT(c)) || cg_v1_find(cg, c))
			continue;
		/* cgroup2 can stand in for these on hybrid hosts */
		if ((c == CG_HUGETLB || c == CG_DEVICES) && uni)
			continue;
		return lw_fail(err, 0,
			       "linux.resources.%s: the cgroup v1 controller \"%s\" is not "
			       "mounted%s",
			       ctrl_field(c), cg_ctrl_name(c), rootless ? " or not writable" : "");
	}

	struct cg_hier *h;
	if (need & CG_BIT(CG_DEVICES)) {
		if ((h = cg_v1_find(cg, CG_DEVICES))) {
			if (cg_devices_v1_apply(h->fd, res, err) < 0)
				return -1;
		} else if (cg_devices_v2_apply(cg->uni->fd, res, err) < 0) {
			return -1;
		}
	}
	if (!res)
		return 0;
	if ((need & CG_BIT(CG_MEMORY)) && v1_memory(cg_v1_find(cg, CG_MEMORY)->fd, res, err) < 0)
		return -1;
	if ((need & CG_BIT(CG_CPU)) && v1_cpu(cg_v1_find(cg, CG_CPU)->fd, res, err) < 0)
		return -1;
	if ((h = cg_v1_find(cg, CG_CPUSET)) && res->has_cpu) {
		if (res->cpu.cpus && *res->cpu.cpus)
			FIELD(cg_write(h->fd, "cpuset.cpus", res->cpu.cpus, err), "cpu.cpus");
		if (res->cpu.mems && *res->cpu.mems)
			FIELD(cg_write(h->fd, "cpuset.mems", res->cpu.mems, err), "cpu.mems");
	}
	if (need & CG_BIT(CG_PIDS)) {
		h = cg_v1_find(cg, CG_PIDS);
		if (res->pids_limit.v > 0)
			FIELD(cg_writef(h->fd, "pids.max", err, "%" PRId64, res->pids_limit.v),
			      "pids.limit");
		else
			FIELD(cg_write(h->fd, "pids.max", "max", err), "pids.limit");
	}
	if ((need & CG_BIT(CG_BLKIO)) && v1_blkio(cg_v1_find(cg, CG_BLKIO)->fd, res, err) < 0)
		return -1;
	if (res->n_hugepage_limits) {
		if ((h = cg_v1_find(cg, CG_HUGETLB))) {
			if (v1_hugetlb(h->fd, res, err) < 0)
				return -1;
		} else if (cg_v2_hugetlb(cg->uni->fd, res, err) < 0) {
			return -1;
		}
	}
	if ((need & CG_BIT(CG_RDMA)) && v1_rdma(cg_v1_find(cg, CG_RDMA)->fd, res, err) < 0)
		return -1;
	if (res->has_network && v1_network(cg, res, err) < 0)
		return -1;
	if (res->n_unified) {
		if (!uni)
			return lw_fail(err, 0,
				       "linux.resources.unified: this host has no cgroup v2 "
				       "hierarchy");
		return cg_v2_unified(cg->uni->fd, res, err);
	}
	return 0;
}
