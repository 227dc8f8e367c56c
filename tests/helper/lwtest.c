/* lwtest: a small static multi-call helper that the integration tests run
 * inside a container (as /bin/lwtest) to report facts about the process
 * the runtime built.  Output is machine-readable: one `key=value` or one
 * plain value per line.  Exit status 0 means the fact was read; 1 means the
 * query itself failed (the reason goes to stderr); 2 is a usage error.
 *
 * Also used on the host: `lwtest recvtty SOCKET` is the console-socket
 * receiver for terminal tests, `lwtest ptyrun` runs a command on a terminal.
 *
 * Plain C + glibc, built with -static so it runs in a busybox rootfs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/sysmacros.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int fail(const char *what)
{
	fprintf(stderr, "lwtest: %s: %s\n", what, strerror(errno));
	return 1;
}

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "EUNKNOWN";
}

/* Print the lines of FILE that start with one of PREFIXES as key=value,
 * the key lower-cased and stripped of the prefix given in STRIP. */
static int status_fields(const char *const *keys, const char *const *names)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[512];
	if (!f)
		return fail("/proc/self/status");
	while (fgets(line, sizeof(line), f)) {
		for (int i = 0; keys[i]; i++) {
			size_t n = strlen(keys[i]);
			if (strncmp(line, keys[i], n) == 0 && line[n] == ':') {
				char *v = line + n + 1;
				v += strspn(v, " \t");
				v[strcspn(v, "\n")] = '\0';
				printf("%s=%s\n", names[i], v);
			}
		}
	}
	fclose(f);
	return 0;
}

static int cmd_caps(void)
{
	static const char *const k[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", NULL};
	static const char *const n[] = {"inh", "prm", "eff", "bnd", "amb", NULL};
	return status_fields(k, n);
}

static int cmd_seccomp(void)
{
	static const char *const k[] = {"Seccomp", "Seccomp_filters", NULL};
	static const char *const n[] = {"seccomp", "filters", NULL};
	return status_fields(k, n);
}

static int cmd_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	if (!d)
		return fail("/proc/self/fd");
	int self = dirfd(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd <= 2 || fd == self)
			continue;
		char p[64], t[PATH_MAX];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(p, t, sizeof(t) - 1);
		t[n < 0 ? 0 : n] = '\0';
		printf("%d=%s\n", fd, t);
	}
	closedir(d);
	return 0;
}

static int cmd_cwd(void)
{
	char b[PATH_MAX];
	if (!getcwd(b, sizeof(b)))
		return fail("getcwd");
	printf("%s\n", b);
	return 0;
}

static int cmd_ids(void)
{
	gid_t g[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, g);
	if (n < 0)
		return fail("getgroups");
	printf("uid=%u\ngid=%u\neuid=%u\negid=%u\ngroups=", getuid(), getgid(), geteuid(), getegid());
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", g[i]);
	printf("\n");
	return 0;
}

static int cmd_umask(void)
{
	mode_t m = umask(0);
	printf("%04o\n", m);
	return 0;
}

static const struct {
	const char *name;
	int res;
} rlimits[] = {
	{"AS", RLIMIT_AS},           {"CORE", RLIMIT_CORE},       {"CPU", RLIMIT_CPU},
	{"DATA", RLIMIT_DATA},       {"FSIZE", RLIMIT_FSIZE},     {"LOCKS", RLIMIT_LOCKS},
	{"MEMLOCK", RLIMIT_MEMLOCK}, {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},
	{"NOFILE", RLIMIT_NOFILE},   {"NPROC", RLIMIT_NPROC},     {"RSS", RLIMIT_RSS},
	{"RTPRIO", RLIMIT_RTPRIO},   {"RTTIME", RLIMIT_RTTIME},   {"SIGPENDING", RLIMIT_SIGPENDING},
	{"STACK", RLIMIT_STACK},
};

static void print_lim(const char *k, rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("%s=unlimited\n", k);
	else
		printf("%s=%llu\n", k, (unsigned long long)v);
}

static int cmd_rlimit(const char *name)
{
	if (strncasecmp(name, "RLIMIT_", 7) == 0)
		name += 7;
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++) {
		if (strcasecmp(name, rlimits[i].name) == 0) {
			struct rlimit r;
			if (getrlimit(rlimits[i].res, &r) < 0)
				return fail("getrlimit");
			print_lim("soft", r.rlim_cur);
			print_lim("hard", r.rlim_max);
			return 0;
		}
	}
	fprintf(stderr, "lwtest: unknown rlimit %s\n", name);
	return 2;
}

static int cmd_nnp(void)
{
	int r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	if (r < 0)
		return fail("prctl(PR_GET_NO_NEW_PRIVS)");
	printf("%d\n", r);
	return 0;
}

/* CVE-2019-5736: the container must not be able to open the binary that
 * runs it (or the runtime's) for writing through /proc. */
static int cmd_write_exe(void)
{
	const char *paths[] = {"/proc/self/exe", "/proc/1/exe"};
	for (int i = 0; i < 2; i++) {
		int fd = open(paths[i], O_WRONLY | O_CLOEXEC);
		printf("%s=%s\n", paths[i], fd >= 0 ? "writable" : errname(errno));
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

/* Watch for processes in this pid namespace whose executable is not ours
 * (the runtime's process while it joins us for `exec`), hold an O_PATH
 * handle on each, and try to reopen it for writing while it runs and after
 * it is gone: the CVE-2019-5736 attack, without writing anything. */
static int cmd_exe_race(int ms)
{
	char self[PATH_MAX];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[sl < 0 ? 0 : sl] = '\0';
	int held[64], nheld = 0, seen = 0, writable = 0;
	pid_t seenpid[256];
	int nseenpid = 0;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long el = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (el > ms)
			break;
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d))) {
			pid_t pid = atoi(e->d_name);
			if (pid <= 0 || pid == getpid())
				continue;
			int known = 0;
			for (int i = 0; i < nseenpid; i++)
				known |= seenpid[i] == pid;
			if (known)
				continue;
			char p[64], t[PATH_MAX];
			snprintf(p, sizeof(p), "/proc/%d/exe", pid);
			int fd = open(p, O_PATH | O_CLOEXEC);
			if (fd < 0)
				continue;
			ssize_t n = readlink(p, t, sizeof(t) - 1);
			t[n < 0 ? 0 : n] = '\0';
			if (n < 0 || strcmp(t, self) == 0 || strncmp(t, "/bin/", 5) == 0 ||
			    nheld >= 64) {
				close(fd);
				continue;
			}
			if (nseenpid < 256)
				seenpid[nseenpid++] = pid;
			printf("seen=%s\n", t);
			seen++;
			held[nheld++] = fd;
		}
		if (d)
			closedir(d);
		for (int i = 0; i < nheld; i++) {
			char p[64];
			if (held[i] < 0)
				continue;
			snprintf(p, sizeof(p), "/proc/self/fd/%d", held[i]);
			int w = open(p, O_WRONLY | O_CLOEXEC);
			if (w >= 0) {
				printf("writable=%s\n", p);
				writable++;
				close(w);
				close(held[i]);
				held[i] = -1;
			}
		}
		usleep(1000);
	}
	printf("seen_total=%d\nwritable_total=%d\n", seen, writable);
	return 0;
}

/* The session keyring: its description says who made it (runc-style
 * runtimes name it `_ses.ID`, or inherit the caller's with --no-new-keyring). */
static int cmd_keyring(void)
{
	/* KEYCTL_GET_KEYRING_ID = 0, KEYCTL_DESCRIBE = 6,
	 * KEY_SPEC_SESSION_KEYRING = -3 */
	long id = syscall(SYS_keyctl, 0, -3, 0);
	if (id < 0)
		return fail("keyctl(GET_KEYRING_ID)");
	char d[512] = {0};
	if (syscall(SYS_keyctl, 6, id, d, sizeof(d) - 1) < 0)
		return fail("keyctl(DESCRIBE)");
	char *name = strrchr(d, ';');
	printf("id=%ld\nname=%s\n", id, name ? name + 1 : d);
	return 0;
}

static int cmd_open(const char *path, const char *mode)
{
	int flags = O_RDONLY;
	if (mode && strcmp(mode, "rw") == 0)
		flags = O_RDWR;
	else if (mode && strcmp(mode, "w") == 0)
		flags = O_WRONLY;
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	printf("ok\n");
	close(fd);
	return 0;
}

static int cmd_env(void)
{
	for (char **e = environ; *e; e++)
		printf("%s\n", *e);
	return 0;
}

static int cmd_hostname(void)
{
	struct utsname u;
	if (uname(&u) < 0)
		return fail("uname");
	printf("hostname=%s\ndomainname=%s\n", u.nodename, u.domainname);
	return 0;
}

static int cat(const char *path)
{
	FILE *f = fopen(path, "re");
	char b[4096];
	size_t n;
	if (!f)
		return fail(path);
	while ((n = fread(b, 1, sizeof(b), f)) > 0)
		fwrite(b, 1, n, stdout);
	fclose(f);
	return 0;
}

static int cmd_personality(void)
{
	int p = personality(0xffffffff);
	if (p < 0)
		return fail("personality");
	printf("0x%x\n", p);
	return 0;
}

static int cmd_sched(void)
{
	int pol = sched_getscheduler(0);
	struct sched_param sp;
	if (pol < 0 || sched_getparam(0, &sp) < 0)
		return fail("sched_getscheduler");
	const char *name = "SCHED_UNKNOWN";
	switch (pol & ~SCHED_RESET_ON_FORK) {
	case SCHED_OTHER: name = "SCHED_OTHER"; break;
	case SCHED_FIFO: name = "SCHED_FIFO"; break;
	case SCHED_RR: name = "SCHED_RR"; break;
	case SCHED_BATCH: name = "SCHED_BATCH"; break;
	case SCHED_IDLE: name = "SCHED_IDLE"; break;
#ifdef SCHED_DEADLINE
	case SCHED_DEADLINE: name = "SCHED_DEADLINE"; break;
#endif
	}
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	printf("policy=%s\npriority=%d\nnice=%d\nreset_on_fork=%d\n", name, sp.sched_priority, nice,
	       (pol & SCHED_RESET_ON_FORK) ? 1 : 0);
	return 0;
}

static int cmd_ioprio(void)
{
	/* ioprio_get(IOPRIO_WHO_PROCESS, 0) */
	long r = syscall(SYS_ioprio_get, 1, 0);
	if (r < 0)
		return fail("ioprio_get");
	static const char *const cls[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
					  "IOPRIO_CLASS_IDLE"};
	int c = (int)(r >> 13);
	printf("class=%s\npriority=%ld\n", c < 4 ? cls[c] : "?", r & 0xff);
	return 0;
}

static int cmd_ns(void)
{
	DIR *d = opendir("/proc/self/ns");
	struct dirent *e;
	if (!d)
		return fail("/proc/self/ns");
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[300], t[256];
		snprintf(p, sizeof(p), "/proc/self/ns/%s", e->d_name);
		ssize_t n = readlink(p, t, sizeof(t) - 1);
		t[n < 0 ? 0 : n] = '\0';
		printf("%s=%s\n", e->d_name, t);
	}
	closedir(d);
	return 0;
}

static int cmd_stat(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	const char *type = S_ISREG(st.st_mode)   ? "file"
			   : S_ISDIR(st.st_mode) ? "dir"
			   : S_ISLNK(st.st_mode) ? "symlink"
			   : S_ISCHR(st.st_mode) ? "char"
			   : S_ISBLK(st.st_mode) ? "block"
			   : S_ISFIFO(st.st_mode) ? "fifo"
						  : "socket";
	printf("type=%s\nmode=%04o\nuid=%u\ngid=%u\nmajor=%u\nminor=%u\n", type, st.st_mode & 07777,
	       st.st_uid, st.st_gid, major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

static int cmd_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	close(fd);
	printf("ok\n");
	return 0;
}

static int cmd_mkdir(const char *path)
{
	if (mkdir(path, 0755) < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int cmd_tty(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		char *n = ttyname(fd);
		printf("%d=%s\n", fd, isatty(fd) ? (n ? n : "tty") : "notty");
	}
	struct winsize ws;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0)
		printf("size=%ux%u\n", ws.ws_row, ws.ws_col);
	printf("pgrp_is_fg=%d\n", tcgetpgrp(0) == getpgrp());
	return 0;
}

/* Block until a signal arrives: create READYFILE once the mask is set, then
 * print the signal and exit with 100 + its number. */
static int cmd_wait_signal(const char *ready)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return fail(ready);
		close(fd);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		siginfo_t si;
		int s = sigwaitinfo(&all, &si);
		if (s < 0)
			continue;
		if (s == SIGCHLD || s == SIGWINCH || s == SIGURG)
			continue;
		printf("signal=%s\nsigno=%d\n", sigabbrev_np(s) ? sigabbrev_np(s) : "?", s);
		fflush(stdout);
		return 100 + s;
	}
}

/* Console socket receiver (host side): listen on SOCKET, accept one
 * connection, receive the pty master with SCM_RIGHTS, print `pty=OK` and
 * then copy everything the container writes to stdout until the pty
 * closes.  Optional INPUT is written to the pty first. */
static int cmd_recvtty(const char *path, const char *input)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "lwtest: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, path);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0)
		return fail("console socket");
	int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return fail("accept");
	char name[PATH_MAX + 1] = {0};
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			   .msg_controllen = sizeof(cbuf)};
	ssize_t n = recvmsg(c, &m, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return fail("recvmsg");
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "lwtest: no fd received on the console socket\n");
		return 1;
	}
	int master;
	memcpy(&master, CMSG_DATA(cm), sizeof(int));
	close(c);
	close(l);
	char peer[64];
	int ptn = -1;
	ioctl(master, TIOCGPTN, &ptn);
	snprintf(peer, sizeof(peer), "%d", ptn);
	printf("pty=ok\nname=%s\nptn=%s\n", name, peer);
	fflush(stdout);
	if (input && write(master, input, strlen(input)) < 0)
		return fail("write pty");
	char b[4096];
	for (;;) {
		ssize_t r = read(master, b, sizeof(b));
		if (r <= 0)
			break; /* EIO once every slave fd is closed */
		fwrite(b, 1, r, stdout);
		fflush(stdout);
	}
	return 0;
}

/* Host side: run CMD on a new pty as its controlling terminal, like a user
 * at a terminal would (and unlike script(1), whose stdin handling races
 * with the program's own tty setup).  INPUT is "typed" once the program has
 * put the terminal into raw mode, or after 2 s if it never does.  Prints
 * what appears on the terminal and exits with CMD's status (128+N for a
 * signal).  After SECONDS the whole session is SIGKILLed: exit 124. */
static pid_t ptyrun_child;

static void ptyrun_timeout(int sig)
{
	(void)sig;
	kill(-ptyrun_child, SIGKILL);
	kill(ptyrun_child, SIGKILL);
	static const char m[] = "\nlwtest ptyrun: timed out, session killed\n";
	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(124);
	_exit(124);
}

static int cmd_ptyrun(int secs, const char *input, char **cmd)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		return fail("posix_openpt");
	const char *slave = ptsname(master);
	if (!slave)
		return fail("ptsname");
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		setsid();
		int s = open(slave, O_RDWR);
		if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
			_exit(fail(slave));
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		/* nothing else: a leaked fd (bats' fd 3) would outlive the run */
		syscall(SYS_close_range, 3, ~0U, 0);
		execvp(cmd[0], cmd);
		fail(cmd[0]);
		_exit(127);
	}
	ptyrun_child = pid;
	signal(SIGALRM, ptyrun_timeout);
	alarm((unsigned)secs);
	bool typed = !input;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char b[4096];
	for (;;) {
		if (!typed) {
			struct termios tio;
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			bool raw = tcgetattr(master, &tio) == 0 && !(tio.c_lflag & ICANON);
			if (raw || now.tv_sec - t0.tv_sec >= 2) {
				if (write(master, input, strlen(input)) < 0)
					return fail("write pty");
				typed = true;
			}
		}
		struct pollfd p = {.fd = master, .events = POLLIN};
		int r = poll(&p, 1, typed ? -1 : 20);
		if (r < 0 && errno != EINTR)
			return fail("poll");
		if (r <= 0)
			continue;
		ssize_t n = read(master, b, sizeof(b));
		if (n <= 0)
			break; /* EIO: every slave fd is closed */
		fwrite(b, 1, (size_t)n, stdout);
		fflush(stdout);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return fail("waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* net bind|connect PORT: a TCP socket on 127.0.0.1; net unix-connect NAME,
 * net unix-listen NAME [READYFILE]: an abstract unix socket.  Prints "ok"
 * or the errno's name (connect to a closed port: ECONNREFUSED, which means
 * the connect itself was allowed). */
static int cmd_net(const char *op, const char *arg, const char *ready)
{
	int r, fd;
	if (!strcmp(op, "bind") || !strcmp(op, "connect")) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons((uint16_t)atoi(arg)),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return fail("socket");
		r = op[0] == 'b' ? bind(fd, (struct sockaddr *)&a, sizeof(a))
				 : connect(fd, (struct sockaddr *)&a, sizeof(a));
	} else if (!strcmp(op, "unix-connect") || !strcmp(op, "unix-listen")) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		size_t n = strlen(arg);
		if (n + 1 > sizeof(a.sun_path))
			return 2;
		memcpy(a.sun_path + 1, arg, n); /* abstract: leading NUL */
		socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return fail("socket");
		if (op[5] == 'l') {
			if (bind(fd, (struct sockaddr *)&a, len) < 0 || listen(fd, 8) < 0)
				return fail("listen");
			if (ready)
				close(open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
			for (;;) {
				int c = accept(fd, NULL, NULL);
				if (c >= 0)
					close(c);
			}
		}
		r = connect(fd, (struct sockaddr *)&a, len);
	} else {
		return 2;
	}
	printf("%s\n", r == 0 ? "ok" : errname(errno));
	return r == 0 ? 0 : 1;
}

/* signal PID: kill(PID, 0), "ok" or the errno's name. */
static int cmd_signal(const char *pid)
{
	int r = kill(atoi(pid), 0);
	printf("%s\n", r == 0 ? "ok" : errname(errno));
	return r == 0 ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: lwtest CMD [ARGS]\n"
		"  caps fds cwd ids umask nnp seccomp write-exe env hostname oomscore\n"
		"  personality sched ioprio mounts ns cgroup pid tty keyring\n"
		"  rlimit NAME | open PATH [r|w|rw] | stat PATH | cat PATH\n"
		"  mkdir PATH | write PATH TEXT | sleep SECONDS | exit CODE\n"
		"  kill-self SIG | wait-signal [READYFILE] | exe-race MS\n"
		"  recvtty SOCKET [INPUT] | ptyrun SECONDS INPUT CMD [ARGS]\n"
		"  net bind|connect PORT | net unix-connect|unix-listen NAME [READYFILE]\n"
		"  signal PID\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	const char *a1 = argc > 2 ? argv[2] : NULL;
	const char *a2 = argc > 3 ? argv[3] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "caps"))
		return cmd_caps();
	if (!strcmp(cmd, "fds"))
		return cmd_fds();
	if (!strcmp(cmd, "cwd"))
		return cmd_cwd();
	if (!strcmp(cmd, "ids"))
		return cmd_ids();
	if (!strcmp(cmd, "umask"))
		return cmd_umask();
	if (!strcmp(cmd, "nnp"))
		return cmd_nnp();
	if (!strcmp(cmd, "seccomp"))
		return cmd_seccomp();
	if (!strcmp(cmd, "write-exe"))
		return cmd_write_exe();
	if (!strcmp(cmd, "env"))
		return cmd_env();
	if (!strcmp(cmd, "hostname"))
		return cmd_hostname();
	if (!strcmp(cmd, "oomscore"))
		return cat("/proc/self/oom_score_adj");
	if (!strcmp(cmd, "personality"))
		return cmd_personality();
	if (!strcmp(cmd, "sched"))
		return cmd_sched();
	if (!strcmp(cmd, "ioprio"))
		return cmd_ioprio();
	if (!strcmp(cmd, "mounts"))
		return cat("/proc/self/mountinfo");
	if (!strcmp(cmd, "cgroup"))
		return cat("/proc/self/cgroup");
	if (!strcmp(cmd, "ns"))
		return cmd_ns();
	if (!strcmp(cmd, "pid")) {
		printf("pid=%d\nppid=%d\n", getpid(), getppid());
		return 0;
	}
	if (!strcmp(cmd, "tty"))
		return cmd_tty();
	if (!strcmp(cmd, "keyring"))
		return cmd_keyring();
	if (!strcmp(cmd, "wait-signal"))
		return cmd_wait_signal(a1);
	if (!strcmp(cmd, "exe-race") && a1)
		return cmd_exe_race(atoi(a1));
	if (!strcmp(cmd, "rlimit") && a1)
		return cmd_rlimit(a1);
	if (!strcmp(cmd, "open") && a1)
		return cmd_open(a1, a2);
	if (!strcmp(cmd, "stat") && a1)
		return cmd_stat(a1);
	if (!strcmp(cmd, "cat") && a1)
		return cat(a1);
	if (!strcmp(cmd, "mkdir") && a1)
		return cmd_mkdir(a1);
	if (!strcmp(cmd, "write") && a1 && a2)
		return cmd_write(a1, a2);
	if (!strcmp(cmd, "sleep") && a1) {
		sleep(atoi(a1));
		return 0;
	}
	if (!strcmp(cmd, "exit") && a1)
		return atoi(a1);
	if (!strcmp(cmd, "kill-self") && a1) {
		int s = atoi(a1);
		signal(s, SIG_DFL);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, s);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), s);
		pause();
		return 1;
	}
	if (!strcmp(cmd, "net") && a1 && a2)
		return cmd_net(a1, a2, argc > 4 ? argv[4] : NULL);
	if (!strcmp(cmd, "signal") && a1)
		return cmd_signal(a1);
	if (!strcmp(cmd, "recvtty") && a1)
		return cmd_recvtty(a1, a2);
	if (!strcmp(cmd, "ptyrun") && argc > 4)
		return cmd_ptyrun(atoi(argv[2]), argv[3][0] ? argv[3] : NULL, argv + 4);
	usage();
	return 2;
}
