/* lwtime: the measuring core of the leeward benchmark.
 *
 * Kept in C so that what is timed is the runtime command and nothing else:
 * the clock starts just before posix_spawn and stops when wait4 returns.
 *
 *   lwtime run [OPTS] -- CMD...        one sample: wall (CLOCK_MONOTONIC),
 *                                      user+sys of CMD and every descendant
 *                                      it waited for (wait4 rusage, the same
 *                                      as a getrusage(RUSAGE_CHILDREN) delta),
 *                                      ru_maxrss, exit status
 *   lwtime par -j J -n M [OPTS] -- CMD...  M runs of CMD, J at a time; "%d"
 *                                      in an argument becomes the run index;
 *                                      total wall, CPU, runs/s
 *   lwtime mem -n N -d PIDDIR [OPTS] -- CMD...
 *                                      N runs of CMD one after another (CMD
 *                                      must start a detached container and
 *                                      write PIDDIR/%d.pid); then the memory
 *                                      left resident: Pss/Rss of every
 *                                      process in the containers' cgroups and
 *                                      of every process left behind by the
 *                                      runtime (this program is a child
 *                                      subreaper, so daemonised leftovers
 *                                      reparent to it and are found)
 *
 * OPTS: -o FILE  append one JSON object per line (default stdout)
 *       -t SECS  kill CMD (its process group) after SECS seconds, rc 124;
 *                in par mode the limit is for the whole batch (default 120)
 *       -l STR   JSON members put first in the object ("rt":"x","case":"y")
 *       -e FILE  stderr of CMD (default /dev/null); stdin, stdout /dev/null
 *
 * Exit status: 0 when the measurement was taken (CMD's own status is in the
 * record as "rc"), 2 on usage or system errors.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

extern char **environ;

static const char *opt_out, *opt_label = "", *opt_err = "/dev/null", *opt_piddir;
static int opt_j = 1, opt_n = 1, opt_timeout = 120;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "lwtime: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t tv_us(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static FILE *out_open(void)
{
	if (!opt_out)
		return stdout;
	FILE *f = fopen(opt_out, "a");
	if (!f)
		die(opt_out);
	return f;
}

static void out_close(FILE *f)
{
	if (fflush(f) != 0)
		die("write");
	if (f != stdout)
		fclose(f);
}

static const char *sep(void)
{
	return *opt_label ? "," : "";
}

/* argv with every "%d" replaced by idx (idx < 0: unchanged). */
static char **subst(char **argv, int argc, int idx)
{
	char **v = calloc(argc + 1, sizeof *v);
	if (!v)
		die("calloc");
	for (int i = 0; i < argc; i++) {
		const char *p = idx >= 0 ? strstr(argv[i], "%d") : NULL;
		if (!p) {
			v[i] = argv[i];
			continue;
		}
		if (asprintf(&v[i], "%.*s%d%s", (int)(p - argv[i]), argv[i], idx, p + 2) < 0)
			die("asprintf");
	}
	return v;
}

static void free_subst(char **v, char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		if (v[i] != argv[i])
			free(v[i]);
	free(v);
}

static pid_t spawn(char **argv)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	pid_t pid;
	int err;

	/* Own process group, so that a timeout can kill the whole command. */
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, opt_err, O_WRONLY | O_CREAT | O_APPEND, 0644);
	err = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (err) {
		errno = err;
		return -1;
	}
	return pid;
}

static int status_rc(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

/* One timed run: returns rc; fills wall, rusage. */
static int timed(char **argv, int64_t *wall, struct rusage *ru)
{
	int st, killed = 0;
	timed_out = 0;
	alarm(opt_timeout);
	int64_t t0 = now_ns();
	pid_t pid = spawn(argv);
	if (pid < 0) {
		*wall = now_ns() - t0;
		alarm(0);
		memset(ru, 0, sizeof *ru);
		return 127;
	}
	while (wait4(pid, &st, 0, ru) < 0) {
		if (errno != EINTR)
			die("wait4");
		if (timed_out && !killed) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = 1;
		}
	}
	*wall = now_ns() - t0;
	alarm(0);
	if (killed) {
		fprintf(stderr, "lwtime: %s: killed after %d s\n", argv[0], opt_timeout);
		return 124;
	}
	return status_rc(st);
}

static int cmd_run(char **argv, int argc)
{
	struct rusage ru;
	int64_t wall;
	char **v = subst(argv, argc, -1);
	int rc = timed(v, &wall, &ru);
	FILE *f = out_open();
	fprintf(f, "{%s%s\"wall_ns\":%lld,\"user_us\":%lld,\"sys_us\":%lld,\"cpu_us\":%lld,"
		   "\"maxrss_kb\":%ld,\"rc\":%d}\n",
		opt_label, sep(), (long long)wall, (long long)tv_us(ru.ru_utime),
		(long long)tv_us(ru.ru_stime), (long long)(tv_us(ru.ru_utime) + tv_us(ru.ru_stime)),
		ru.ru_maxrss, rc);
	out_close(f);
	free(v);
	return 0;
}

static int cmd_par(char **argv, int argc)
{
	struct rusage r0, r1;
	int started = 0, running = 0, failed = 0, st, killed = 0, done = 0;
	long maxrss = 0;
	pid_t *inflight = calloc(opt_j, sizeof *inflight);
	if (!inflight)
		die("calloc");
	timed_out = 0;
	alarm(opt_timeout);

	getrusage(RUSAGE_CHILDREN, &r0);
	int64_t t0 = now_ns();
	while (started < opt_n || running > 0) {
		while (running < opt_j && started < opt_n) {
			char **v = subst(argv, argc, started);
			pid_t pid = spawn(v);
			free_subst(v, argv, argc);
			started++;
			if (pid < 0)
				continue; /* never ran: counted as failed at the end */
			running++;
			for (int k = 0; k < opt_j; k++)
				if (!inflight[k]) {
					inflight[k] = pid;
					break;
				}
		}
		if (running == 0)
			break;
		struct rusage ru;
		pid_t pid = wait4(-1, &st, 0, &ru);
		if (pid < 0) {
			if (errno != EINTR)
				die("wait4");
			if (timed_out && !killed) {
				for (int k = 0; k < opt_j; k++)
					if (inflight[k])
						kill(-inflight[k], SIGKILL);
				started = opt_n; /* start no more */
				killed = 1;
			}
			continue;
		}
		for (int k = 0; k < opt_j; k++)
			if (inflight[k] == pid)
				inflight[k] = 0;
		running--;
		done++; /* ran to the end; failed counts the ones that failed */
		if (status_rc(st) != 0)
			failed++;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	int64_t wall = now_ns() - t0;
	alarm(0);
	free(inflight);
	if (killed)
		fprintf(stderr, "lwtime: par: killed after %d s\n", opt_timeout);
	getrusage(RUSAGE_CHILDREN, &r1);
	int64_t user = tv_us(r1.ru_utime) - tv_us(r0.ru_utime);
	int64_t sys = tv_us(r1.ru_stime) - tv_us(r0.ru_stime);
	FILE *f = out_open();
	fprintf(f, "{%s%s\"jobs\":%d,\"runs\":%d,\"failed\":%d,\"wall_ns\":%lld,\"user_us\":%lld,"
		   "\"sys_us\":%lld,\"cpu_us\":%lld,\"per_s\":%.3f,\"maxrss_kb\":%ld,\"rc\":%d}\n",
		opt_label, sep(), opt_j, done, opt_n - (done - failed), (long long)wall, (long long)user,
		(long long)sys, (long long)(user + sys), wall > 0 ? done * 1e9 / (double)wall : 0.0,
		maxrss, failed || killed || done != opt_n ? 1 : 0);
	out_close(f);
	return 0;
}

/* ---- memory left resident ---- */

struct proc {
	pid_t pid;
	int kind; /* 0 container init, 1 other in a container cgroup, 2 outside */
};

static struct proc *procs;
static size_t nprocs, capprocs;

static void add_proc(pid_t pid, int kind)
{
	for (size_t i = 0; i < nprocs; i++)
		if (procs[i].pid == pid) {
			if (kind < procs[i].kind)
				procs[i].kind = kind;
			return;
		}
	if (nprocs == capprocs) {
		capprocs = capprocs ? capprocs * 2 : 64;
		procs = realloc(procs, capprocs * sizeof *procs);
		if (!procs)
			die("realloc");
	}
	procs[nprocs++] = (struct proc){ pid, kind };
}

static const char *unified_root(void)
{
	struct statfs sf;
	if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup";
	if (statfs("/sys/fs/cgroup/unified", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup/unified";
	return NULL;
}

/* Directory of pid's cgroup (unified tree; the v1 pids tree when the unified
 * path is the root, as on hosts where the runtime only uses v1). */
static int cgroup_dir(pid_t pid, char *buf, size_t len)
{
	char path[64], line[4096], self[4096] = "";
	const char *uroot = unified_root();
	int found = 0;

	for (int pass = 0; pass < 2; pass++) {
		snprintf(path, sizeof path, pass ? "/proc/self/cgroup" : "/proc/%d/cgroup", pid);
		FILE *f = fopen(path, "r");
		if (!f)
			return -1;
		while (fgets(line, sizeof line, f)) {
			line[strcspn(line, "\n")] = 0;
			char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			if (!c2)
				continue;
			*c1 = 0;
			*c2 = 0;
			const char *ctrl = c1 + 1, *cg = c2 + 1;
			if (pass == 1) {
				if (!*ctrl)
					snprintf(self, sizeof self, "%s", cg);
				continue;
			}
			if (!*ctrl && uroot && strcmp(cg, "/") != 0) {
				snprintf(buf, len, "%s%s", uroot, cg);
				found = 2;
			} else if (found < 2 && strcmp(ctrl, "pids") == 0 && strcmp(cg, "/") != 0) {
				snprintf(buf, len, "/sys/fs/cgroup/pids%s", cg);
				found = 1;
			}
		}
		fclose(f);
	}
	/* Never sweep the cgroup this benchmark itself runs in. */
	if (found == 2 && *self && strcmp(buf + strlen(uroot), self) == 0)
		return -1;
	return found ? 0 : -1;
}

static void add_cgroup_procs(const char *dir, int depth)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "r");
	if (f) {
		long pid;
		while (fscanf(f, "%ld", &pid) == 1)
			add_proc((pid_t)pid, 1);
		fclose(f);
	}
	if (depth > 8)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		add_cgroup_procs(path, depth + 1);
	}
	closedir(d);
}

static pid_t ppid_of(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	int ppid;
	if (!p || sscanf(p + 2, "%*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

static void add_descendants(pid_t self)
{
	DIR *d = opendir("/proc");
	if (!d)
		die("/proc");
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		for (pid_t p = (pid_t)pid, hops = 0; p > 1 && hops < 64; hops++) {
			p = ppid_of(p);
			if (p == self) {
				add_proc((pid_t)pid, 2);
				break;
			}
		}
	}
	closedir(d);
}

static void smaps(pid_t pid, long *pss, long *rss)
{
	char path[64], line[256];
	*pss = *rss = -1;
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		long v;
		if (sscanf(line, "Pss: %ld", &v) == 1)
			*pss = v;
		else if (sscanf(line, "Rss: %ld", &v) == 1)
			*rss = v;
	}
	fclose(f);
}

static void comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	FILE *f = fopen(path, "r");
	buf[0] = 0;
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
	for (char *p = buf; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '_';
}

static int cmd_mem(char **argv, int argc)
{
	int failed = 0;
	long maxrss = 0;
	int64_t wall_sum = 0;
	pid_t self = getpid();

	if (!opt_piddir) {
		fprintf(stderr, "lwtime mem: -d PIDDIR is required\n");
		return 2;
	}
	/* Daemonised leftovers of the runtime reparent to us, not to init. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("PR_SET_CHILD_SUBREAPER");
	for (int i = 0; i < opt_n; i++) {
		struct rusage ru;
		int64_t wall;
		char **v = subst(argv, argc, i);
		if (timed(v, &wall, &ru) != 0)
			failed++;
		free_subst(v, argv, argc);
		wall_sum += wall;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	/* Let lazily-started helpers settle. */
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	nanosleep(&ts, NULL);

	int inits = 0;
	for (int i = 0; i < opt_n; i++) {
		char path[PATH_MAX], dir[PATH_MAX];
		long pid = 0;
		snprintf(path, sizeof path, "%s/%d.pid", opt_piddir, i);
		FILE *f = fopen(path, "r");
		if (!f || fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
			if (f)
				fclose(f);
			continue;
		}
		fclose(f);
		inits++;
		add_proc((pid_t)pid, 0);
		if (cgroup_dir((pid_t)pid, dir, sizeof dir) == 0)
			add_cgroup_procs(dir, 0);
	}
	add_descendants(self);

	long pss[3] = { 0 }, rss[3] = { 0 };
	int cnt[3] = { 0 };
	char names[4096] = "";
	size_t nl = 0;
	for (size_t i = 0; i < nprocs; i++) {
		long p, r;
		smaps(procs[i].pid, &p, &r);
		if (p < 0)
			continue; /* gone, or a zombie */
		int k = procs[i].kind;
		pss[k] += p;
		rss[k] += r;
		cnt[k]++;
		if (k != 0 && nl < sizeof names - 64) {
			char c[32];
			comm(procs[i].pid, c, sizeof c);
			nl += snprintf(names + nl, sizeof names - nl, "%s\"%s\"", nl ? "," : "", c);
		}
	}
	int n = opt_n > 0 ? opt_n : 1;
	FILE *f = out_open();
	fprintf(f,
		"{%s%s\"containers\":%d,\"started\":%d,\"failed\":%d,\"wall_ns\":%lld,\"maxrss_kb\":%ld,"
		"\"pss_kb\":%ld,\"rss_kb\":%ld,\"pss_per_container_kb\":%.1f,"
		"\"init_pss_kb\":%ld,\"init_procs\":%d,"
		"\"cgroup_other_pss_kb\":%ld,\"cgroup_other_procs\":%d,"
		"\"outside_pss_kb\":%ld,\"outside_procs\":%d,"
		"\"overhead_pss_per_container_kb\":%.1f,\"other_comms\":[%s],\"rc\":%d}\n",
		opt_label, sep(), opt_n, inits, failed, (long long)(wall_sum / n), maxrss,
		pss[0] + pss[1] + pss[2], rss[0] + rss[1] + rss[2],
		(pss[0] + pss[1] + pss[2]) / (double)n, pss[0], cnt[0], pss[1], cnt[1], pss[2], cnt[2],
		(pss[1] + pss[2]) / (double)n, names, failed || inits != opt_n ? 1 : 0);
	out_close(f);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: lwtime run|par|mem [-j J] [-n N] [-d PIDDIR] [-o FILE] [-l LABEL] "
			"[-e ERRFILE] [-t SECS] -- CMD...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const char *mode = argv[1];
	int c;
	optind = 2;
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: wait4 returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	while ((c = getopt(argc, argv, "+j:n:d:o:l:e:t:")) != -1) {
		switch (c) {
		case 'j': opt_j = atoi(optarg); break;
		case 'n': opt_n = atoi(optarg); break;
		case 'd': opt_piddir = optarg; break;
		case 'o': opt_out = optarg; break;
		case 'l': opt_label = optarg; break;
		case 'e': opt_err = optarg; break;
		case 't': opt_timeout = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind >= argc || opt_j < 1 || opt_n < 0)
		usage();
	char **cmd = argv + optind;
	int ncmd = argc - optind;
	if (strcmp(mode, "run") == 0)
		return cmd_run(cmd, ncmd);
	if (strcmp(mode, "par") == 0)
		return cmd_par(cmd, ncmd);
	if (strcmp(mode, "mem") == 0)
		return cmd_mem(cmd, ncmd);
	usage();
	return 2;
}
