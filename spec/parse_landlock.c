/* process.landlock and its annotation.
 *
 *   "landlock": {
 *     "ruleset": { "handledAccessFS": ["execute", "read_file", ...],
 *                  "handledAccessNet": ["bind_tcp", "connect_tcp"],
 *                  "scoped": ["abstract_unix_socket", "signal"] },
 *     "rules": { "pathBeneath": [ { "allowedAccess": [...], "paths": ["/usr"] } ],
 *                "netPort": [ { "allowedAccess": ["connect_tcp"], "ports": [443] } ] },
 *     "disableBestEffort": false }
 *
 * Right names are the kernel's LANDLOCK_ACCESS_FS_* / _NET_* / SCOPE_*
 * without the prefix, in lower case, as the OCI proposal spells them.  What
 * the kernel would refuse with a bare EINVAL is refused here with the
 * field's path: an allowed right that the ruleset does not handle, an empty
 * rule, a relative path, a port above 65535.  Which rights the running
 * kernel knows is decided at create time (runtime/landlock.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/cleanup.h"
#include "internal.h"

/* index = bit number (linux/landlock.h) */
static const char *const fs_names[] = {
	"execute",    "write_file", "read_file", "read_dir",   "remove_dir", "remove_file",
	"make_char",  "make_dir",   "make_reg",  "make_sock",  "make_fifo",  "make_block",
	"make_sym",   "refer",	    "truncate",	 "ioctl_dev",
};
static const char *const net_names[] = { "bind_tcp", "connect_tcp" };
static const char *const scope_names[] = { "abstract_unix_socket", "signal" };

static const char *bit_name(const char *const *t, size_t n, int bit)
{
	return bit >= 0 && (size_t)bit < n ? t[bit] : NULL;
}
const char *spec_landlock_fs_name(int bit)
{
	return bit_name(fs_names, LW_ARRAY_SIZE(fs_names), bit);
}
const char *spec_landlock_net_name(int bit)
{
	return bit_name(net_names, LW_ARRAY_SIZE(net_names), bit);
}
const char *spec_landlock_scope_name(int bit)
{
	return bit_name(scope_names, LW_ARRAY_SIZE(scope_names), bit);
}

void spec_landlock_free(struct spec_landlock *l)
{
	if (!l)
		return;
	for (size_t i = 0; l->path_beneath && i < l->n_path_beneath; i++)
		spec_strv_free(l->path_beneath[i].paths, l->path_beneath[i].n_paths);
	free(l->path_beneath);
	for (size_t i = 0; l->net_port && i < l->n_net_port; i++)
		free(l->net_port[i].ports);
	free(l->net_port);
	free(l);
}

/* o[key]: an array of names from t -> mask.  Returns 1 when present. */
static int px_rights(struct pctx *c, yajl_val o, const char *key, const char *const *t, size_t n,
		     const char *what, uint64_t *mask)
{
	int rc;
	yajl_val a = px_arr(c, o, key, false, &rc);
	if (!a)
		return rc;
	size_t old = px_key(c, key);
	for (size_t i = 0; i < a->u.array.len; i++) {
		yajl_val e = a->u.array.values[i];
		size_t o2 = px_idx(c, i);
		if (e->type != yajl_t_string)
			return px_fail(c, "expected a string, got %s", px_type_name(e));
		size_t k = 0;
		while (k < n && strcmp(t[k], e->u.string) != 0)
			k++;
		if (k == n)
			return px_fail(c, "unknown %s \"%s\"", what, e->u.string);
		*mask |= UINT64_C(1) << k;
		px_pop(c, o2);
	}
	px_pop(c, old);
	return 1;
}

/* The first right of `extra` by name, for "not handled" messages. */
static const char *first_name(const char *const *t, size_t n, uint64_t extra)
{
	for (size_t k = 0; k < n; k++)
		if (extra & (UINT64_C(1) << k))
			return t[k];
	return "?";
}

static int px_allowed(struct pctx *c, yajl_val e, const char *const *t, size_t n,
		      const char *what, uint64_t handled, const char *handled_key,
		      uint64_t *mask)
{
	int r = px_rights(c, e, "allowedAccess", t, n, what, mask);
	if (r < 0)
		return -1;
	if (*mask == 0)
		return px_fail_at(c, "allowedAccess", "no access right is allowed (a rule "
						      "must allow at least one)");
	if (*mask & ~handled)
		return px_fail_at(c, "allowedAccess", "\"%s\" is not handled by ruleset.%s",
				  first_name(t, n, *mask & ~handled), handled_key);
	return 0;
}

static int px_path_rules(struct pctx *c, yajl_val rules, struct spec_landlock *l)
{
	int rc;
	yajl_val a = px_arr(c, rules, "pathBeneath", false, &rc);
	if (!a)
		return rc;
	l->path_beneath = px_calloc(c, a->u.array.len, sizeof(*l->path_beneath));
	if (!l->path_beneath)
		return -1;
	l->n_path_beneath = a->u.array.len;
	size_t old = px_key(c, "pathBeneath");
	PX_EACH_OBJECT(c, a, i, e, {
		struct spec_landlock_path *r = &l->path_beneath[i];
		if (px_allowed(c, e, fs_names, LW_ARRAY_SIZE(fs_names), "filesystem access right",
			       l->handled_fs, "handledAccessFS", &r->access) < 0 ||
		    px_strv(c, e, "paths", &r->paths, &r->n_paths, px_check_abs) < 0)
			return -1;
		if (r->n_paths == 0)
			return px_fail_at(c, "paths", "no path given");
	});
	px_pop(c, old);
	return 0;
}

static int px_port_rules(struct pctx *c, yajl_val rules, struct spec_landlock *l)
{
	int rc;
	yajl_val a = px_arr(c, rules, "netPort", false, &rc);
	if (!a)
		return rc;
	l->net_port = px_calloc(c, a->u.array.len, sizeof(*l->net_port));
	if (!l->net_port)
		return -1;
	l->n_net_port = a->u.array.len;
	size_t old = px_key(c, "netPort");
	PX_EACH_OBJECT(c, a, i, e, {
		struct spec_landlock_port *r = &l->net_port[i];
		if (px_allowed(c, e, net_names, LW_ARRAY_SIZE(net_names), "network access right",
			       l->handled_net, "handledAccessNet", &r->access) < 0)
			return -1;
		yajl_val ports = px_arr(c, e, "ports", true, &rc);
		if (!ports)
			return -1;
		if (ports->u.array.len == 0)
			return px_fail_at(c, "ports", "no port given");
		r->ports = px_calloc(c, ports->u.array.len, sizeof(*r->ports));
		if (!r->ports)
			return -1;
		r->n_ports = ports->u.array.len;
		size_t o2 = px_key(c, "ports");
		for (size_t k = 0; k < ports->u.array.len; k++) {
			size_t o3 = px_idx(c, k);
			if (px_val_u64(c, ports->u.array.values[k], 65535, &r->ports[k]) < 0)
				return -1;
			px_pop(c, o3);
		}
		px_pop(c, o2);
	});
	px_pop(c, old);
	return 0;
}

int px_landlock(struct pctx *c, yajl_val v, struct spec_landlock **out)
{
	int rc;
	if (v->type != yajl_t_object)
		return px_fail(c, "expected an object, got %s", px_type_name(v));
	struct spec_landlock *l = px_calloc(c, 1, sizeof(*l));
	if (!l)
		return -1;
	*out = l;
	yajl_val rs = px_obj(c, v, "ruleset", false, &rc);
	if (rc < 0)
		return -1;
	if (rs) {
		size_t old = px_key(c, "ruleset");
		if (px_rights(c, rs, "handledAccessFS", fs_names, LW_ARRAY_SIZE(fs_names),
			      "filesystem access right", &l->handled_fs) < 0 ||
		    px_rights(c, rs, "handledAccessNet", net_names, LW_ARRAY_SIZE(net_names),
			      "network access right", &l->handled_net) < 0 ||
		    px_rights(c, rs, "scoped", scope_names, LW_ARRAY_SIZE(scope_names), "scope",
			      &l->scoped) < 0)
			return -1;
		px_pop(c, old);
	}
	if (!l->handled_fs && !l->handled_net && !l->scoped)
		return px_fail_at(c, "ruleset", "restricts nothing: handledAccessFS, "
						"handledAccessNet and scoped are all empty");
	yajl_val rules = px_obj(c, v, "rules", false, &rc);
	if (rc < 0)
		return -1;
	if (rules) {
		size_t old = px_key(c, "rules");
		if (px_path_rules(c, rules, l) < 0 || px_port_rules(c, rules, l) < 0)
			return -1;
		px_pop(c, old);
	}
	if (px_bool(c, v, "disableBestEffort", &l->disable_best_effort) < 0)
		return -1;
	return 0;
}

int px_landlock_annotation(struct pctx *c, const char *json, struct spec_landlock **out)
{
	size_t old = c->len;
	int n = snprintf(c->path + c->len, sizeof(c->path) - c->len, "%sannotations[\"%s\"]",
			 c->len ? "." : "", SPEC_LANDLOCK_ANNOTATION);
	if (n > 0)
		c->len += (size_t)n < sizeof(c->path) - c->len ? (size_t)n : 0;
	cleanup_free char *jerr = NULL;
	yajl_val t = px_tree(json, strlen(json), &jerr);
	if (!t)
		return px_fail(c, "%s", jerr ? jerr : "invalid JSON");
	int r = px_landlock(c, t, out);
	yajl_tree_free(t);
	if (r == 0)
		px_pop(c, old);
	return r;
}
