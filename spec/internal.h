/* Private to spec/: the parse context (JSON path + error), the typed field
 * readers over yajl's tree, and the name tables. */
#ifndef LW_SPEC_INTERNAL_H
#define LW_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "spec.h"

/* The JSON path of the value being read ("linux.namespaces[2]") lives in a
 * fixed buffer that grows and shrinks as the walk descends and returns, so
 * building it costs nothing until an error is reported. */
struct pctx {
	char path[1024];
	size_t len;
	char *err;
	char **warnings; /* "<path>: <message>", NULL-terminated */
	size_t n_warnings;
};

/* Record a warning at the current path (what runc accepts with a warning,
 * e.g. an unknown capability name). */
void px_warn(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Descend into a key / an index; returns the length to restore. */
size_t px_key(struct pctx *c, const char *key);
size_t px_idx(struct pctx *c, size_t i);
static inline void px_pop(struct pctx *c, size_t len)
{
	c->len = len;
	c->path[len] = '\0';
}

/* Set the error "<path>: <message>" (the path may be empty). Returns -1. */
int px_fail(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, at path.key without changing the path. */
int px_fail_at(struct pctx *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

const char *px_type_name(yajl_val v);

/* The value of key in object o; NULL when absent or null (as Go treats it). */
yajl_val px_get(yajl_val o, const char *key);

/* Readers.  Each reads o[key]; absent (or null) leaves *out untouched and
 * returns 0 (or the error "missing required field" when `req`); a present
 * value of the wrong type or out of range is an error naming path.key.
 * Returns 1 when the value was present and stored. */
int px_str(struct pctx *c, yajl_val o, const char *key, bool req, char **out);
int px_bool(struct pctx *c, yajl_val o, const char *key, bool *out);
int px_opt_bool(struct pctx *c, yajl_val o, const char *key, struct spec_opt_bool *out);
int px_i64(struct pctx *c, yajl_val o, const char *key, bool req, int64_t min, int64_t max,
	   int64_t *out);
int px_u64(struct pctx *c, yajl_val o, const char *key, bool req, uint64_t max, uint64_t *out);
int px_opt_i64(struct pctx *c, yajl_val o, const char *key, int64_t min, int64_t max,
	       struct spec_opt_i64 *out);
int px_opt_u64(struct pctx *c, yajl_val o, const char *key, uint64_t max,
	       struct spec_opt_u64 *out);
static inline int px_u32(struct pctx *c, yajl_val o, const char *key, bool req, uint32_t *out)
{
	uint64_t v;
	int r = px_u64(c, o, key, req, UINT32_MAX, &v);
	if (r > 0)
		*out = (uint32_t)v;
	return r;
}
/* Convert a value already in hand (path already points at it). */
int px_val_i64(struct pctx *c, yajl_val v, int64_t min, int64_t max, int64_t *out);
int px_val_u64(struct pctx *c, yajl_val v, uint64_t max, uint64_t *out);

/* o[key] must be of the given container type when present; returns it, or
 * NULL when absent (*rc = 0) or on error (*rc = -1, or when `req`). */
yajl_val px_obj(struct pctx *c, yajl_val o, const char *key, bool req, int *rc);
yajl_val px_arr(struct pctx *c, yajl_val o, const char *key, bool req, int *rc);

/* Array of strings -> NULL-terminated vector.  `check` (may be NULL) is
 * called with the path at element i. */
typedef int (*px_str_check)(struct pctx *c, const char *s);
int px_strv(struct pctx *c, yajl_val o, const char *key, char ***out, size_t *n,
	    px_str_check check);
/* Object of strings -> key/value array. */
int px_map(struct pctx *c, yajl_val o, const char *key, struct spec_kv **out, size_t *n);
int px_id_mappings(struct pctx *c, yajl_val o, const char *key, struct spec_id_mapping **out,
		   size_t *n);
int px_check_abs(struct pctx *c, const char *s);
int px_str_enum(struct pctx *c, yajl_val o, const char *key, bool req, const char *const *t,
		size_t n, const char *what, char **out);

/* Run `body` over the elements of array o[key], with the path at the
 * element and `e` the element (must be an object) and `i` its index. */
#define PX_EACH_OBJECT(c, a, i, e, body)                                                           \
	for (size_t i = 0; i < (a)->u.array.len; i++) {                                            \
		yajl_val e = (a)->u.array.values[i];                                               \
		size_t _o = px_idx((c), i);                                                        \
		if (e->type != yajl_t_object)                                                      \
			return px_fail((c), "expected an object, got %s", px_type_name(e));        \
		body;                                                                              \
		px_pop((c), _o);                                                                   \
	}

/* Take a string out of the tree instead of copying it. */
static inline char *px_steal(yajl_val v)
{
	char *s = v->u.string;
	v->u.string = NULL;
	return s;
}

/* calloc that reports "out of memory" (n == 0 still allocates). */
void *px_calloc(struct pctx *c, size_t n, size_t size);

/* Parsers of the sections (parse.c, parse_linux.c, parse_resources.c).
 * Each fills *out as it goes, so that spec_free() of a half-built struct
 * after an error frees exactly what was taken. */
int px_spec(struct pctx *c, yajl_val top, struct spec *s);
int px_process(struct pctx *c, yajl_val v, struct spec_process **out);
int px_linux(struct pctx *c, yajl_val v, struct spec_linux **out);
int px_resources(struct pctx *c, yajl_val v, struct spec_resources **out);
/* process.landlock (parse_landlock.c); v is the object, the path at it. */
int px_landlock(struct pctx *c, yajl_val v, struct spec_landlock **out);
/* The Landlock annotation's JSON text, with the path set to it. */
int px_landlock_annotation(struct pctx *c, const char *json, struct spec_landlock **out);
/* Parse text (NUL-terminated at len) into a tree; error message has the
 * position. */
yajl_val px_tree(const char *json, size_t len, char **errmsg);

void spec_linux_free(struct spec_linux *l);
void spec_hook_free_list(struct spec_hook *h, size_t n);
void spec_strv_free(char **v, size_t n);

/* ---- names (names.c) --------------------------------------------------- */

struct spec_name {
	const char *name;
	int value;
};

/* Look name up in a table; -1 when unknown. */
int spec_name_lookup(const struct spec_name *t, size_t n, const char *name);

extern const struct spec_name spec_rlimit_names[];
extern const size_t spec_n_rlimit_names;
extern const struct spec_name spec_sched_policy_names[];
extern const size_t spec_n_sched_policy_names;
extern const struct spec_name spec_sched_flag_names[];
extern const size_t spec_n_sched_flag_names;
extern const struct spec_name spec_ioprio_class_names[];
extern const size_t spec_n_ioprio_class_names;
extern const struct spec_name spec_scmp_action_names[];
extern const size_t spec_n_scmp_action_names;
extern const struct spec_name spec_scmp_op_names[];
extern const size_t spec_n_scmp_op_names;
extern const char *const spec_scmp_arch_names[];
extern const size_t spec_n_scmp_arch_names;
extern const char *const spec_scmp_flag_names[];
extern const size_t spec_n_scmp_flag_names;
extern const char *const spec_mpol_mode_names[];
extern const size_t spec_n_mpol_mode_names;
extern const char *const spec_mpol_flag_names[];
extern const size_t spec_n_mpol_flag_names;
extern const char *const spec_propagation_names[];
extern const size_t spec_n_propagation_names;

bool spec_str_in(const char *const *t, size_t n, const char *s);
int spec_ns_from_name(const char *name);

#endif
