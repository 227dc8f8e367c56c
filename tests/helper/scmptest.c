/* scmptest: make one system call and say what happened, for the seccomp
 * tests (tests/integration/seccomp.bats).  Built static, copied into the
 * test rootfs.
 *
 *   scmptest [-t] [-x] SYSCALL [ARG...]
 *
 * SYSCALL is a name from the table below or a number; ARGs are integers
 * (decimal, 0x hex, or negative), a "s:text" pointer to a string, or "buf"
 * for a pointer to a 4 KiB scratch buffer.  Prints one line
 *   "<name> = <ret>"  or  "<name> = -1 errno <n> (<strerror>)"
 * and exits 0 on success, else with the errno (capped at 255).
 *   -t  catch SIGSYS (SCMP_ACT_TRAP) and print "<name>: SIGSYS" instead of
 *       dying; exit 200
 *   -x  set the x32 bit (0x40000000) on the syscall number
 * A syscall that kills (SCMP_ACT_KILL*) shows as death by SIGSYS (the
 * shell's status 159).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SC(n) { #n, SYS_##n }
static const struct {
	const char *name;
	long nr;
} table[] = {
	SC(getpid),	     SC(getppid),	 SC(getpgid),	   SC(getsid),
	SC(getuid),	     SC(getcwd),	 SC(uname),	   SC(umask),
	SC(kill),	     SC(mount),		 SC(umount2),	   SC(unshare),
	SC(setns),	     SC(keyctl),	 SC(add_key),	   SC(request_key),
	SC(personality),     SC(chroot),	 SC(pivot_root),   SC(setgroups),
	SC(setuid),	     SC(setgid),	 SC(capset),	   SC(capget),
	SC(prctl),	     SC(socket),	 SC(mkdir),	   SC(mkdirat),
	SC(openat),	     SC(close),		 SC(close_range),  SC(dup),
	SC(clone3),	     SC(openat2),	 SC(ptrace),	   SC(bpf),
	SC(perf_event_open), SC(reboot),	 SC(syslog),	   SC(acct),
	SC(swapon),	     SC(sethostname),	 SC(open_tree),	   SC(fsopen),
	SC(move_mount),	     SC(io_uring_setup), SC(userfaultfd), SC(kcmp),
	SC(chmod),	     SC(fchmodat),	 SC(sched_yield),  SC(getpriority),
	SC(setpriority),     SC(fchdir),	 SC(mknodat),	   SC(sysinfo),
};

static const char *call_name = "?";
static char scratch[4096];

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char buf[128];
	int n;

	(void)sig, (void)uc;
	n = snprintf(buf, sizeof(buf), "%s: SIGSYS (syscall %d)\n", call_name, si->si_syscall);
	if (write(1, buf, (size_t)n) < 0)
		_exit(201);
	_exit(200);
}

static long parse_arg(const char *s)
{
	char *end;
	long v;

	if (strncmp(s, "s:", 2) == 0)
		return (long)(s + 2);
	if (strcmp(s, "buf") == 0)
		return (long)scratch;
	errno = 0;
	v = (long)strtoull(s, &end, 0);
	if (*s == '-')
		v = strtol(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "scmptest: bad argument %s\n", s);
		exit(254);
	}
	return v;
}

int main(int argc, char **argv)
{
	long nr = -1, a[6] = { 0 }, r;
	bool trap = false, x32 = false;
	int i = 1, e;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "-t") == 0)
			trap = true;
		else if (strcmp(argv[i], "-x") == 0)
			x32 = true;
		else
			break;
	}
	if (i >= argc || argc - i - 1 > 6) {
		fprintf(stderr, "usage: scmptest [-t] [-x] SYSCALL [ARG...] (at most 6)\n");
		return 254;
	}
	call_name = argv[i];
	for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++)
		if (strcmp(table[k].name, call_name) == 0)
			nr = table[k].nr;
	if (nr < 0)
		nr = parse_arg(call_name);
	if (x32)
		nr |= 0x40000000L;
	for (int k = 0; i + 1 + k < argc; k++)
		a[k] = parse_arg(argv[i + 1 + k]);

	if (trap) {
		struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
		sigaction(SIGSYS, &sa, NULL);
	}
	fflush(stdout);
	errno = 0;
	r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	e = errno;
	if (r == -1 && e) {
		printf("%s = -1 errno %d (%s)\n", call_name, e, strerror(e));
		return e > 255 ? 255 : e;
	}
	printf("%s = %ld\n", call_name, r);
	return 0;
}
