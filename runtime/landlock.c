/* Landlock rulesets from process.landlock.  See landlock.h for where each
 * step runs.  The kernel interface is declared here rather than taken from
 * <linux/landlock.h>: Debian 12's headers stop at ABI 3, the machines run
 * ABI 6 and 7. */
#define _GNU_SOURCE
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../spec/spec.h"
#include "cleanup.h"
#include "log.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};
struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));
struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

/* bit numbers of linux/landlock.h */
#define FS(n) (UINT64_C(1) << (n))
#define LL_FS_ABI1 (FS(13) - 1) /* execute .. make_sym */
#define LL_FS_REFER FS(13)      /* ABI 2 */
#define LL_FS_TRUNCATE FS(14)   /* ABI 3 */
#define LL_FS_IOCTL_DEV FS(15)  /* ABI 5 */
/* the rights that apply to a file that is not a directory: execute,
 * write_file, read_file, truncate, ioctl_dev */
#define LL_FS_FILE (FS(0) | FS(1) | FS(2) | FS(14) | FS(15))

int lw_landlock_abi(void)
{
	static int abi = -1;
	if (abi < 0) {
		long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
		abi = v > 0 ? (int)v : 0;
	}
	return abi;
}

uint64_t lw_landlock_fs_rights(int abi)
{
	uint64_t m = 0;
	if (abi >= 1)
		m |= LL_FS_ABI1;
	if (abi >= 2)
		m |= LL_FS_REFER;
	if (abi >= 3)
		m |= LL_FS_TRUNCATE;
	if (abi >= 5)
		m |= LL_FS_IOCTL_DEV;
	return m;
}

uint64_t lw_landlock_net_rights(int abi)
{
	return abi >= 4 ? 3 : 0; /* bind_tcp, connect_tcp */
}

uint64_t lw_landlock_scopes(int abi)
{
	return abi >= 6 ? 3 : 0; /* abstract_unix_socket, signal */
}

static int first_bit(uint64_t m)
{
	return m ? __builtin_ctzll(m) : -1;
}

/* The first right in `missing` of kind `kind`, as an error. */
static int unsupported(lw_err *err, const char *origin, const char *field, const char *name,
		       int abi)
{
	if (abi == 0)
		return lw_fail(err, 0,
			       "%s: the kernel has no Landlock (not built in or not in the lsm= "
			       "boot list) and disableBestEffort is set",
			       origin);
	return lw_fail(err, 0,
		       "%s.%s: \"%s\" is not supported by this kernel (Landlock ABI %d) and "
		       "disableBestEffort is set",
		       origin, field, name, abi);
}

int lw_landlock_compile(const struct spec_landlock *l, const char *origin, int abi,
			struct lw_landlock **out, bool *warn, lw_err *err)
{
	uint64_t fs = lw_landlock_fs_rights(abi), net = lw_landlock_net_rights(abi),
		 sc = lw_landlock_scopes(abi);

	*out = NULL;
	*warn = false;
	if (l->disable_best_effort) {
		uint64_t m;
		if (abi == 0)
			return unsupported(err, origin, "", "", 0);
		if ((m = l->handled_fs & ~fs))
			return unsupported(err, origin, "ruleset.handledAccessFS",
					   spec_landlock_fs_name(first_bit(m)), abi);
		if ((m = l->handled_net & ~net))
			return unsupported(err, origin, "ruleset.handledAccessNet",
					   spec_landlock_net_name(first_bit(m)), abi);
		if ((m = l->scoped & ~sc))
			return unsupported(err, origin, "ruleset.scoped",
					   spec_landlock_scope_name(first_bit(m)), abi);
	}
	if (abi == 0) {
		*warn = true;
		return 0;
	}
	struct lw_landlock *ll = calloc(1, sizeof(*ll));
	if (!ll)
		return lw_fail(err, ENOMEM, "%s", origin);
	ll->src = l;
	ll->origin = origin;
	ll->handled_fs = l->handled_fs & fs;
	ll->handled_net = l->handled_net & net;
	ll->scoped = l->scoped & sc;
	ll->ruleset_fd = -1;
	if (!ll->handled_fs && !ll->handled_net && !ll->scoped) {
		free(ll); /* nothing this kernel can enforce */
		return 0;
	}
	*out = ll;
	return 0;
}

/* Where fd leads, as this process sees it (its root), from proc_fd's
 * self/fd; NULL if that cannot be told. */
static char *resolved_path(int proc_fd, int fd)
{
	char link[32], buf[PATH_MAX];
	snprintf(link, sizeof(link), "self/fd/%d", fd);
	ssize_t n = readlinkat(proc_fd, link, buf, sizeof(buf) - 1);
	if (n <= 0 || buf[0] != '/')
		return NULL; /* not a path beneath our root */
	buf[n] = 0;
	return strdup(buf);
}

static int add_path(struct lw_landlock *ll, size_t i, size_t k, size_t j, int proc_fd,
		    lw_err *err)
{
	const struct spec_landlock_path *r = &ll->src->path_beneath[i];
	struct ll_path_beneath_attr a = { .allowed_access = r->access & ll->handled_fs };
	struct stat st;
	const char *pin = ll->pins && j < ll->n_pins ? ll->pins[j] : NULL;
	/* symlinks are followed (inside the container's root: /bin -> usr/bin
	 * on merged-/usr images), /proc's magic links are not: a rule must
	 * not reach the runtime's own fds through /proc/self/fd.  A pinned
	 * path follows none. */
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = pin ? RESOLVE_NO_SYMLINKS : RESOLVE_NO_MAGICLINKS };
	if (ll->pinned && !pin)
		return lw_fail(err, ENOENT,
			       "%s.rules.pathBeneath[%zu].paths[%zu]: %s: the state dir has no record "
			       "of where it led at create",
			       ll->origin, i, k, r->paths[k]);
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, pin ? pin : r->paths[k], &how, sizeof(how));
	if (fd < 0 && pin && errno == ELOOP)
		return lw_fail(err, ELOOP,
			       "%s.rules.pathBeneath[%zu].paths[%zu]: %s led to %s when the "
			       "container was created, and a symlink is on that way now: refusing "
			       "to follow it for this process",
			       ll->origin, i, k, r->paths[k], pin);
	if (fd < 0 && pin)
		return lw_fail(err, errno, "%s.rules.pathBeneath[%zu].paths[%zu]: opening %s (%s at create)",
			       ll->origin, i, k, pin, r->paths[k]);
	if (fd < 0)
		return lw_fail(err, errno, "%s.rules.pathBeneath[%zu].paths[%zu]: opening %s",
			       ll->origin, i, k, r->paths[k]);
	if (!pin && proc_fd >= 0 && j < ll->n_pins)
		ll->pins[j] = resolved_path(proc_fd, fd);
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		a.allowed_access &= LL_FS_FILE; /* the others mean nothing on a file */
	a.parent_fd = fd;
	long rc = a.allowed_access ? syscall(SYS_landlock_add_rule, ll->ruleset_fd,
					     LL_RULE_PATH_BENEATH, &a, 0)
				   : 0;
	int e = errno;
	close(fd);
	if (rc < 0)
		return lw_fail(err, e, "%s.rules.pathBeneath[%zu].paths[%zu]: adding %s",
			       ll->origin, i, k, r->paths[k]);
	return 0;
}

static size_t n_rule_paths(const struct spec_landlock *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n_path_beneath; i++)
		n += l->path_beneath[i].n_paths;
	return n;
}

int lw_landlock_prepare(struct lw_landlock *ll, int min_fd, int proc_fd, lw_err *err)
{
	const struct spec_landlock *l = ll->src;
	struct ll_ruleset_attr attr = { .handled_access_fs = ll->handled_fs,
					.handled_access_net = ll->handled_net,
					.scoped = ll->scoped };
	/* the kernel takes a shorter struct from older ABIs' callers only;
	 * a longer one must end in zeros, and ours does when unsupported */
	ll->ruleset_fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ll->ruleset_fd < 0)
		return lw_fail(err, errno, "%s: creating the Landlock ruleset", ll->origin);
	if (ll->ruleset_fd < min_fd) {
		/* not in the range of fds the process keeps across execve (a
		 * hook run before the restriction must not inherit it) */
		int fd = fcntl(ll->ruleset_fd, F_DUPFD_CLOEXEC, min_fd);
		int e = errno;
		close(ll->ruleset_fd);
		ll->ruleset_fd = fd;
		if (fd < 0)
			return lw_fail(err, e, "%s: the Landlock ruleset", ll->origin);
	}
	if (!ll->pins && proc_fd >= 0 && n_rule_paths(l)) {
		ll->n_pins = n_rule_paths(l);
		ll->pins = calloc(ll->n_pins, sizeof(*ll->pins));
		if (!ll->pins)
			return lw_fail(err, ENOMEM, "%s", ll->origin);
	}
	for (size_t i = 0, j = 0; i < l->n_path_beneath; j += l->path_beneath[i].n_paths, i++) {
		if (!(l->path_beneath[i].access & ll->handled_fs))
			continue; /* best effort: nothing of it is known here */
		for (size_t k = 0; k < l->path_beneath[i].n_paths; k++)
			if (add_path(ll, i, k, j + k, proc_fd, err) < 0)
				return -1;
	}
	for (size_t i = 0; i < l->n_net_port; i++) {
		const struct spec_landlock_port *r = &l->net_port[i];
		struct ll_net_port_attr a = { .allowed_access = r->access & ll->handled_net };
		if (!a.allowed_access)
			continue;
		for (size_t k = 0; k < r->n_ports; k++) {
			a.port = r->ports[k];
			if (syscall(SYS_landlock_add_rule, ll->ruleset_fd, LL_RULE_NET_PORT, &a, 0) < 0)
				return lw_fail(err, errno, "%s.rules.netPort[%zu].ports[%zu]: port %lu",
					       ll->origin, i, k, (unsigned long)a.port);
		}
	}
	return 0;
}

int lw_landlock_enforce(struct lw_landlock *ll, lw_err *err)
{
	if (ll->ruleset_fd < 0)
		return 0;
	long rc = syscall(SYS_landlock_restrict_self, ll->ruleset_fd, 0);
	int e = errno;
	close(ll->ruleset_fd);
	ll->ruleset_fd = -1;
	if (rc < 0) {
		if (e == EPERM)
			return lw_fail(err, e,
				       "%s: restricting the process (Landlock needs "
				       "process.noNewPrivileges or CAP_SYS_ADMIN)",
				       ll->origin);
		return lw_fail(err, e, "%s: restricting the process", ll->origin);
	}
	return 0;
}

void lw_landlock_free(struct lw_landlock *ll)
{
	if (!ll)
		return;
	if (ll->ruleset_fd >= 0)
		close(ll->ruleset_fd);
	for (size_t j = 0; j < ll->n_pins; j++)
		free(ll->pins[j]);
	free(ll->pins);
	free(ll);
}

/* "refer, truncate" for the bits of m, names from fn. */
static void names_of(char *buf, size_t len, uint64_t m, const char *(*fn)(int))
{
	size_t at = strlen(buf);
	for (int b = 0; b < 64 && at + 1 < len; b++) {
		if (!(m & (UINT64_C(1) << b)))
			continue;
		int n = snprintf(buf + at, len - at, "%s%s", at ? ", " : "", fn(b) ? fn(b) : "?");
		if (n < 0 || (size_t)n >= len - at)
			break;
		at += (size_t)n;
	}
}

static int set_add(struct lw_landlock_set *set, const struct spec_landlock *l, const char *origin,
		   lw_err *err)
{
	bool warn;
	struct lw_landlock *ll;
	int abi = lw_landlock_abi();
	if (!l)
		return 0;
	if (lw_landlock_compile(l, origin, abi, &ll, &warn, err) < 0)
		return -1;
	if (warn)
		lw_warn("%s: the kernel has no Landlock; running without it (best effort; set "
			"disableBestEffort to refuse instead)",
			origin);
	if (abi > 0) {
		/* best effort left something out: say what */
		char dropped[512] = "";
		names_of(dropped, sizeof(dropped), l->handled_fs & ~lw_landlock_fs_rights(abi),
			 spec_landlock_fs_name);
		names_of(dropped, sizeof(dropped), l->handled_net & ~lw_landlock_net_rights(abi),
			 spec_landlock_net_name);
		names_of(dropped, sizeof(dropped), l->scoped & ~lw_landlock_scopes(abi),
			 spec_landlock_scope_name);
		if (*dropped)
			lw_warn("%s: not enforced, this kernel's Landlock (ABI %d) lacks it: %s "
				"(best effort; set disableBestEffort to refuse instead)",
				origin, abi, dropped);
	}
	if (ll)
		set->ll[set->n++] = ll;
	return 0;
}

int lw_landlock_set_compile(const struct spec *s, const struct spec_process *own,
			    struct lw_landlock_set *set, lw_err *err)
{
	memset(set, 0, sizeof(*set));
	if (set_add(set, s->process ? s->process->landlock : NULL, "config.json: process.landlock",
		    err) < 0 ||
	    set_add(set, s->landlock_annotation,
		    "config.json: annotations[\"" SPEC_LANDLOCK_ANNOTATION "\"]", err) < 0 ||
	    set_add(set, own && own != s->process ? own->landlock : NULL, "process.landlock",
		    err) < 0) {
		lw_landlock_set_free(set);
		return -1;
	}
	return 0;
}

int lw_landlock_set_prepare(struct lw_landlock_set *set, int min_fd, int proc_fd, lw_err *err)
{
	for (int i = 0; i < set->n; i++)
		if (lw_landlock_prepare(set->ll[i], min_fd, proc_fd, err) < 0)
			return -1;
	return 0;
}

int lw_landlock_set_pins_each(const struct lw_landlock_set *set,
			      int (*fn)(const char *record, void *arg), void *arg)
{
	for (int p = 0; p < set->n; p++) {
		const struct lw_landlock *ll = set->ll[p];
		for (size_t j = 0; j < ll->n_pins; j++) {
			const char *s = ll->pins[j];
			if (!s)
				continue;
			cleanup_free char *rec = malloc(2 * strlen(s) + 48);
			if (!rec)
				return -1;
			char *o = rec + sprintf(rec, "%d %zu ", p, j);
			for (; *s; s++) {
				if (*s == '\\' || *s == '\n')
					*o++ = '\\';
				*o++ = *s == '\n' ? 'n' : *s;
			}
			*o = 0;
			if (fn(rec, arg) < 0)
				return -1;
		}
	}
	return 0;
}

int lw_landlock_set_pin(struct lw_landlock_set *set, const char *text, lw_err *err)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		int p, at = 0;
		size_t j;
		if (len && sscanf(line, "%d %zu %n", &p, &j, &at) == 2 && at > 0 && (size_t)at < len &&
		    p >= 0 && p < set->n) {
			struct lw_landlock *ll = set->ll[p];
			size_t n = n_rule_paths(ll->src);
			if (j >= n)
				return lw_fail(err, EINVAL, "landlock pins: path %zu of %d: no such path", j, p);
			if (!ll->pins) {
				ll->pins = calloc(n, sizeof(*ll->pins));
				if (!ll->pins)
					return lw_fail(err, ENOMEM, "landlock pins");
				ll->n_pins = n;
			}
			char *v = malloc(len - (size_t)at + 1), *o = v;
			if (!v)
				return lw_fail(err, ENOMEM, "landlock pins");
			for (size_t q = (size_t)at; q < len; q++) {
				if (line[q] == '\\' && q + 1 < len) {
					q++;
					*o++ = line[q] == 'n' ? '\n' : line[q];
				} else {
					*o++ = line[q];
				}
			}
			*o = 0;
			free(ll->pins[j]);
			ll->pins[j] = v;
			ll->pinned = true;
		} else if (len) {
			return lw_fail(err, EINVAL, "landlock pins: bad record \"%.*s\"", (int)len, line);
		}
		line += len + (nl ? 1 : 0);
	}
	return 0;
}

int lw_landlock_set_enforce(struct lw_landlock_set *set, lw_err *err)
{
	if (set->enforced)
		return 0;
	set->enforced = true;
	for (int i = 0; i < set->n; i++)
		if (lw_landlock_enforce(set->ll[i], err) < 0)
			return -1;
	return 0;
}

void lw_landlock_set_free(struct lw_landlock_set *set)
{
	for (int i = 0; i < set->n; i++)
		lw_landlock_free(set->ll[i]);
	set->n = 0;
}
