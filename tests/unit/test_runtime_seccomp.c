/* runtime/seccomp.c: compile profiles filled by hand, load them in a forked
 * child and check what each action and operator does there; notify fd
 * answered with an errno and with CONTINUE; listenerPath message; the
 * -ENOSYS stub; the cache; the errors that name their field.
 *
 * Needs root (or CAP_SYS_ADMIN) only for the notify hand-off checks that
 * compare pids; everything else sets no_new_privs in the child. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/error.h"
#include "runtime/log.h"
#include "runtime/seccomp.h"

static int failures, checks;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

/* ---- profile building ----------------------------------------------- */

struct rule {
	const char *names[4];
	enum spec_seccomp_action action;
	long errno_ret; /* -1: absent */
	struct spec_seccomp_arg args[4];
	size_t n_args;
};

static struct spec_seccomp_syscall calls[16];
static char *namebuf[16][5];
static const char *arches_x86[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };

static struct spec_seccomp profile(enum spec_seccomp_action def, long def_errno,
				   const struct rule *rules, size_t n)
{
	struct spec_seccomp sc = { .default_action = def };

	if (def_errno >= 0)
		sc.default_errno_ret = (struct spec_opt_u64){ true, (uint64_t)def_errno };
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		for (; k < 4 && rules[i].names[k]; k++)
			namebuf[i][k] = (char *)rules[i].names[k];
		namebuf[i][k] = NULL;
		calls[i] = (struct spec_seccomp_syscall){
			.names = namebuf[i],
			.n_names = k,
			.action = rules[i].action,
			.errno_ret = { rules[i].errno_ret >= 0, (uint64_t)rules[i].errno_ret },
			.args = (struct spec_seccomp_arg *)rules[i].args,
			.n_args = rules[i].n_args,
		};
	}
	sc.syscalls = calls;
	sc.n_syscalls = n;
	return sc;
}

static struct lw_seccomp *compile_ok(const struct spec_seccomp *sc, const char *what)
{
	struct lw_seccomp *s = NULL;
	cleanup_err lw_err err = NULL;

	if (lw_seccomp_compile(sc, NULL, &s, &err) < 0) {
		CHECK(0, "%s: compile: %s", what, err->msg);
		return NULL;
	}
	return s;
}

static void compile_fails(const struct spec_seccomp *sc, const char *needle, const char *what)
{
	struct lw_seccomp *s = NULL;
	cleanup_err lw_err err = NULL;
	int r = lw_seccomp_compile(sc, NULL, &s, &err);

	CHECK(r < 0, "%s: compiled but should fail", what);
	if (r < 0)
		CHECK(strstr(err->msg, needle), "%s: error \"%s\" lacks \"%s\"", what, err->msg, needle);
	lw_seccomp_free(s);
}

/* ---- running code under a filter ------------------------------------ */

typedef int (*child_fn)(void);

static void load_or_die(const struct lw_seccomp *s, int *nfd)
{
	cleanup_err lw_err err = NULL;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(90);
	if (lw_seccomp_load(s, nfd, &err) < 0) {
		fprintf(stderr, "load: %s\n", err->msg);
		_exit(91);
	}
}

/* Returns the wait status of a child that loads s and runs fn. */
static int run_under(const struct lw_seccomp *s, child_fn fn)
{
	int status, nfd;
	pid_t pid = fork();

	if (pid == 0) {
		load_or_die(s, &nfd);
		_exit(fn());
	}
	waitpid(pid, &status, 0);
	return status;
}

static long sys1(long nr, long a0, long a1, int *e)
{
	errno = 0;
	long r = syscall(nr, a0, a1, 0, 0, 0, 0);
	*e = r < 0 ? errno : 0;
	return r;
}

/* getppid is harmless and has no arguments: the marker syscall */
static int child_getppid_eperm(void)
{
	int e;
	return sys1(SYS_getppid, 0, 0, &e) == -1 && e == EPERM ? 0 : 1;
}
static int child_getppid_42(void)
{
	int e;
	return sys1(SYS_getppid, 0, 0, &e) == -1 && e == 42 ? 0 : 1;
}
static int child_getppid_enosys(void)
{
	int e;
	return sys1(SYS_getppid, 0, 0, &e) == -1 && e == ENOSYS ? 0 : 1;
}
static int child_getppid_eacces(void)
{
	int e;
	return sys1(SYS_getppid, 0, 0, &e) == -1 && e == EACCES ? 0 : 1;
}
static int child_getppid_ok(void)
{
	int e;
	return sys1(SYS_getppid, 0, 0, &e) > 0 ? 0 : 1;
}

static volatile sig_atomic_t trapped_nr = -1;
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	trapped_nr = si->si_syscall;
}
static int child_trap(void)
{
	int e;
	sys1(SYS_getppid, 0, 0, &e);
	return trapped_nr == SYS_getppid ? 0 : 1;
}

static void test_actions(void)
{
	struct {
		const char *what;
		enum spec_seccomp_action def;
		long def_errno;
		enum spec_seccomp_action act;
		long errno_ret;
		child_fn fn;
		int sig; /* expected killing signal, 0: exit 0 */
	} cases[] = {
		{ "errno default EPERM", SPEC_SCMP_ALLOW, -1, SPEC_SCMP_ERRNO, -1, child_getppid_eperm, 0 },
		{ "errno errnoRet 42", SPEC_SCMP_ALLOW, -1, SPEC_SCMP_ERRNO, 42, child_getppid_42, 0 },
		{ "kill", SPEC_SCMP_ALLOW, -1, SPEC_SCMP_KILL, -1, child_getppid_ok, SIGSYS },
		{ "kill_thread", SPEC_SCMP_ALLOW, -1, SPEC_SCMP_KILL_THREAD, -1, child_getppid_ok, SIGSYS },
		{ "kill_process", SPEC_SCMP_ALLOW, -1, SPEC_SCMP_KILL_PROCESS, -1, child_getppid_ok, SIGSYS },
		{ "trap", SPEC_SCMP_ALLOW, -1, SPEC_SCMP_TRAP, -1, child_trap, 0 },
		/* no tracer attached: the kernel fails the syscall with ENOSYS */
		{ "trace", SPEC_SCMP_ALLOW, -1, SPEC_SCMP_TRACE, -1, child_getppid_enosys, 0 },
		{ "log", SPEC_SCMP_ALLOW, -1, SPEC_SCMP_LOG, -1, child_getppid_ok, 0 },
		{ "allow under default errno", SPEC_SCMP_ERRNO, EACCES, SPEC_SCMP_ALLOW, -1, child_getppid_ok, 0 },
	};
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	sigaction(SIGSYS, &sa, NULL);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rule r[] = {
			{ { "getppid" }, cases[i].act, cases[i].errno_ret, { { 0 } }, 0 },
			/* with a default errno the child needs these (sigaltstack: ASan's _exit) */
			{ { "exit_group", "exit", "sigaltstack" }, SPEC_SCMP_ALLOW, -1, { { 0 } }, 0 },
		};
		struct spec_seccomp sc = profile(cases[i].def, cases[i].def_errno, r, 2);
		struct lw_seccomp *s = compile_ok(&sc, cases[i].what);
		if (!s)
			continue;
		int st = run_under(s, cases[i].fn);
		if (cases[i].sig)
			CHECK(WIFSIGNALED(st) && WTERMSIG(st) == cases[i].sig, "%s: status %#x", cases[i].what, st);
		else
			CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status %#x", cases[i].what, st);
		lw_seccomp_free(s);
	}

	/* defaultErrnoRet: everything but exit is refused with EACCES */
	{
		struct rule r[] = { { { "exit_group", "exit", "sigaltstack" }, SPEC_SCMP_ALLOW, -1, { { 0 } }, 0 } };
		struct spec_seccomp sc = profile(SPEC_SCMP_ERRNO, EACCES, r, 1);
		struct lw_seccomp *s = compile_ok(&sc, "defaultErrnoRet");
		if (s) {
			int st = run_under(s, child_getppid_eacces);
			CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "defaultErrnoRet: status %#x", st);
			lw_seccomp_free(s);
		}
	}
}

/* ---- operators ------------------------------------------------------ */

#define MARK 77 /* errno the conditional rule returns */

static const struct {
	long a0, a1;
	bool hit;
} *probe_list;
static size_t n_probes;

static int child_probes(void)
{
	for (size_t i = 0; i < n_probes; i++) {
		int e;
		sys1(SYS_getpgid, probe_list[i].a0, probe_list[i].a1, &e);
		if ((e == MARK) != probe_list[i].hit)
			return 10 + (int)i;
	}
	return 0;
}

static void test_operators(void)
{
	static const struct {
		long a0, a1;
		bool hit;
	} eq[] = { { 5, 0, true }, { 6, 0, false } }, ne[] = { { 5, 0, false }, { 6, 0, true } },
	  lt[] = { { 4, 0, true }, { 5, 0, false } }, le[] = { { 5, 0, true }, { 6, 0, false } },
	  gt[] = { { 6, 0, true }, { 5, 0, false } }, ge[] = { { 5, 0, true }, { 4, 0, false } },
	  masked[] = { { 0x2f, 0, true }, { 0x3f, 0, false }, { 0x20, 0, true } },
	  wide[] = { { 5, 0, false }, { 0x100000005L, 0, true } },
	  same_index[] = { { 1, 0, true }, { 2, 0, true }, { 3, 0, false } },
	  two_index[] = { { 1, 2, true }, { 1, 3, false }, { 2, 2, false } };
	struct {
		const char *what;
		struct spec_seccomp_arg args[2];
		size_t n_args;
		const void *probes;
		size_t n;
	} cases[] = {
		{ "SCMP_CMP_EQ", { { 0, 5, 0, SPEC_SCMP_CMP_EQ } }, 1, eq, 2 },
		{ "SCMP_CMP_NE", { { 0, 5, 0, SPEC_SCMP_CMP_NE } }, 1, ne, 2 },
		{ "SCMP_CMP_LT", { { 0, 5, 0, SPEC_SCMP_CMP_LT } }, 1, lt, 2 },
		{ "SCMP_CMP_LE", { { 0, 5, 0, SPEC_SCMP_CMP_LE } }, 1, le, 2 },
		{ "SCMP_CMP_GT", { { 0, 5, 0, SPEC_SCMP_CMP_GT } }, 1, gt, 2 },
		{ "SCMP_CMP_GE", { { 0, 5, 0, SPEC_SCMP_CMP_GE } }, 1, ge, 2 },
		/* value = mask, valueTwo = datum */
		{ "SCMP_CMP_MASKED_EQ", { { 0, 0xf0, 0x20, SPEC_SCMP_CMP_MASKED_EQ } }, 1, masked, 3 },
		{ "64-bit value", { { 0, 0x100000005ULL, 0, SPEC_SCMP_CMP_EQ } }, 1, wide, 2 },
		{ "same index ORed", { { 0, 1, 0, SPEC_SCMP_CMP_EQ }, { 0, 2, 0, SPEC_SCMP_CMP_EQ } }, 2, same_index, 3 },
		{ "two indexes ANDed", { { 0, 1, 0, SPEC_SCMP_CMP_EQ }, { 1, 2, 0, SPEC_SCMP_CMP_EQ } }, 2, two_index, 3 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rule r[1] = { { { "getpgid" }, SPEC_SCMP_ERRNO, MARK, { { 0 } }, cases[i].n_args } };
		memcpy(r[0].args, cases[i].args, sizeof(cases[i].args));
		struct spec_seccomp sc = profile(SPEC_SCMP_ALLOW, -1, r, 1);
		struct lw_seccomp *s = compile_ok(&sc, cases[i].what);
		if (!s)
			continue;
		probe_list = cases[i].probes;
		n_probes = cases[i].n;
		int st = run_under(s, child_probes);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status %#x (probe %d wrong)",
		      cases[i].what, st, WIFEXITED(st) ? WEXITSTATUS(st) - 10 : -1);
		lw_seccomp_free(s);
	}
}

/* ---- -ENOSYS stub ----------------------------------------------------- */

static int child_enosys_stub(void)
{
	int e;
	if (sys1(SYS_getppid, 0, 0, &e) <= 0)
		return 20; /* allowed */
	if (sys1(SYS_getpgid, 0, 0, &e) != -1 || e != EPERM)
		return 21; /* known to the profile's range: default action */
	if (sys1(SYS_openat, AT_FDCWD, (long)"/", &e) != -1 || e != ENOSYS)
		return 22; /* beyond exit_group (231): newer than the profile */
	if (sys1(1000, 0, 0, &e) != -1 || e != ENOSYS)
		return 23;
	/* x32 numbers carry bit 30; exit_group(x32) is 0x40000000|231 */
	if (sys1(0x40000000L | 39, 0, 0, &e) != -1 || e != EPERM)
		return 24;
	if (sys1(0x40000000L | 600, 0, 0, &e) != -1 || e != ENOSYS)
		return 25;
	return 0;
}

static int child_no_stub(void)
{
	int e;
	if (sys1(SYS_openat, AT_FDCWD, (long)"/", &e) != -1 || e != EPERM)
		return 30;
	return 0;
}

static void test_enosys_stub(void)
{
	struct rule r[] = {
		{ { "getppid", "exit_group", "exit", "sigaltstack" }, SPEC_SCMP_ALLOW, -1, { { 0 } }, 0 },
	};
	struct spec_seccomp sc = profile(SPEC_SCMP_ERRNO, -1, r, 1);
	struct lw_seccomp *s;
	int st;

	sc.architectures = (char **)arches_x86;
	sc.n_architectures = 3;
	if ((s = compile_ok(&sc, "enosys stub"))) {
		st = run_under(s, child_enosys_stub);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "enosys stub: status %#x", st);
		lw_seccomp_free(s);
	}
	/* only x86_64 listed: x32 numbers are left to libseccomp (bad arch) */
	sc.n_architectures = 1;
	if ((s = compile_ok(&sc, "enosys stub x86_64 only"))) {
		st = run_under(s, child_getppid_ok);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "stub x86_64: status %#x", st);
		lw_seccomp_free(s);
	}
	/* no architectures listed: runc adds no stub */
	sc.n_architectures = 0;
	if ((s = compile_ok(&sc, "no stub without architectures"))) {
		st = run_under(s, child_no_stub);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "no stub: status %#x", st);
		lw_seccomp_free(s);
	}
	/* defaultErrnoRet ENOSYS: nothing to add */
	sc.n_architectures = 3;
	sc.default_errno_ret = (struct spec_opt_u64){ true, ENOSYS };
	struct lw_seccomp *with = NULL;
	if ((s = compile_ok(&sc, "enosys default"))) {
		sc.default_errno_ret.v = EPERM;
		with = compile_ok(&sc, "eperm default");
		if (with)
			CHECK(lw_seccomp_len(with) > lw_seccomp_len(s), "stub not added: %u vs %u",
			      lw_seccomp_len(with), lw_seccomp_len(s));
		lw_seccomp_free(with);
		lw_seccomp_free(s);
	}
}

/* ---- notify ---------------------------------------------------------- */

static int send_fd(int sock, int fd)
{
	char c = 'F';
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} u = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock, char *data, size_t size, ssize_t *n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} u = { 0 };
	struct iovec iov = { data, size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	int fd = -1;

	*n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (*n >= 0 && cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* answer one notification; returns the syscall nr seen or -1 */
static int answer(int nfd, pid_t expect_pid, int error, bool cont)
{
	struct seccomp_notif req = { 0 };
	struct seccomp_notif_resp resp = { 0 };

	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return -1;
	if ((pid_t)req.pid != expect_pid)
		return -2;
	resp.id = req.id;
	if (cont)
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else
		resp.error = -error;
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
		return -3;
	return req.data.nr;
}

static void test_notify(const char **flags, size_t n_flags, const char *what)
{
	struct rule r[] = { { { "getppid" }, SPEC_SCMP_NOTIFY, -1, { { 0 } }, 0 } };
	struct spec_seccomp sc = profile(SPEC_SCMP_ALLOW, -1, r, 1);
	struct lw_seccomp *s;
	int sv[2], st;
	pid_t pid;

	sc.flags = (char **)flags;
	sc.n_flags = n_flags;
	if (!(s = compile_ok(&sc, what)))
		return;
	CHECK(lw_seccomp_uses_notify(s), "%s: uses_notify false", what);
	CHECK(lw_seccomp_flags(s) & SECCOMP_FILTER_FLAG_NEW_LISTENER, "%s: no NEW_LISTENER", what);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	pid = fork();
	if (pid == 0) {
		int nfd, e;
		close(sv[0]);
		load_or_die(s, &nfd);
		if (nfd < 0 || send_fd(sv[1], nfd) < 0)
			_exit(40);
		close(nfd);
		if (sys1(SYS_getppid, 0, 0, &e) != -1 || e != EACCES)
			_exit(41);
		if (sys1(SYS_getppid, 0, 0, &e) != getppid()) /* CONTINUE; getppid() is cached? no: notified too */
			_exit(42);
		_exit(0);
	}
	close(sv[1]);
	char c;
	ssize_t n;
	int nfd = recv_fd(sv[0], &c, 1, &n);
	CHECK(nfd >= 0, "%s: no notify fd received", what);
	if (nfd >= 0) {
		CHECK(answer(nfd, pid, EACCES, false) == SYS_getppid, "%s: first notification", what);
		CHECK(answer(nfd, pid, 0, true) == SYS_getppid, "%s: CONTINUE notification", what);
		/* the child's own getppid() in the comparison is notified too */
		CHECK(answer(nfd, pid, 0, true) == SYS_getppid, "%s: third notification", what);
		close(nfd);
	}
	close(sv[0]);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: child status %#x", what, st);
	lw_seccomp_free(s);
}

/* ---- listenerPath ---------------------------------------------------- */

static void test_listener(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_err lw_err err = NULL;
	char buf[4096];
	ssize_t n;
	int ls, conn, fd, pfd[2];

	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/lw-scmp-test-%d.sock", getpid());
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(bind(ls, (struct sockaddr *)&addr, sizeof(addr)) == 0 && listen(ls, 1) == 0, "listen: %m");
	pipe2(pfd, O_CLOEXEC);
	int r = lw_seccomp_send_listener(addr.sun_path, "meta \"x\"", pfd[0], 1234,
					 "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":1234}",
					 &err);
	CHECK(r == 0, "send_listener: %s", err ? err->msg : "");
	conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	fd = recv_fd(conn, buf, sizeof(buf) - 1, &n);
	CHECK(n > 0 && fd >= 0, "listener got no fd");
	if (n > 0) {
		buf[n] = 0;
		CHECK(strcmp(buf, "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":1234,"
				  "\"metadata\":\"meta \\\"x\\\"\",\"state\":{\"ociVersion\":\"1.3.0\","
				  "\"id\":\"c1\",\"status\":\"creating\",\"pid\":1234}}") == 0,
		      "listener message: %s", buf);
	}
	if (fd >= 0) {
		struct stat a, b;
		fstat(fd, &a), fstat(pfd[0], &b);
		CHECK(a.st_ino == b.st_ino, "listener got another fd");
		close(fd);
	}
	close(conn);

	/* no metadata: the field is left out */
	lw_err_free(&err);
	lw_seccomp_send_listener(addr.sun_path, NULL, pfd[0], 7, "{}", &err);
	conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	fd = recv_fd(conn, buf, sizeof(buf) - 1, &n);
	if (n > 0)
		buf[n] = 0;
	CHECK(n > 0 && !strstr(buf, "metadata"), "metadata present: %s", buf);
	if (fd >= 0)
		close(fd);
	close(conn);
	close(ls);
	unlink(addr.sun_path);

	lw_err_free(&err);
	r = lw_seccomp_send_listener(addr.sun_path, NULL, pfd[0], 7, "{}", &err);
	CHECK(r < 0 && strstr(err->msg, addr.sun_path), "missing listener: %s", err ? err->msg : "ok");
	lw_err_free(&err);
	r = lw_seccomp_send_listener("@abstract", NULL, pfd[0], 7, "{}", &err);
	CHECK(r < 0 && strstr(err->msg, "not an absolute path"), "abstract listener: %s",
	      err ? err->msg : "ok");
	close(pfd[0]), close(pfd[1]);
}

/* ---- errors, cache, flags -------------------------------------------- */

static void test_errors(void)
{
	struct rule bad_index[] = { { { "getppid" }, SPEC_SCMP_ERRNO, -1, { { 6, 1, 0, SPEC_SCMP_CMP_EQ } }, 1 } };
	struct rule notify_write[] = { { { "read", "write" }, SPEC_SCMP_NOTIFY, -1, { { 0 } }, 0 } };
	struct rule big_errno[] = { { { "getppid" }, SPEC_SCMP_ERRNO, 70000, { { 0 } }, 0 } };
	struct rule unknown[] = { { { "no_such_syscall", "getppid" }, SPEC_SCMP_ERRNO, -1, { { 0 } }, 0 },
				  { { "getppid" }, SPEC_SCMP_ALLOW, -1, { { 0 } }, 0 } };
	struct rule same_as_default[] = { { { "getppid" }, SPEC_SCMP_ERRNO, 1, { { 0 } }, 0 },
					  { { "exit_group", "sigaltstack" }, SPEC_SCMP_ALLOW, -1, { { 0 } }, 0 } };
	struct spec_seccomp sc;
	struct lw_seccomp *s;
	const char *bad_arch[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_NOPE" };
	const char *bad_flag[] = { "SECCOMP_FILTER_FLAG_NOPE" };

	sc = profile(SPEC_SCMP_ALLOW, -1, bad_index, 1);
	compile_fails(&sc, "linux.seccomp.syscalls[0].args[0].index", "arg index 6");
	sc = profile(SPEC_SCMP_ALLOW, -1, notify_write, 1);
	compile_fails(&sc, "linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall",
		      "notify write");
	sc = profile(SPEC_SCMP_NOTIFY, -1, NULL, 0);
	compile_fails(&sc, "linux.seccomp.defaultAction", "notify default");
	sc = profile(SPEC_SCMP_ALLOW, -1, big_errno, 1);
	compile_fails(&sc, "linux.seccomp.syscalls[0].errnoRet", "errnoRet 70000");
	sc = profile(SPEC_SCMP_ALLOW, -1, NULL, 0);
	sc.architectures = (char **)bad_arch;
	sc.n_architectures = 2;
	compile_fails(&sc, "linux.seccomp.architectures[1]: SCMP_ARCH_NOPE", "bad arch");
	sc = profile(SPEC_SCMP_ALLOW, -1, NULL, 0);
	sc.flags = (char **)bad_flag;
	sc.n_flags = 1;
	compile_fails(&sc, "linux.seccomp.flags[0]", "bad flag");

	/* unknown names are skipped, the rest of the rule applies */
	sc = profile(SPEC_SCMP_ALLOW, -1, unknown, 1);
	if ((s = compile_ok(&sc, "unknown syscall"))) {
		int st = run_under(s, child_getppid_eperm);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unknown syscall: status %#x", st);
		lw_seccomp_free(s);
	}
	/* a rule equal to the default action is dropped, not an error */
	sc = profile(SPEC_SCMP_ERRNO, 1, same_as_default, 2);
	if ((s = compile_ok(&sc, "rule same as default"))) {
		int st = run_under(s, child_getppid_eperm);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "same as default: status %#x", st);
		lw_seccomp_free(s);
	}
	/* unprivileged without no_new_privs: the kernel refuses, we say so */
	sc = profile(SPEC_SCMP_ALLOW, -1, unknown + 1, 1);
	if ((s = compile_ok(&sc, "eacces"))) {
		pid_t pid = fork();
		if (pid == 0) {
			cleanup_err lw_err e = NULL;
			int nfd;
			if (setresuid(65534, 65534, 65534) < 0)
				_exit(0); /* not root: nothing to check */
			_exit(lw_seccomp_load(s, &nfd, &e) < 0 && e->errno_ == EACCES &&
					      strstr(e->msg, "loading seccomp filter")
				      ? 0
				      : 1);
		}
		int st;
		waitpid(pid, &st, 0);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "EACCES load: status %#x", st);
		lw_seccomp_free(s);
	}
}

static void test_flags(void)
{
	const char *log_flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
				    "SECCOMP_FILTER_FLAG_TSYNC" };
	const char *wait_killable[] = { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" };
	struct rule r[] = { { { "getppid" }, SPEC_SCMP_ERRNO, -1, { { 0 } }, 0 } };
	struct spec_seccomp sc = profile(SPEC_SCMP_ALLOW, -1, r, 1);
	struct lw_seccomp *s;

	sc.flags = (char **)log_flags;
	sc.n_flags = 3;
	if ((s = compile_ok(&sc, "flags"))) {
		CHECK(lw_seccomp_flags(s) == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW),
		      "flags %#x", lw_seccomp_flags(s));
		int st = run_under(s, child_getppid_eperm);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "flags: status %#x", st);
		lw_seccomp_free(s);
	}
	/* without notify rules WAIT_KILLABLE_RECV means nothing: dropped */
	sc.flags = (char **)wait_killable;
	sc.n_flags = 1;
	if ((s = compile_ok(&sc, "wait killable w/o notify"))) {
		CHECK(lw_seccomp_flags(s) == 0, "flags %#x", lw_seccomp_flags(s));
		lw_seccomp_free(s);
	}
	test_notify(wait_killable, 1, "notify + WAIT_KILLABLE_RECV");
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_cache(void)
{
	struct rule r[] = {
		{ { "getppid" }, SPEC_SCMP_ALLOW, -1, { { 0 } }, 0 },
		{ { "exit_group", "exit", "sigaltstack" }, SPEC_SCMP_ALLOW, -1, { { 0 } }, 0 },
	};
	struct spec_seccomp sc = profile(SPEC_SCMP_ERRNO, EACCES, r, 2);
	char dir[] = "/tmp/lw-scmp-cache-XXXXXX";
	char sub[64];
	struct lw_seccomp *a = NULL, *b = NULL;
	cleanup_err lw_err err = NULL;
	int n_files = 0;

	sc.architectures = (char **)arches_x86;
	sc.n_architectures = 3;
	if (!mkdtemp(dir))
		return;
	snprintf(sub, sizeof(sub), "%s/seccomp-cache", dir);
	CHECK(lw_seccomp_compile(&sc, sub, &a, &err) == 0, "cache miss: %s", err ? err->msg : "");
	CHECK(lw_seccomp_compile(&sc, sub, &b, &err) == 0, "cache hit: %s", err ? err->msg : "");
	if (a && b)
		CHECK(lw_seccomp_len(a) == lw_seccomp_len(b), "cached program differs");
	if (b) {
		int st = run_under(b, child_getppid_ok);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "cached filter: status %#x", st);
	}
	lw_seccomp_free(a), lw_seccomp_free(b);
	a = b = NULL;
	/* another errno: another entry */
	sc.default_errno_ret.v = EPERM;
	CHECK(lw_seccomp_compile(&sc, sub, &a, &err) == 0, "second profile");
	lw_seccomp_free(a);
	DIR *d = opendir(sub);
	for (struct dirent *de; d && (de = readdir(d));)
		if (de->d_name[0] != '.') {
			n_files++;
			CHECK(strlen(de->d_name) == 64, "cache name %s", de->d_name);
		}
	if (d)
		closedir(d);
	CHECK(n_files == 2, "%d cache entries, want 2", n_files);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", dir);
	(void)now_ms;
}

/* a torn or altered entry is a miss, and gets rewritten */
static void test_cache_corrupt(void)
{
	struct rule r[] = {
		{ { "getppid" }, SPEC_SCMP_ALLOW, -1, { { 0 } }, 0 },
		{ { "exit_group", "exit", "sigaltstack" }, SPEC_SCMP_ALLOW, -1, { { 0 } }, 0 },
	};
	struct spec_seccomp sc = profile(SPEC_SCMP_ERRNO, EACCES, r, 2);
	char dir[] = "/tmp/lw-scmp-cache-XXXXXX", path[300] = "", cmd[128];
	struct lw_seccomp *s = NULL;
	cleanup_err lw_err err = NULL;
	struct stat before, after;
	struct dirent *de;
	DIR *d;
	int fd;

	if (!mkdtemp(dir))
		return;
	CHECK(lw_seccomp_compile(&sc, dir, &s, &err) == 0, "cache fill");
	lw_seccomp_free(s);
	s = NULL;
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
	if (d)
		closedir(d);
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, "\xff\xff", 2, 8) == 2 && fstat(fd, &before) == 0,
	      "corrupting %s", path);
	close(fd);
	CHECK(lw_seccomp_compile(&sc, dir, &s, &err) == 0, "corrupt entry: %s", err ? err->msg : "");
	if (s) {
		int st = run_under(s, child_getppid_ok);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "after corrupt entry: status %#x", st);
	}
	CHECK(stat(path, &after) == 0 && after.st_ino != before.st_ino, "corrupt entry not rewritten");
	lw_seccomp_free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", dir);
}

int main(void)
{
	const char *no_flags[] = { NULL };

	lw_log_init(NULL, false, getenv("LW_DEBUG") != NULL);
	test_actions();
	test_operators();
	test_enosys_stub();
	test_notify(no_flags, 0, "notify");
	test_listener();
	test_errors();
	test_flags();
	test_cache();
	test_cache_corrupt();
	printf("%s: %d checks, %d failed\n", __FILE__, checks, failures);
	return failures ? 1 : 0;
}
