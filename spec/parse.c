/* config.json -> struct spec: the typed readers over yajl's tree, the top
 * level, process, root, mounts, hooks and annotations.  linux.* is in
 * parse_linux.c and parse_resources.c, the entry points in load.c.  Strings
 * are taken out of the tree, not copied. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- path and errors ---------------------------------------------------- */

static size_t px_append(struct pctx *c, const char *s, size_t n)
{
	size_t old = c->len;
	if (c->len + n >= sizeof(c->path))
		n = sizeof(c->path) - 1 - c->len; /* truncated path, still a useful message */
	memcpy(c->path + c->len, s, n);
	c->len += n;
	c->path[c->len] = '\0';
	return old;
}

size_t px_key(struct pctx *c, const char *key)
{
	size_t old = c->len;
	if (c->len)
		px_append(c, ".", 1);
	px_append(c, key, strlen(key));
	return old;
}

size_t px_idx(struct pctx *c, size_t i)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "[%zu]", i);
	return px_append(c, buf, (size_t)n);
}

static int px_failv(struct pctx *c, const char *key, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	free(c->err);
	c->err = NULL;
	const char *sep = c->len && key ? "." : "";
	int r;
	if (c->len || key)
		r = asprintf(&c->err, "%s%s%s: %s", c->path, sep, key ? key : "",
			     msg ? msg : "out of memory");
	else
		r = asprintf(&c->err, "%s", msg ? msg : "out of memory");
	if (r < 0)
		c->err = NULL;
	free(msg);
	return -1;
}

void px_warn(struct pctx *c, const char *fmt, ...)
{
	char *msg = NULL, *full = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	if (asprintf(&full, "%s%s%s", c->path, c->len ? ": " : "", msg) < 0)
		full = NULL;
	free(msg);
	char **nw = full ? realloc(c->warnings, (c->n_warnings + 2) * sizeof(char *)) : NULL;
	if (!nw) {
		free(full);
		return;
	}
	c->warnings = nw;
	c->warnings[c->n_warnings++] = full;
	c->warnings[c->n_warnings] = NULL;
}

int px_fail(struct pctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	px_failv(c, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int px_fail_at(struct pctx *c, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	px_failv(c, key, fmt, ap);
	va_end(ap);
	return -1;
}

void *px_calloc(struct pctx *c, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		px_fail(c, "out of memory");
	return p;
}

const char *px_type_name(yajl_val v)
{
	if (!v)
		return "nothing";
	switch (v->type) {
	case yajl_t_string:
		return "string";
	case yajl_t_number:
		return "number";
	case yajl_t_object:
		return "object";
	case yajl_t_array:
		return "array";
	case yajl_t_true:
	case yajl_t_false:
		return "boolean";
	case yajl_t_null:
		return "null";
	default:
		return "unknown";
	}
}

/* ---- readers ------------------------------------------------------------ */

yajl_val px_get(yajl_val o, const char *key)
{
	/* The last duplicate wins, as with Go's encoding/json (runc). */
	for (size_t i = o->u.object.len; i-- > 0;) {
		if (strcmp(o->u.object.keys[i], key) == 0) {
			yajl_val v = o->u.object.values[i];
			return v && v->type != yajl_t_null ? v : NULL;
		}
	}
	return NULL;
}

static int px_missing(struct pctx *c, const char *key)
{
	return px_fail_at(c, key, "missing required field");
}

int px_str(struct pctx *c, yajl_val o, const char *key, bool req, char **out)
{
	yajl_val v = px_get(o, key);
	if (!v)
		return req ? px_missing(c, key) : 0;
	if (v->type != yajl_t_string)
		return px_fail_at(c, key, "expected a string, got %s", px_type_name(v));
	free(*out);
	*out = px_steal(v);
	return 1;
}

int px_bool(struct pctx *c, yajl_val o, const char *key, bool *out)
{
	yajl_val v = px_get(o, key);
	if (!v)
		return 0;
	if (v->type != yajl_t_true && v->type != yajl_t_false)
		return px_fail_at(c, key, "expected a boolean, got %s", px_type_name(v));
	*out = v->type == yajl_t_true;
	return 1;
}

int px_opt_bool(struct pctx *c, yajl_val o, const char *key, struct spec_opt_bool *out)
{
	int r = px_bool(c, o, key, &out->v);
	if (r > 0)
		out->set = true;
	return r;
}

static int px_not_int(struct pctx *c, yajl_val v)
{
	if (v->type == yajl_t_number)
		return px_fail(c, "expected an integer, got %s", v->u.number.r);
	return px_fail(c, "expected an integer, got %s", px_type_name(v));
}

int px_val_i64(struct pctx *c, yajl_val v, int64_t min, int64_t max, int64_t *out)
{
	if (v->type != yajl_t_number || strpbrk(v->u.number.r, ".eE"))
		return px_not_int(c, v);
	char *end;
	errno = 0;
	long long x = strtoll(v->u.number.r, &end, 10);
	if (errno == ERANGE || x < min || x > max)
		return px_fail(c, "%s is out of range [%" PRId64 ", %" PRId64 "]", v->u.number.r,
			       min, max);
	*out = x;
	return 1;
}

int px_val_u64(struct pctx *c, yajl_val v, uint64_t max, uint64_t *out)
{
	if (v->type != yajl_t_number || strpbrk(v->u.number.r, ".eE"))
		return px_not_int(c, v);
	const char *r = v->u.number.r;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(r, &end, 10);
	if (r[0] == '-' || errno == ERANGE || x > max)
		return px_fail(c, "%s is out of range [0, %" PRIu64 "]", r, max);
	*out = x;
	return 1;
}

int px_i64(struct pctx *c, yajl_val o, const char *key, bool req, int64_t min, int64_t max,
	   int64_t *out)
{
	yajl_val v = px_get(o, key);
	if (!v)
		return req ? px_missing(c, key) : 0;
	size_t old = px_key(c, key);
	int r = px_val_i64(c, v, min, max, out);
	px_pop(c, old);
	return r;
}

int px_u64(struct pctx *c, yajl_val o, const char *key, bool req, uint64_t max, uint64_t *out)
{
	yajl_val v = px_get(o, key);
	if (!v)
		return req ? px_missing(c, key) : 0;
	size_t old = px_key(c, key);
	int r = px_val_u64(c, v, max, out);
	px_pop(c, old);
	return r;
}

int px_opt_i64(struct pctx *c, yajl_val o, const char *key, int64_t min, int64_t max,
	       struct spec_opt_i64 *out)
{
	int r = px_i64(c, o, key, false, min, max, &out->v);
	if (r > 0)
		out->set = true;
	return r;
}

int px_opt_u64(struct pctx *c, yajl_val o, const char *key, uint64_t max, struct spec_opt_u64 *out)
{
	int r = px_u64(c, o, key, false, max, &out->v);
	if (r > 0)
		out->set = true;
	return r;
}

static yajl_val px_typed(struct pctx *c, yajl_val o, const char *key, bool req, int *rc,
			 yajl_type type, const char *what)
{
	yajl_val v = px_get(o, key);
	*rc = 0;
	if (!v) {
		if (req)
			*rc = px_missing(c, key);
		return NULL;
	}
	if (v->type != type) {
		*rc = px_fail_at(c, key, "expected %s, got %s", what, px_type_name(v));
		return NULL;
	}
	return v;
}

yajl_val px_obj(struct pctx *c, yajl_val o, const char *key, bool req, int *rc)
{
	return px_typed(c, o, key, req, rc, yajl_t_object, "an object");
}

yajl_val px_arr(struct pctx *c, yajl_val o, const char *key, bool req, int *rc)
{
	return px_typed(c, o, key, req, rc, yajl_t_array, "an array");
}

int px_check_abs(struct pctx *c, const char *s)
{
	if (s[0] != '/')
		return px_fail(c, "path \"%s\" is not absolute", s);
	return 0;
}

int px_strv(struct pctx *c, yajl_val o, const char *key, char ***out, size_t *n,
	    px_str_check check)
{
	int rc;
	yajl_val a = px_arr(c, o, key, false, &rc);
	if (!a)
		return rc;
	size_t len = a->u.array.len;
	char **v = px_calloc(c, len + 1, sizeof(char *));
	if (!v)
		return -1;
	*out = v;
	*n = len;
	size_t old = px_key(c, key);
	for (size_t i = 0; i < len; i++) {
		yajl_val e = a->u.array.values[i];
		if (e->type != yajl_t_string) {
			px_idx(c, i);
			return px_fail(c, "expected a string, got %s", px_type_name(e));
		}
		if (check) {
			size_t o2 = px_idx(c, i);
			if (check(c, e->u.string) < 0)
				return -1;
			px_pop(c, o2);
		}
		v[i] = px_steal(e);
	}
	px_pop(c, old);
	return 1;
}

int px_map(struct pctx *c, yajl_val o, const char *key, struct spec_kv **out, size_t *n)
{
	int rc;
	yajl_val m = px_obj(c, o, key, false, &rc);
	if (!m)
		return rc;
	size_t len = m->u.object.len;
	struct spec_kv *kv = px_calloc(c, len, sizeof(*kv));
	if (!kv)
		return -1;
	*out = kv;
	*n = 0;
	size_t old = px_key(c, key);
	for (size_t i = 0; i < len; i++) {
		yajl_val e = m->u.object.values[i];
		if (e->type == yajl_t_null)
			continue;
		if (e->type != yajl_t_string) {
			px_key(c, m->u.object.keys[i]);
			return px_fail(c, "expected a string, got %s", px_type_name(e));
		}
		kv[*n].key = (char *)m->u.object.keys[i];
		m->u.object.keys[i] = NULL;
		kv[*n].value = px_steal(e);
		(*n)++;
	}
	px_pop(c, old);
	return 1;
}

int px_id_mappings(struct pctx *c, yajl_val o, const char *key, struct spec_id_mapping **out,
		   size_t *n)
{
	int rc;
	yajl_val a = px_arr(c, o, key, false, &rc);
	if (!a)
		return rc;
	size_t len = a->u.array.len;
	struct spec_id_mapping *m = px_calloc(c, len, sizeof(*m));
	if (!m)
		return -1;
	*out = m;
	*n = len;
	size_t old = px_key(c, key);
	for (size_t i = 0; i < len; i++) {
		yajl_val e = a->u.array.values[i];
		px_idx(c, i);
		if (e->type != yajl_t_object)
			return px_fail(c, "expected an object, got %s", px_type_name(e));
		if (px_u32(c, e, "containerID", true, &m[i].container_id) < 0 ||
		    px_u32(c, e, "hostID", true, &m[i].host_id) < 0 ||
		    px_u32(c, e, "size", true, &m[i].size) < 0)
			return -1;
		if (m[i].size == 0)
			return px_fail_at(c, "size", "must be greater than zero");
		px_pop(c, old + strlen(key) + (old ? 1 : 0));
	}
	px_pop(c, old);
	return 1;
}

/* ---- process ---------------------------------------------------------- */

static int px_user(struct pctx *c, yajl_val p, struct spec_user *u)
{
	int rc;
	yajl_val o = px_obj(c, p, "user", true, &rc);
	if (!o)
		return rc;
	size_t old = px_key(c, "user");
	if (px_u32(c, o, "uid", false, &u->uid) < 0 || px_u32(c, o, "gid", false, &u->gid) < 0)
		return -1;
	int r = px_u32(c, o, "umask", false, &u->umask);
	if (r < 0)
		return -1;
	u->has_umask = r > 0;
	if (px_str(c, o, "username", false, &u->username) < 0)
		return -1;
	yajl_val a = px_arr(c, o, "additionalGids", false, &rc);
	if (rc < 0)
		return -1;
	if (a) {
		size_t len = a->u.array.len;
		u->additional_gids = px_calloc(c, len, sizeof(uint32_t));
		if (!u->additional_gids)
			return -1;
		u->n_additional_gids = len;
		size_t o2 = px_key(c, "additionalGids");
		for (size_t i = 0; i < len; i++) {
			uint64_t g;
			size_t o3 = px_idx(c, i);
			if (px_val_u64(c, a->u.array.values[i], UINT32_MAX, &g) < 0)
				return -1;
			u->additional_gids[i] = (uint32_t)g;
			px_pop(c, o3);
		}
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 0;
}

static int px_capset(struct pctx *c, yajl_val o, const char *key, uint64_t *mask)
{
	int rc;
	yajl_val a = px_arr(c, o, key, false, &rc);
	if (!a)
		return rc;
	size_t old = px_key(c, key);
	for (size_t i = 0; i < a->u.array.len; i++) {
		yajl_val e = a->u.array.values[i];
		px_idx(c, i);
		if (e->type != yajl_t_string)
			return px_fail(c, "expected a string, got %s", px_type_name(e));
		int cap = spec_cap_from_name(e->u.string);
		/* as runc: an unknown name is ignored with a warning */
		if (cap < 0)
			px_warn(c, "unknown capability \"%s\" ignored", e->u.string);
		else
			*mask |= UINT64_C(1) << cap;
		px_pop(c, old + strlen(key) + (old ? 1 : 0));
	}
	px_pop(c, old);
	return 1;
}

static int px_rlimits(struct pctx *c, yajl_val p, struct spec_process *proc)
{
	int rc;
	yajl_val a = px_arr(c, p, "rlimits", false, &rc);
	if (!a)
		return rc;
	size_t len = a->u.array.len;
	proc->rlimits = px_calloc(c, len, sizeof(*proc->rlimits));
	if (!proc->rlimits)
		return -1;
	proc->n_rlimits = len;
	size_t old = px_key(c, "rlimits");
	for (size_t i = 0; i < len; i++) {
		yajl_val e = a->u.array.values[i];
		struct spec_rlimit *rl = &proc->rlimits[i];
		size_t o2 = px_idx(c, i);
		if (e->type != yajl_t_object)
			return px_fail(c, "expected an object, got %s", px_type_name(e));
		if (px_str(c, e, "type", true, &rl->type) < 0)
			return -1;
		rl->resource = spec_rlimit_from_name(rl->type);
		if (rl->resource < 0)
			return px_fail_at(c, "type", "unknown rlimit \"%s\"", rl->type);
		for (size_t j = 0; j < i; j++)
			if (proc->rlimits[j].resource == rl->resource)
				return px_fail_at(c, "type", "duplicate rlimit \"%s\"", rl->type);
		if (px_u64(c, e, "hard", true, UINT64_MAX, &rl->hard) < 0 ||
		    px_u64(c, e, "soft", true, UINT64_MAX, &rl->soft) < 0)
			return -1;
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 0;
}

static int px_enum(struct pctx *c, yajl_val o, const char *key, bool req,
		   const struct spec_name *t, size_t n, const char *what, int *out)
{
	yajl_val v = px_get(o, key);
	if (!v)
		return req ? px_missing(c, key) : 0;
	if (v->type != yajl_t_string)
		return px_fail_at(c, key, "expected a string, got %s", px_type_name(v));
	int x = spec_name_lookup(t, n, v->u.string);
	if (x < 0)
		return px_fail_at(c, key, "unknown %s \"%s\"", what, v->u.string);
	*out = x;
	return 1;
}

static int px_scheduler(struct pctx *c, yajl_val p, struct spec_process *proc)
{
	int rc;
	yajl_val o = px_obj(c, p, "scheduler", false, &rc);
	if (!o)
		return rc;
	struct spec_scheduler *s = px_calloc(c, 1, sizeof(*s));
	if (!s)
		return -1;
	proc->scheduler = s;
	size_t old = px_key(c, "scheduler");
	if (px_enum(c, o, "policy", true, spec_sched_policy_names, spec_n_sched_policy_names,
		    "scheduler policy", &s->policy) < 0 ||
	    px_opt_i64(c, o, "nice", INT32_MIN, INT32_MAX, &s->nice) < 0 ||
	    px_opt_i64(c, o, "priority", INT32_MIN, INT32_MAX, &s->priority) < 0 ||
	    px_opt_u64(c, o, "runtime", UINT64_MAX, &s->runtime) < 0 ||
	    px_opt_u64(c, o, "deadline", UINT64_MAX, &s->deadline) < 0 ||
	    px_opt_u64(c, o, "period", UINT64_MAX, &s->period) < 0)
		return -1;
	yajl_val f = px_arr(c, o, "flags", false, &rc);
	if (rc < 0)
		return -1;
	if (f) {
		size_t o2 = px_key(c, "flags");
		for (size_t i = 0; i < f->u.array.len; i++) {
			yajl_val e = f->u.array.values[i];
			px_idx(c, i);
			if (e->type != yajl_t_string)
				return px_fail(c, "expected a string, got %s", px_type_name(e));
			int bit = spec_name_lookup(spec_sched_flag_names, spec_n_sched_flag_names,
						   e->u.string);
			if (bit < 0)
				return px_fail(c, "unknown scheduler flag \"%s\"", e->u.string);
			s->flags |= (uint64_t)bit;
			px_pop(c, o2 + strlen(".flags"));
		}
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 0;
}

static int px_io_priority(struct pctx *c, yajl_val p, struct spec_process *proc)
{
	int rc;
	yajl_val o = px_obj(c, p, "ioPriority", false, &rc);
	if (!o)
		return rc;
	struct spec_io_priority *io = px_calloc(c, 1, sizeof(*io));
	if (!io)
		return -1;
	proc->io_priority = io;
	size_t old = px_key(c, "ioPriority");
	int64_t prio = 0;
	if (px_enum(c, o, "class", true, spec_ioprio_class_names, spec_n_ioprio_class_names,
		    "ioPriority class", &io->ioclass) < 0 ||
	    px_i64(c, o, "priority", false, INT32_MIN, INT32_MAX, &prio) < 0)
		return -1;
	/* The kernel knows 8 levels per class; runc rejects the rest up front. */
	if (prio < 0 || prio > 7)
		return px_fail_at(c, "priority", "%" PRId64 " is out of range [0, 7]", prio);
	io->priority = (int)prio;
	px_pop(c, old);
	return 0;
}

static int px_check_cpulist(struct pctx *c, yajl_val o, const char *key, char **out)
{
	int r = px_str(c, o, key, false, out);
	if (r <= 0)
		return r;
	if ((*out)[strspn(*out, "0123456789, -")] != '\0')
		return px_fail_at(c, key, "invalid CPU list \"%s\"", *out);
	return 1;
}

static int px_process_fields(struct pctx *c, yajl_val p, struct spec_process *proc)
{
	int rc;
	if (px_bool(c, p, "terminal", &proc->terminal) < 0 ||
	    px_str(c, p, "cwd", true, &proc->cwd) < 0)
		return -1;
	if (proc->cwd[0] != '/')
		return px_fail_at(c, "cwd", "path \"%s\" is not absolute", proc->cwd);
	yajl_val cs = px_obj(c, p, "consoleSize", false, &rc);
	if (rc < 0)
		return -1;
	if (cs) {
		size_t old = px_key(c, "consoleSize");
		if (px_u32(c, cs, "height", true, &proc->console_height) < 0 ||
		    px_u32(c, cs, "width", true, &proc->console_width) < 0)
			return -1;
		proc->has_console_size = true;
		px_pop(c, old);
	}
	if (px_user(c, p, &proc->user) < 0 ||
	    px_strv(c, p, "args", &proc->args, &proc->n_args, NULL) < 0 ||
	    px_str(c, p, "commandLine", false, &proc->command_line) < 0 ||
	    px_strv(c, p, "env", &proc->env, &proc->n_env, NULL) < 0)
		return -1;
	yajl_val caps = px_obj(c, p, "capabilities", false, &rc);
	if (rc < 0)
		return -1;
	if (caps) {
		size_t old = px_key(c, "capabilities");
		struct spec_capabilities *k = &proc->capabilities;
		if (px_capset(c, caps, "bounding", &k->bounding) < 0 ||
		    px_capset(c, caps, "effective", &k->effective) < 0 ||
		    px_capset(c, caps, "inheritable", &k->inheritable) < 0 ||
		    px_capset(c, caps, "permitted", &k->permitted) < 0 ||
		    px_capset(c, caps, "ambient", &k->ambient) < 0)
			return -1;
		proc->has_capabilities = true;
		px_pop(c, old);
	}
	if (px_rlimits(c, p, proc) < 0 ||
	    px_bool(c, p, "noNewPrivileges", &proc->no_new_privileges) < 0 ||
	    px_str(c, p, "apparmorProfile", false, &proc->apparmor_profile) < 0 ||
	    px_opt_i64(c, p, "oomScoreAdj", INT32_MIN, INT32_MAX, &proc->oom_score_adj) < 0 ||
	    px_str(c, p, "selinuxLabel", false, &proc->selinux_label) < 0 ||
	    px_scheduler(c, p, proc) < 0 || px_io_priority(c, p, proc) < 0)
		return -1;
	yajl_val aff = px_obj(c, p, "execCPUAffinity", false, &rc);
	if (rc < 0)
		return -1;
	if (aff) {
		proc->exec_cpu_affinity = px_calloc(c, 1, sizeof(*proc->exec_cpu_affinity));
		if (!proc->exec_cpu_affinity)
			return -1;
		size_t old = px_key(c, "execCPUAffinity");
		if (px_check_cpulist(c, aff, "initial", &proc->exec_cpu_affinity->initial) < 0 ||
		    px_check_cpulist(c, aff, "final", &proc->exec_cpu_affinity->final) < 0)
			return -1;
		px_pop(c, old);
	}
	yajl_val ll = px_get(p, "landlock");
	if (ll) {
		size_t old = px_key(c, "landlock");
		if (px_landlock(c, ll, &proc->landlock) < 0)
			return -1;
		px_pop(c, old);
	}
	return 0;
}

int px_process(struct pctx *c, yajl_val v, struct spec_process **out)
{
	if (v->type != yajl_t_object)
		return px_fail(c, "expected an object, got %s", px_type_name(v));
	struct spec_process *p = px_calloc(c, 1, sizeof(*p));
	if (!p)
		return -1;
	*out = p;
	return px_process_fields(c, v, p);
}

/* ---- root, mounts, hooks -------------------------------------------------- */

static int px_mounts(struct pctx *c, yajl_val top, struct spec *s)
{
	int rc;
	yajl_val a = px_arr(c, top, "mounts", false, &rc);
	if (!a)
		return rc;
	size_t len = a->u.array.len;
	s->mounts = px_calloc(c, len, sizeof(*s->mounts));
	if (!s->mounts)
		return -1;
	s->n_mounts = len;
	size_t old = px_key(c, "mounts");
	for (size_t i = 0; i < len; i++) {
		yajl_val e = a->u.array.values[i];
		struct spec_mount *m = &s->mounts[i];
		size_t o2 = px_idx(c, i);
		if (e->type != yajl_t_object)
			return px_fail(c, "expected an object, got %s", px_type_name(e));
		/* The spec asks for an absolute destination; runc takes relative
		 * ones as relative to the rootfs, and so do we. */
		if (px_str(c, e, "destination", true, &m->destination) < 0 ||
		    px_str(c, e, "type", false, &m->type) < 0 ||
		    px_str(c, e, "source", false, &m->source) < 0 ||
		    px_strv(c, e, "options", &m->options, &m->n_options, NULL) < 0 ||
		    px_id_mappings(c, e, "uidMappings", &m->uid_mappings, &m->n_uid_mappings) < 0 ||
		    px_id_mappings(c, e, "gidMappings", &m->gid_mappings, &m->n_gid_mappings) < 0)
			return -1;
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 0;
}

static int px_hook_list(struct pctx *c, yajl_val a, struct spec_hook **out, size_t *n)
{
	size_t len = a->u.array.len;
	struct spec_hook *h = px_calloc(c, len, sizeof(*h));
	if (!h)
		return -1;
	*out = h;
	*n = len;
	for (size_t i = 0; i < len; i++) {
		yajl_val e = a->u.array.values[i];
		size_t old = px_idx(c, i);
		if (e->type != yajl_t_object)
			return px_fail(c, "expected an object, got %s", px_type_name(e));
		if (px_str(c, e, "path", true, &h[i].path) < 0)
			return -1;
		if (h[i].path[0] != '/')
			return px_fail_at(c, "path", "path \"%s\" is not absolute", h[i].path);
		if (px_strv(c, e, "args", &h[i].args, &h[i].n_args, NULL) < 0 ||
		    px_strv(c, e, "env", &h[i].env, &h[i].n_env, NULL) < 0)
			return -1;
		int r = px_i64(c, e, "timeout", false, INT64_MIN, INT64_MAX, &h[i].timeout);
		if (r < 0)
			return -1;
		if (r > 0 && h[i].timeout <= 0)
			return px_fail_at(c, "timeout", "must be greater than zero, got %" PRId64,
					  h[i].timeout);
		h[i].has_timeout = r > 0;
		px_pop(c, old);
	}
	return 0;
}

static int px_hooks(struct pctx *c, yajl_val top, struct spec_hooks *hooks)
{
	int rc;
	yajl_val o = px_obj(c, top, "hooks", false, &rc);
	if (!o)
		return rc;
	size_t old = px_key(c, "hooks");
	for (int k = 0; k < SPEC_HOOK_COUNT; k++) {
		const char *name = spec_hook_kind_name(k);
		yajl_val a = px_arr(c, o, name, false, &rc);
		if (rc < 0)
			return -1;
		if (!a)
			continue;
		size_t o2 = px_key(c, name);
		if (px_hook_list(c, a, &hooks->list[k], &hooks->n[k]) < 0)
			return -1;
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 0;
}

int px_spec(struct pctx *c, yajl_val top, struct spec *s)
{
	int rc;
	if (px_str(c, top, "ociVersion", true, &s->oci_version) < 0)
		return -1;
	/* a config of a later major version means something else */
	if (strtol(s->oci_version, NULL, 10) >= 2)
		return px_fail_at(c, "ociVersion", "unsupported version \"%s\" (leeward implements 1.x)",
				  s->oci_version);
	yajl_val root = px_obj(c, top, "root", false, &rc);
	if (rc < 0)
		return -1;
	if (root) {
		s->root = px_calloc(c, 1, sizeof(*s->root));
		if (!s->root)
			return -1;
		size_t old = px_key(c, "root");
		if (px_str(c, root, "path", true, &s->root->path) < 0 ||
		    px_bool(c, root, "readonly", &s->root->readonly) < 0)
			return -1;
		px_pop(c, old);
	}
	if (px_mounts(c, top, s) < 0)
		return -1;
	yajl_val proc = px_get(top, "process");
	if (proc) {
		size_t old = px_key(c, "process");
		if (px_process(c, proc, &s->process) < 0)
			return -1;
		px_pop(c, old);
	}
	if (px_str(c, top, "hostname", false, &s->hostname) < 0 ||
	    px_str(c, top, "domainname", false, &s->domainname) < 0 ||
	    px_hooks(c, top, &s->hooks) < 0 ||
	    px_map(c, top, "annotations", &s->annotations, &s->n_annotations) < 0)
		return -1;
	const char *ll = spec_annotation(s, SPEC_LANDLOCK_ANNOTATION);
	if (ll && px_landlock_annotation(c, ll, &s->landlock_annotation) < 0)
		return -1;
	yajl_val lx = px_get(top, "linux");
	if (lx) {
		size_t old = px_key(c, "linux");
		if (px_linux(c, lx, &s->linux_) < 0)
			return -1;
		px_pop(c, old);
	}
	return 0;
}

