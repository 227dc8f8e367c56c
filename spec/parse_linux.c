/* linux.* of config.json: namespaces, id mappings, devices, resources,
 * seccomp, sysctl, paths, personality, netDevices, memoryPolicy, intelRdt,
 * timeOffsets. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int px_str_enum(struct pctx *c, yajl_val o, const char *key, bool req,
		       const char *const *t, size_t n, const char *what, char **out)
{
	int r = px_str(c, o, key, req, out);
	if (r > 0 && !spec_str_in(t, n, *out))
		return px_fail_at(c, key, "unknown %s \"%s\"", what, *out);
	return r;
}

/* An array of enum strings, kept as strings. */
static int px_strv_enum(struct pctx *c, yajl_val o, const char *key, const char *const *t,
			size_t n, const char *what, char ***out, size_t *count)
{
	int r = px_strv(c, o, key, out, count, NULL);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < *count; i++) {
		if (!spec_str_in(t, n, (*out)[i])) {
			px_key(c, key);
			px_idx(c, i);
			return px_fail(c, "unknown %s \"%s\"", what, (*out)[i]);
		}
	}
	return 1;
}

/* ---- namespaces ------------------------------------------------------- */

static int px_namespaces(struct pctx *c, yajl_val l, struct spec_linux *lx)
{
	int rc;
	yajl_val a = px_arr(c, l, "namespaces", false, &rc);
	if (!a)
		return rc;
	lx->namespaces = px_calloc(c, a->u.array.len, sizeof(*lx->namespaces));
	if (!lx->namespaces)
		return -1;
	size_t old = px_key(c, "namespaces");
	bool seen[SPEC_NS_COUNT] = { false };
	PX_EACH_OBJECT(c, a, i, e, {
		struct spec_namespace *ns = &lx->namespaces[i];
		lx->n_namespaces = i + 1;
		yajl_val t = px_get(e, "type");
		if (!t)
			return px_fail_at(c, "type", "missing required field");
		if (t->type != yajl_t_string)
			return px_fail_at(c, "type", "expected a string, got %s", px_type_name(t));
		int type = spec_ns_from_name(t->u.string);
		if (type < 0)
			return px_fail_at(c, "type", "unknown namespace \"%s\"", t->u.string);
		if (seen[type])
			return px_fail(c, "duplicate namespace \"%s\"", t->u.string);
		seen[type] = true;
		ns->type = (enum spec_ns_type)type;
		if (px_str(c, e, "path", false, &ns->path) < 0)
			return -1;
		if (ns->path && ns->path[0] != '/')
			return px_fail_at(c, "path", "path \"%s\" is not absolute", ns->path);
	});
	px_pop(c, old);
	return 0;
}

/* ---- devices ------------------------------------------------------------ */

static int px_devices(struct pctx *c, yajl_val l, struct spec_linux *lx)
{
	int rc;
	yajl_val a = px_arr(c, l, "devices", false, &rc);
	if (!a)
		return rc;
	lx->devices = px_calloc(c, a->u.array.len, sizeof(*lx->devices));
	if (!lx->devices)
		return -1;
	lx->n_devices = a->u.array.len;
	size_t old = px_key(c, "devices");
	PX_EACH_OBJECT(c, a, i, e, {
		struct spec_device *d = &lx->devices[i];
		char *type = NULL;
		if (px_str(c, e, "path", true, &d->path) < 0 ||
		    px_str(c, e, "type", true, &type) < 0)
			return -1;
		bool ok = type[0] && !type[1] && strchr("cbup", type[0]);
		char t0 = type[0];
		if (!ok) {
			px_fail_at(c, "type", "unknown device type \"%s\"", type);
			free(type);
			return -1;
		}
		free(type);
		d->type = t0;
		if (d->path[0] != '/')
			return px_fail_at(c, "path", "path \"%s\" is not absolute", d->path);
		bool need = d->type != 'p'; /* a fifo has no device number */
		int r;
		if (px_i64(c, e, "major", need, INT64_MIN, INT64_MAX, &d->major) < 0 ||
		    px_i64(c, e, "minor", need, INT64_MIN, INT64_MAX, &d->minor) < 0)
			return -1;
		if ((r = px_u32(c, e, "fileMode", false, &d->file_mode)) < 0)
			return -1;
		d->has_file_mode = r > 0;
		if ((r = px_u32(c, e, "uid", false, &d->uid)) < 0)
			return -1;
		d->has_uid = r > 0;
		if ((r = px_u32(c, e, "gid", false, &d->gid)) < 0)
			return -1;
		d->has_gid = r > 0;
	});
	px_pop(c, old);
	return 0;
}

/* ---- seccomp ------------------------------------------------------------- */

static int px_scmp_action(struct pctx *c, yajl_val o, const char *key, bool req,
			  enum spec_seccomp_action *out)
{
	char *s = NULL;
	int r = px_str(c, o, key, req, &s);
	if (r <= 0)
		return r;
	int a = spec_name_lookup(spec_scmp_action_names, spec_n_scmp_action_names, s);
	if (a < 0)
		px_fail_at(c, key, "unknown seccomp action \"%s\"", s);
	free(s);
	if (a < 0)
		return -1;
	*out = (enum spec_seccomp_action)a;
	return 1;
}

static int px_scmp_args(struct pctx *c, yajl_val o, struct spec_seccomp_syscall *sc)
{
	int rc;
	yajl_val a = px_arr(c, o, "args", false, &rc);
	if (!a)
		return rc;
	sc->args = px_calloc(c, a->u.array.len, sizeof(*sc->args));
	if (!sc->args)
		return -1;
	sc->n_args = a->u.array.len;
	size_t old = px_key(c, "args");
	PX_EACH_OBJECT(c, a, i, e, {
		struct spec_seccomp_arg *arg = &sc->args[i];
		if (px_u32(c, e, "index", true, &arg->index) < 0 ||
		    px_u64(c, e, "value", true, UINT64_MAX, &arg->value) < 0 ||
		    px_u64(c, e, "valueTwo", false, UINT64_MAX, &arg->value_two) < 0)
			return -1;
		yajl_val op = px_get(e, "op");
		if (!op)
			return px_fail_at(c, "op", "missing required field");
		if (op->type != yajl_t_string)
			return px_fail_at(c, "op", "expected a string, got %s", px_type_name(op));
		int x = spec_name_lookup(spec_scmp_op_names, spec_n_scmp_op_names, op->u.string);
		if (x < 0)
			return px_fail_at(c, "op", "unknown seccomp operator \"%s\"", op->u.string);
		arg->op = (enum spec_seccomp_op)x;
	});
	px_pop(c, old);
	return 0;
}

static int px_seccomp(struct pctx *c, yajl_val l, struct spec_linux *lx)
{
	int rc;
	yajl_val o = px_obj(c, l, "seccomp", false, &rc);
	if (!o)
		return rc;
	struct spec_seccomp *sc = px_calloc(c, 1, sizeof(*sc));
	if (!sc)
		return -1;
	lx->seccomp = sc;
	size_t old = px_key(c, "seccomp");
	if (px_scmp_action(c, o, "defaultAction", true, &sc->default_action) < 0 ||
	    px_opt_u64(c, o, "defaultErrnoRet", UINT32_MAX, &sc->default_errno_ret) < 0 ||
	    px_strv_enum(c, o, "architectures", spec_scmp_arch_names, spec_n_scmp_arch_names,
			 "seccomp architecture", &sc->architectures, &sc->n_architectures) < 0 ||
	    px_strv_enum(c, o, "flags", spec_scmp_flag_names, spec_n_scmp_flag_names,
			 "seccomp flag", &sc->flags, &sc->n_flags) < 0 ||
	    px_str(c, o, "listenerPath", false, &sc->listener_path) < 0 ||
	    px_str(c, o, "listenerMetadata", false, &sc->listener_metadata) < 0)
		return -1;
	if (sc->listener_metadata && !sc->listener_path)
		return px_fail_at(c, "listenerMetadata", "set without listenerPath");
	yajl_val a = px_arr(c, o, "syscalls", false, &rc);
	if (rc < 0)
		return -1;
	if (a) {
		sc->syscalls = px_calloc(c, a->u.array.len, sizeof(*sc->syscalls));
		if (!sc->syscalls)
			return -1;
		sc->n_syscalls = a->u.array.len;
		size_t o2 = px_key(c, "syscalls");
		PX_EACH_OBJECT(c, a, i, e, {
			struct spec_seccomp_syscall *s = &sc->syscalls[i];
			if (!px_get(e, "names"))
				return px_fail_at(c, "names", "missing required field");
			if (px_strv(c, e, "names", &s->names, &s->n_names, NULL) < 0)
				return -1;
			if (s->n_names == 0)
				return px_fail_at(c, "names", "must not be empty");
			if (px_scmp_action(c, e, "action", true, &s->action) < 0 ||
			    px_opt_u64(c, e, "errnoRet", UINT32_MAX, &s->errno_ret) < 0 ||
			    px_scmp_args(c, e, s) < 0)
				return -1;
		});
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 0;
}

/* ---- small sections ------------------------------------------------------- */

static int px_time_offsets(struct pctx *c, yajl_val l, struct spec_linux *lx)
{
	int rc;
	yajl_val o = px_obj(c, l, "timeOffsets", false, &rc);
	if (!o)
		return rc;
	lx->time_offsets = px_calloc(c, o->u.object.len, sizeof(*lx->time_offsets));
	if (!lx->time_offsets)
		return -1;
	size_t old = px_key(c, "timeOffsets");
	for (size_t i = 0; i < o->u.object.len; i++) {
		const char *clock = o->u.object.keys[i];
		yajl_val e = o->u.object.values[i];
		size_t o2 = px_key(c, clock);
		if (strcmp(clock, "monotonic") != 0 && strcmp(clock, "boottime") != 0)
			return px_fail(c, "unknown clock \"%s\"", clock);
		if (e->type == yajl_t_null) {
			px_pop(c, o2);
			continue;
		}
		if (e->type != yajl_t_object)
			return px_fail(c, "expected an object, got %s", px_type_name(e));
		for (size_t j = 0; j < lx->n_time_offsets; j++)
			if (strcmp(lx->time_offsets[j].clock, clock) == 0)
				return px_fail(c, "duplicate clock \"%s\"", clock);
		struct spec_time_offset *t = &lx->time_offsets[lx->n_time_offsets];
		t->clock = (char *)clock;
		o->u.object.keys[i] = NULL;
		lx->n_time_offsets++;
		if (px_i64(c, e, "secs", false, INT64_MIN, INT64_MAX, &t->secs) < 0 ||
		    px_u32(c, e, "nanosecs", false, &t->nanosecs) < 0)
			return -1;
		if (t->nanosecs >= 1000000000u)
			return px_fail_at(c, "nanosecs", "%" PRIu32 " is out of range [0, 999999999]",
					  t->nanosecs);
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 0;
}

/* Interface names as the kernel takes them (dev_valid_name). */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ' ' || *s == '\t' || *s == '\n')
			return false;
	return true;
}

static int px_net_devices(struct pctx *c, yajl_val l, struct spec_linux *lx)
{
	int rc;
	yajl_val o = px_obj(c, l, "netDevices", false, &rc);
	if (!o)
		return rc;
	lx->net_devices = px_calloc(c, o->u.object.len, sizeof(*lx->net_devices));
	if (!lx->net_devices)
		return -1;
	size_t old = px_key(c, "netDevices");
	for (size_t i = 0; i < o->u.object.len; i++) {
		const char *host = o->u.object.keys[i];
		yajl_val e = o->u.object.values[i];
		size_t o2 = px_key(c, host);
		if (!valid_ifname(host))
			return px_fail(c, "invalid network device name \"%s\"", host);
		if (e->type == yajl_t_null) {
			px_pop(c, o2);
			continue;
		}
		if (e->type != yajl_t_object)
			return px_fail(c, "expected an object, got %s", px_type_name(e));
		struct spec_net_device *d = &lx->net_devices[lx->n_net_devices++];
		d->host_name = (char *)host;
		o->u.object.keys[i] = NULL;
		if (px_str(c, e, "name", false, &d->name) < 0)
			return -1;
		if (d->name && !valid_ifname(d->name))
			return px_fail_at(c, "name", "invalid network device name \"%s\"", d->name);
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 0;
}

static int px_personality(struct pctx *c, yajl_val l, struct spec_linux *lx)
{
	static const char *const domains[] = { "LINUX", "LINUX32" };
	int rc;
	yajl_val o = px_obj(c, l, "personality", false, &rc);
	if (!o)
		return rc;
	lx->personality = px_calloc(c, 1, sizeof(*lx->personality));
	if (!lx->personality)
		return -1;
	size_t old = px_key(c, "personality");
	if (px_str_enum(c, o, "domain", true, domains, 2, "personality domain",
			&lx->personality->domain) < 0 ||
	    px_strv(c, o, "flags", &lx->personality->flags, &lx->personality->n_flags, NULL) < 0)
		return -1;
	px_pop(c, old);
	return 0;
}

static int px_memory_policy(struct pctx *c, yajl_val l, struct spec_linux *lx)
{
	int rc;
	yajl_val o = px_obj(c, l, "memoryPolicy", false, &rc);
	if (!o)
		return rc;
	struct spec_memory_policy *m = px_calloc(c, 1, sizeof(*m));
	if (!m)
		return -1;
	lx->memory_policy = m;
	size_t old = px_key(c, "memoryPolicy");
	if (px_str_enum(c, o, "mode", true, spec_mpol_mode_names, spec_n_mpol_mode_names,
			"memory policy mode", &m->mode) < 0 ||
	    px_str(c, o, "nodes", false, &m->nodes) < 0 ||
	    px_strv_enum(c, o, "flags", spec_mpol_flag_names, spec_n_mpol_flag_names,
			 "memory policy flag", &m->flags, &m->n_flags) < 0)
		return -1;
	px_pop(c, old);
	return 0;
}

/* The schema has an array of lines; config-linux.md once described one
 * string with newlines.  Take both. */
static int px_schemata(struct pctx *c, yajl_val o, struct spec_intel_rdt *r)
{
	yajl_val v = px_get(o, "schemata");
	if (!v || v->type != yajl_t_string)
		return px_strv(c, o, "schemata", &r->schemata, &r->n_schemata, NULL);
	r->schemata = px_calloc(c, 2, sizeof(char *));
	if (!r->schemata)
		return -1;
	r->schemata[0] = px_steal(v);
	r->n_schemata = 1;
	return 1;
}

static int px_intel_rdt(struct pctx *c, yajl_val l, struct spec_linux *lx)
{
	int rc;
	yajl_val o = px_obj(c, l, "intelRdt", false, &rc);
	if (!o)
		return rc;
	struct spec_intel_rdt *r = px_calloc(c, 1, sizeof(*r));
	if (!r)
		return -1;
	lx->intel_rdt = r;
	size_t old = px_key(c, "intelRdt");
	if (px_str(c, o, "closID", false, &r->clos_id) < 0 ||
	    px_str(c, o, "l3CacheSchema", false, &r->l3_cache_schema) < 0 ||
	    px_str(c, o, "memBwSchema", false, &r->mem_bw_schema) < 0 ||
	    px_schemata(c, o, r) < 0 ||
	    px_bool(c, o, "enableMonitoring", &r->enable_monitoring) < 0 ||
	    px_bool(c, o, "enableCMT", &r->enable_cmt) < 0 ||
	    px_bool(c, o, "enableMBM", &r->enable_mbm) < 0)
		return -1;
	if (r->mem_bw_schema &&
	    (strncmp(r->mem_bw_schema, "MB:", 3) != 0 || strchr(r->mem_bw_schema, '\n')))
		return px_fail_at(c, "memBwSchema", "must be one line starting with \"MB:\"");
	px_pop(c, old);
	return 0;
}

int px_linux(struct pctx *c, yajl_val l, struct spec_linux **out)
{
	if (l->type != yajl_t_object)
		return px_fail(c, "expected an object, got %s", px_type_name(l));
	struct spec_linux *lx = px_calloc(c, 1, sizeof(*lx));
	if (!lx)
		return -1;
	*out = lx;
	if (px_namespaces(c, l, lx) < 0 ||
	    px_id_mappings(c, l, "uidMappings", &lx->uid_mappings, &lx->n_uid_mappings) < 0 ||
	    px_id_mappings(c, l, "gidMappings", &lx->gid_mappings, &lx->n_gid_mappings) < 0 ||
	    px_time_offsets(c, l, lx) < 0 || px_devices(c, l, lx) < 0 ||
	    px_str(c, l, "cgroupsPath", false, &lx->cgroups_path) < 0)
		return -1;
	yajl_val res = px_get(l, "resources");
	if (res) {
		size_t old = px_key(c, "resources");
		if (px_resources(c, res, &lx->resources) < 0)
			return -1;
		px_pop(c, old);
	}
	if (px_seccomp(c, l, lx) < 0 || px_map(c, l, "sysctl", &lx->sysctl, &lx->n_sysctl) < 0 ||
	    px_strv(c, l, "maskedPaths", &lx->masked_paths, &lx->n_masked_paths, px_check_abs) <
		    0 ||
	    px_strv(c, l, "readonlyPaths", &lx->readonly_paths, &lx->n_readonly_paths,
		    px_check_abs) < 0 ||
	    px_str(c, l, "mountLabel", false, &lx->mount_label) < 0 ||
	    px_personality(c, l, lx) < 0 || px_net_devices(c, l, lx) < 0 ||
	    px_memory_policy(c, l, lx) < 0 || px_intel_rdt(c, l, lx) < 0)
		return -1;
	int r = px_str(c, l, "rootfsPropagation", false, &lx->rootfs_propagation);
	if (r < 0)
		return -1;
	/* "" means "leave it as it is", as in runc */
	if (r > 0 && lx->rootfs_propagation[0] &&
	    !spec_str_in(spec_propagation_names, spec_n_propagation_names, lx->rootfs_propagation))
		return px_fail_at(c, "rootfsPropagation", "unknown propagation \"%s\"",
				  lx->rootfs_propagation);
	return 0;
}
