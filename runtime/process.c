#define _GNU_SOURCE
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../spec/spec.h"
#include "cleanup.h"
#include "log.h"
#include "seccomp.h"
#include "sync.h"

int process_set_rlimits(const struct spec_process *p, lw_err *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct spec_rlimit *r = &p->rlimits[i];
		struct rlimit rl = { .rlim_cur = r->soft, .rlim_max = r->hard };
		if (setrlimit(r->resource, &rl) < 0)
			return lw_fail(err, errno, "process.rlimits[%zu] (%s soft %llu hard %llu)", i,
				       r->type, (unsigned long long)r->soft,
				       (unsigned long long)r->hard);
	}
	return 0;
}

struct sched_attr_ {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static int parse_cpu_list(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s || a < 0)
			return -1;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a)
				return -1;
		}
		for (long c = a; c <= b && c < CPU_SETSIZE; c++)
			CPU_SET((int)c, set);
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

int process_set_scheduling(const struct spec *s, const struct spec_process *p, lw_err *err)
{
	if (s->linux_ && s->linux_->personality) {
		const struct spec_personality *pe = s->linux_->personality;
		unsigned long dom = !strcmp(pe->domain, "LINUX32") ? PER_LINUX32 : PER_LINUX;
		if (personality(dom) < 0)
			return lw_fail(err, errno, "linux.personality.domain %s", pe->domain);
	}
	if (p->scheduler) {
		const struct spec_scheduler *sc = p->scheduler;
		struct sched_attr_ a = { .size = sizeof(a) };
		a.sched_policy = (uint32_t)sc->policy;
		a.sched_flags = sc->flags;
		a.sched_nice = sc->nice.set ? (int32_t)sc->nice.v : 0;
		a.sched_priority = sc->priority.set ? (uint32_t)sc->priority.v : 0;
		a.sched_runtime = sc->runtime.set ? sc->runtime.v : 0;
		a.sched_deadline = sc->deadline.set ? sc->deadline.v : 0;
		a.sched_period = sc->period.set ? sc->period.v : 0;
		if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
			return lw_fail(err, errno, "process.scheduler");
	}
	if (p->io_priority) {
		int v = (p->io_priority->ioclass << 13) | p->io_priority->priority;
		if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, v) < 0)
			return lw_fail(err, errno, "process.ioPriority");
	}
	if (p->exec_cpu_affinity && p->exec_cpu_affinity->initial) {
		cpu_set_t set;
		if (parse_cpu_list(p->exec_cpu_affinity->initial, &set) < 0)
			return lw_fail(err, 0, "process.execCPUAffinity.initial: invalid cpu list \"%s\"",
				       p->exec_cpu_affinity->initial);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			return lw_fail(err, errno, "process.execCPUAffinity.initial");
	}
	return 0;
}

static int last_cap(void)
{
	static int cached = -1;
	if (cached >= 0)
		return cached;
	int c = 40;
	while (c < 63 && prctl(PR_CAPBSET_READ, c + 1, 0, 0, 0) >= 0)
		c++;
	while (c > 0 && prctl(PR_CAPBSET_READ, c, 0, 0, 0) < 0)
		c--;
	cached = c;
	return c;
}

int process_set_user(const struct spec_process *p, bool setgroups_denied, lw_err *err)
{
	const struct spec_user *u = &p->user;
	int last = last_cap();
	uint64_t known = last >= 63 ? ~0ULL : ((1ULL << (last + 1)) - 1);

	if (p->has_capabilities) {
		const struct spec_capabilities *c = &p->capabilities;
		uint64_t all = c->bounding | c->effective | c->permitted | c->inheritable | c->ambient;
		if (all & ~known)
			lw_warn("process.capabilities: capabilities above %d are unknown to this "
				"kernel and ignored",
				last);
		for (int i = 0; i <= last; i++)
			if (!(c->bounding & (1ULL << i)) && prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 &&
			    errno != EINVAL)
				return lw_fail(err, errno, "process.capabilities.bounding: dropping %s",
					       spec_cap_name(i) ? spec_cap_name(i) : "?");
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			return lw_fail(err, errno, "PR_SET_KEEPCAPS");
	}

	if (!setgroups_denied) {
		gid_t *g = (gid_t *)u->additional_gids;
		if (setgroups(u->n_additional_gids, g) < 0)
			return lw_fail(err, errno, "process.user.additionalGids");
	} else if (u->n_additional_gids) {
		return lw_fail(err, EPERM,
			       "process.user.additionalGids: setgroups is denied in this user "
			       "namespace (rootless with a single mapping)");
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return lw_fail(err, errno, "process.user.gid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return lw_fail(err, errno, "process.user.uid %u", u->uid);

	if (p->has_capabilities) {
		const struct spec_capabilities *c = &p->capabilities;
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct d[2];
		uint64_t eff = c->effective & known, perm = c->permitted & known,
			 inh = c->inheritable & known;

		if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
			return lw_fail(err, errno, "PR_SET_KEEPCAPS");
		d[0].effective = (uint32_t)eff;
		d[1].effective = (uint32_t)(eff >> 32);
		d[0].permitted = (uint32_t)perm;
		d[1].permitted = (uint32_t)(perm >> 32);
		d[0].inheritable = (uint32_t)inh;
		d[1].inheritable = (uint32_t)(inh >> 32);
		if (syscall(SYS_capset, &h, d) < 0)
			return lw_fail(err, errno, "process.capabilities: capset");
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
			return lw_fail(err, errno, "process.capabilities.ambient: clear");
		/* as runc: an ambient capability that cannot be raised (not in
		 * permitted and inheritable) is a warning, not a failure */
		for (int i = 0; i <= last; i++)
			if ((c->ambient & (1ULL << i)) &&
			    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
				lw_debug("process.capabilities.ambient: cannot raise %s: %s",
					spec_cap_name(i) ? spec_cap_name(i) : "?", lw_strerror(errno));
	}
	return 0;
}

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], name, n) && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

int process_find_program(const struct spec_process *p, char **out, lw_err *err)
{
	const char *arg0 = p->args[0];
	const char *path;
	struct stat sb;
	int last_errno = ENOENT;

	if (strchr(arg0, '/')) {
		if (stat(arg0, &sb) < 0)
			return lw_fail(err, errno, "exec: \"%s\"", arg0);
		if (S_ISDIR(sb.st_mode))
			return lw_fail(err, EACCES, "exec: \"%s\": is a directory", arg0);
		if (access(arg0, X_OK) < 0)
			return lw_fail(err, errno, "exec: \"%s\"", arg0);
		*out = strdup(arg0);
		return 0;
	}
	path = env_get(p->env, "PATH");
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	cleanup_free char *dirs = strdup(path);
	if (!dirs)
		return lw_fail(err, ENOMEM, "exec");
	for (char *save, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *cand = NULL;
		if (asprintf(&cand, "%s/%s", *d ? d : ".", arg0) < 0)
			return lw_fail(err, ENOMEM, "exec");
		if (stat(cand, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
			if (access(cand, X_OK) == 0) {
				*out = cand;
				return 0;
			}
			last_errno = errno;
		}
		free(cand);
	}
	if (last_errno == ENOENT)
		return lw_fail(err, 0, "exec: \"%s\": executable file not found in $PATH", arg0);
	return lw_fail(err, last_errno, "exec: \"%s\"", arg0);
}

static char *home_of(uid_t uid)
{
	cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0) {
		/* name:pw:uid:gid:gecos:home:shell */
		char *fields[7] = { 0 };
		char *s = line;
		int n = 0;
		while (n < 7 && s) {
			fields[n++] = s;
			s = strchr(s, ':');
			if (s)
				*s++ = 0;
		}
		if (n >= 6 && fields[2] && (uid_t)strtoul(fields[2], NULL, 10) == uid && *fields[5]) {
			fields[5][strcspn(fields[5], "\n")] = 0;
			return strdup(fields[5]);
		}
	}
	return NULL;
}

char **process_environ(const struct spec_process *p, int listen_fds)
{
	size_t n = p->n_env;
	char **env = calloc(n + 4, sizeof(char *));
	size_t k = 0;

	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		/* the runtime's own LISTEN_* win when it passes fds through */
		if (listen_fds > 0 && (!strncmp(p->env[i], "LISTEN_FDS=", 11) ||
				       !strncmp(p->env[i], "LISTEN_PID=", 11)))
			continue;
		env[k++] = strdup(p->env[i]);
	}
	if (!env_get(p->env, "HOME")) {
		cleanup_free char *home = home_of(p->user.uid);
		if (asprintf(&env[k], "HOME=%s", home ? home : "/") >= 0)
			k++;
	}
	if (listen_fds > 0) {
		if (asprintf(&env[k], "LISTEN_FDS=%d", listen_fds) >= 0)
			k++;
		/* getpid() here is the pid the program will have after execve */
		if (asprintf(&env[k], "LISTEN_PID=%d", (int)getpid()) >= 0)
			k++;
	}
	env[k] = NULL;
	return env;
}

int process_load_seccomp(const struct lw_seccomp *sc, int sync_fd, lw_err *err)
{
	int nfd = -1;

	if (lw_seccomp_load(sc, &nfd, err) < 0)
		return -1;
	if (nfd < 0)
		return 0;
	/* the listenerPath agent gets the notify fd through the parent */
	int r = sync_send(sync_fd, SYNC_SECCOMP, 0, 0, NULL, nfd);
	int e = errno;
	close(nfd);
	if (r < 0)
		return lw_fail(err, e, "handing over the seccomp notify fd");
	return sync_expect(sync_fd, SYNC_SECCOMP_DONE, "seccomp listener", NULL, err);
}

void process_keep_fds(int n)
{
	int last = 2 + n;

	for (int fd = 3; fd <= last; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0)
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	syscall(SYS_close_range, (unsigned)last + 1, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */);
}
