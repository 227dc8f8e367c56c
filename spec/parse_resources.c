/* linux.resources (also the whole document of `update -r`). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int px_device_rules(struct pctx *c, yajl_val o, struct spec_resources *r)
{
	int rc;
	yajl_val a = px_arr(c, o, "devices", false, &rc);
	if (!a)
		return rc;
	r->devices = px_calloc(c, a->u.array.len, sizeof(*r->devices));
	if (!r->devices)
		return -1;
	r->n_devices = a->u.array.len;
	size_t old = px_key(c, "devices");
	PX_EACH_OBJECT(c, a, i, e, {
		struct spec_device_rule *d = &r->devices[i];
		d->type = 'a';
		d->major = -1;
		d->minor = -1;
		if (!px_get(e, "allow"))
			return px_fail_at(c, "allow", "missing required field");
		if (px_bool(c, e, "allow", &d->allow) < 0)
			return -1;
		yajl_val t = px_get(e, "type");
		if (t) {
			if (t->type != yajl_t_string)
				return px_fail_at(c, "type", "expected a string, got %s",
						  px_type_name(t));
			/* "" is "all", as runc reads it */
			const char *s = t->u.string;
			if (s[0] && (s[1] || !strchr("acb", s[0])))
				return px_fail_at(c, "type", "unknown device type \"%s\"", s);
			if (s[0])
				d->type = s[0];
		}
		if (px_i64(c, e, "major", false, -1, INT64_MAX, &d->major) < 0 ||
		    px_i64(c, e, "minor", false, -1, INT64_MAX, &d->minor) < 0 ||
		    px_str(c, e, "access", false, &d->access) < 0)
			return -1;
		if (d->access && d->access[strspn(d->access, "rwm")] != '\0')
			return px_fail_at(c, "access", "invalid access \"%s\" (want letters of \"rwm\")",
					  d->access);
	});
	px_pop(c, old);
	return 0;
}

static int px_memory(struct pctx *c, yajl_val o, struct spec_resources *r)
{
	int rc;
	yajl_val m = px_obj(c, o, "memory", false, &rc);
	if (!m)
		return rc;
	r->has_memory = true;
	size_t old = px_key(c, "memory");
	if (px_opt_i64(c, m, "limit", INT64_MIN, INT64_MAX, &r->memory.limit) < 0 ||
	    px_opt_i64(c, m, "reservation", INT64_MIN, INT64_MAX, &r->memory.reservation) < 0 ||
	    px_opt_i64(c, m, "swap", INT64_MIN, INT64_MAX, &r->memory.swap) < 0 ||
	    px_opt_i64(c, m, "kernel", INT64_MIN, INT64_MAX, &r->memory.kernel) < 0 ||
	    px_opt_i64(c, m, "kernelTCP", INT64_MIN, INT64_MAX, &r->memory.kernel_tcp) < 0 ||
	    px_opt_u64(c, m, "swappiness", UINT64_MAX, &r->memory.swappiness) < 0 ||
	    px_opt_bool(c, m, "disableOOMKiller", &r->memory.disable_oom_killer) < 0 ||
	    px_opt_bool(c, m, "useHierarchy", &r->memory.use_hierarchy) < 0 ||
	    px_opt_bool(c, m, "checkBeforeUpdate", &r->memory.check_before_update) < 0)
		return -1;
	px_pop(c, old);
	return 0;
}

static int px_cpu(struct pctx *c, yajl_val o, struct spec_resources *r)
{
	int rc;
	yajl_val m = px_obj(c, o, "cpu", false, &rc);
	if (!m)
		return rc;
	r->has_cpu = true;
	size_t old = px_key(c, "cpu");
	if (px_opt_u64(c, m, "shares", UINT64_MAX, &r->cpu.shares) < 0 ||
	    px_opt_i64(c, m, "quota", INT64_MIN, INT64_MAX, &r->cpu.quota) < 0 ||
	    px_opt_u64(c, m, "burst", UINT64_MAX, &r->cpu.burst) < 0 ||
	    px_opt_u64(c, m, "period", UINT64_MAX, &r->cpu.period) < 0 ||
	    px_opt_i64(c, m, "realtimeRuntime", INT64_MIN, INT64_MAX, &r->cpu.realtime_runtime) <
		    0 ||
	    px_opt_u64(c, m, "realtimePeriod", UINT64_MAX, &r->cpu.realtime_period) < 0 ||
	    px_str(c, m, "cpus", false, &r->cpu.cpus) < 0 ||
	    px_str(c, m, "mems", false, &r->cpu.mems) < 0 ||
	    px_opt_i64(c, m, "idle", INT64_MIN, INT64_MAX, &r->cpu.idle) < 0)
		return -1;
	px_pop(c, old);
	return 0;
}

static int px_throttle(struct pctx *c, yajl_val o, const char *key,
		       struct spec_throttle_device **out, size_t *n)
{
	int rc;
	yajl_val a = px_arr(c, o, key, false, &rc);
	if (!a)
		return rc;
	*out = px_calloc(c, a->u.array.len, sizeof(**out));
	if (!*out)
		return -1;
	*n = a->u.array.len;
	size_t old = px_key(c, key);
	PX_EACH_OBJECT(c, a, i, e, {
		struct spec_throttle_device *t = &(*out)[i];
		if (px_i64(c, e, "major", true, INT64_MIN, INT64_MAX, &t->major) < 0 ||
		    px_i64(c, e, "minor", true, INT64_MIN, INT64_MAX, &t->minor) < 0 ||
		    px_u64(c, e, "rate", false, UINT64_MAX, &t->rate) < 0)
			return -1;
	});
	px_pop(c, old);
	return 0;
}

static int px_block_io(struct pctx *c, yajl_val o, struct spec_resources *r)
{
	int rc;
	yajl_val b = px_obj(c, o, "blockIO", false, &rc);
	if (!b)
		return rc;
	r->has_block_io = true;
	size_t old = px_key(c, "blockIO");
	if (px_opt_u64(c, b, "weight", UINT16_MAX, &r->block_io.weight) < 0 ||
	    px_opt_u64(c, b, "leafWeight", UINT16_MAX, &r->block_io.leaf_weight) < 0 ||
	    px_throttle(c, b, "throttleReadBpsDevice", &r->block_io.throttle_read_bps,
			&r->block_io.n_throttle_read_bps) < 0 ||
	    px_throttle(c, b, "throttleWriteBpsDevice", &r->block_io.throttle_write_bps,
			&r->block_io.n_throttle_write_bps) < 0 ||
	    px_throttle(c, b, "throttleReadIOPSDevice", &r->block_io.throttle_read_iops,
			&r->block_io.n_throttle_read_iops) < 0 ||
	    px_throttle(c, b, "throttleWriteIOPSDevice", &r->block_io.throttle_write_iops,
			&r->block_io.n_throttle_write_iops) < 0)
		return -1;
	yajl_val a = px_arr(c, b, "weightDevice", false, &rc);
	if (rc < 0)
		return -1;
	if (a) {
		r->block_io.weight_device = px_calloc(c, a->u.array.len, sizeof(struct spec_weight_device));
		if (!r->block_io.weight_device)
			return -1;
		r->block_io.n_weight_device = a->u.array.len;
		size_t o2 = px_key(c, "weightDevice");
		PX_EACH_OBJECT(c, a, i, e, {
			struct spec_weight_device *w = &r->block_io.weight_device[i];
			if (px_i64(c, e, "major", true, INT64_MIN, INT64_MAX, &w->major) < 0 ||
			    px_i64(c, e, "minor", true, INT64_MIN, INT64_MAX, &w->minor) < 0 ||
			    px_opt_u64(c, e, "weight", UINT16_MAX, &w->weight) < 0 ||
			    px_opt_u64(c, e, "leafWeight", UINT16_MAX, &w->leaf_weight) < 0)
				return -1;
		});
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 0;
}

/* "2MB", "64KB", "1GB": what the hugetlb controller files are named by. */
static bool valid_page_size(const char *s)
{
	if (*s < '1' || *s > '9')
		return false;
	s += strspn(s, "0123456789");
	return (s[0] == 'K' || s[0] == 'M' || s[0] == 'G') && s[1] == 'B' && s[2] == '\0';
}

static int px_hugepages(struct pctx *c, yajl_val o, struct spec_resources *r)
{
	int rc;
	yajl_val a = px_arr(c, o, "hugepageLimits", false, &rc);
	if (!a)
		return rc;
	r->hugepage_limits = px_calloc(c, a->u.array.len, sizeof(*r->hugepage_limits));
	if (!r->hugepage_limits)
		return -1;
	r->n_hugepage_limits = a->u.array.len;
	size_t old = px_key(c, "hugepageLimits");
	PX_EACH_OBJECT(c, a, i, e, {
		struct spec_hugepage_limit *h = &r->hugepage_limits[i];
		if (px_str(c, e, "pageSize", true, &h->page_size) < 0)
			return -1;
		if (!valid_page_size(h->page_size))
			return px_fail_at(c, "pageSize", "invalid page size \"%s\" (want e.g. \"2MB\")",
					  h->page_size);
		if (px_u64(c, e, "limit", true, UINT64_MAX, &h->limit) < 0)
			return -1;
	});
	px_pop(c, old);
	return 0;
}

static int px_network(struct pctx *c, yajl_val o, struct spec_resources *r)
{
	int rc;
	yajl_val n = px_obj(c, o, "network", false, &rc);
	if (!n)
		return rc;
	r->has_network = true;
	size_t old = px_key(c, "network");
	if (px_opt_u64(c, n, "classID", UINT32_MAX, &r->network.class_id) < 0)
		return -1;
	yajl_val a = px_arr(c, n, "priorities", false, &rc);
	if (rc < 0)
		return -1;
	if (a) {
		r->network.priorities = px_calloc(c, a->u.array.len, sizeof(struct spec_net_priority));
		if (!r->network.priorities)
			return -1;
		r->network.n_priorities = a->u.array.len;
		size_t o2 = px_key(c, "priorities");
		PX_EACH_OBJECT(c, a, i, e, {
			struct spec_net_priority *p = &r->network.priorities[i];
			if (px_str(c, e, "name", true, &p->name) < 0 ||
			    px_u32(c, e, "priority", true, &p->priority) < 0)
				return -1;
		});
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 0;
}

static int px_rdma(struct pctx *c, yajl_val o, struct spec_resources *r)
{
	int rc;
	yajl_val m = px_obj(c, o, "rdma", false, &rc);
	if (!m)
		return rc;
	r->rdma = px_calloc(c, m->u.object.len, sizeof(*r->rdma));
	if (!r->rdma)
		return -1;
	size_t old = px_key(c, "rdma");
	for (size_t i = 0; i < m->u.object.len; i++) {
		yajl_val e = m->u.object.values[i];
		size_t o2 = px_key(c, m->u.object.keys[i]);
		if (e->type == yajl_t_null) {
			px_pop(c, o2);
			continue;
		}
		if (e->type != yajl_t_object)
			return px_fail(c, "expected an object, got %s", px_type_name(e));
		struct spec_rdma *d = &r->rdma[r->n_rdma++];
		d->device = (char *)m->u.object.keys[i];
		m->u.object.keys[i] = NULL;
		if (px_opt_u64(c, e, "hcaHandles", UINT32_MAX, &d->hca_handles) < 0 ||
		    px_opt_u64(c, e, "hcaObjects", UINT32_MAX, &d->hca_objects) < 0)
			return -1;
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 0;
}

int px_resources(struct pctx *c, yajl_val v, struct spec_resources **out)
{
	if (v->type != yajl_t_object)
		return px_fail(c, "expected an object, got %s", px_type_name(v));
	struct spec_resources *r = px_calloc(c, 1, sizeof(*r));
	if (!r)
		return -1;
	*out = r;
	if (px_device_rules(c, v, r) < 0 || px_memory(c, v, r) < 0 || px_cpu(c, v, r) < 0)
		return -1;
	int rc;
	yajl_val p = px_obj(c, v, "pids", false, &rc);
	if (rc < 0)
		return -1;
	if (p) {
		size_t old = px_key(c, "pids");
		if (px_opt_i64(c, p, "limit", INT64_MIN, INT64_MAX, &r->pids_limit) < 0)
			return -1;
		if (!r->pids_limit.set)
			return px_fail_at(c, "limit", "missing required field");
		r->has_pids = true;
		px_pop(c, old);
	}
	if (px_block_io(c, v, r) < 0 || px_hugepages(c, v, r) < 0 || px_network(c, v, r) < 0 ||
	    px_rdma(c, v, r) < 0 || px_map(c, v, "unified", &r->unified, &r->n_unified) < 0)
		return -1;
	return 0;
}
