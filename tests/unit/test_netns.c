/* Unit tests for netns/.  Needs CAP_NET_ADMIN and CAP_SYS_ADMIN (root).
 * Every test runs in a forked child inside a network namespace of its own
 * (unshare(CLONE_NEWNET)); the veth pairs are created inside those
 * throwaway namespaces, so the host's interfaces are never touched. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by the Makefile */
#endif
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns/netns.h"
#include "runtime/cleanup.h"
#include "runtime/error.h"

/* Shared with the forked children. */
static struct {
	int passed, failed, skipped;
} *count;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			__atomic_fetch_add(&count->passed, 1, __ATOMIC_SEQ_CST);                   \
		} else {                                                                           \
			__atomic_fetch_add(&count->failed, 1, __ATOMIC_SEQ_CST);                   \
			fprintf(stderr, "FAIL %s:%d: %s: ", __func__, __LINE__, #cond);            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

static const char *msg_of(lw_err e)
{
	return e && e->msg ? e->msg : "(no error)";
}

static const char *ip_cmd;

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* IFF_* flags of a link in the current netns, -1 if it does not exist. */
static int link_flags(const char *name)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;
	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	close(fd);
	return r < 0 ? -1 : (unsigned short)ifr.ifr_flags;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	r = system(cmd);
	free(cmd);
	return r;
}

/* A listening TCP socket on addr:0 in the current netns; *port set. */
static int listen_on(const char *addr, in_port_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = sa.sin_port;
	return fd;
}

/* connect to addr:port, accept on lfd, pass one byte; 0 or -errno. */
static int tcp_roundtrip(int lfd, const char *addr, in_port_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = port };
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), a = -1, r = 0;
	char b = 0;
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (c < 0)
		return -errno;
	if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto out;
	}
	a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (a < 0 || write(c, "x", 1) != 1 || read(a, &b, 1) != 1 || b != 'x')
		r = -EIO;
out:
	if (a >= 0)
		close(a);
	close(c);
	return r;
}

static void test_loopback(void)
{
	cleanup_err lw_err err = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };
	in_port_t port;
	int fd, fds, flags;

	CHECK(unshare(CLONE_NEWNET) == 0, "unshare: %m");
	flags = link_flags("lo");
	CHECK(flags >= 0 && !(flags & IFF_UP), "lo flags before: %#x", flags);

	/* Down lo: 127.0.0.1 unreachable. */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == ENETUNREACH,
	      "connect on a down lo: %m");
	close(fd);

	fds = count_fds();
	CHECK(netns_loopback_up(&err) == 0, "%s", msg_of(err));
	CHECK(count_fds() == fds, "fd leak");
	flags = link_flags("lo");
	CHECK(flags >= 0 && (flags & IFF_UP) && (flags & IFF_RUNNING), "lo flags after: %#x",
	      flags);

	fd = listen_on("127.0.0.1", &port);
	CHECK(fd >= 0, "listen on 127.0.0.1: %m");
	if (fd >= 0) {
		int r = tcp_roundtrip(fd, "127.0.0.1", port);
		CHECK(r == 0, "tcp 127.0.0.1: %s", strerror(-r));
		close(fd);
	}

	/* Idempotent. */
	CHECK(netns_loopback_up(&err) == 0, "again: %s", msg_of(err));
}

static void test_errors(void)
{
	cleanup_err lw_err err = NULL;
	int fds;

	CHECK(unshare(CLONE_NEWNET) == 0, "unshare: %m");
	fds = count_fds();

	CHECK(netns_link_up("lw-nosuch0", &err) < 0, "missing link accepted");
	CHECK(err && err->errno_ == ENODEV, "errno_ %d", err ? err->errno_ : -1);
	CHECK(err && strcmp(err->msg, "setting link lw-nosuch0 up: No such device") == 0, "msg: %s",
	      msg_of(err));

	lw_err_free(&err);
	CHECK(netns_link_up("a-name-much-too-long", &err) < 0 && err && err->errno_ == EINVAL,
	      "long name: %s", msg_of(err));
	lw_err_free(&err);
	CHECK(netns_link_up("", &err) < 0 && err && err->errno_ == EINVAL, "empty name: %s",
	      msg_of(err));

	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	lw_err_free(&err);
	CHECK(netns_move_link("lw-nosuch0", "eth0", self, &err) < 0 && err &&
		      err->errno_ == ENODEV && strstr(err->msg, "lw-nosuch0"),
	      "move missing (rename): %s", msg_of(err));
	lw_err_free(&err);
	CHECK(netns_move_link("lw-nosuch0", NULL, self, &err) < 0 && err && err->errno_ == ENODEV,
	      "move missing: %s", msg_of(err));
	lw_err_free(&err);
	CHECK(netns_move_link("lo", "eth0", -1, &err) < 0 && err && err->errno_ == EBADF,
	      "no fd: %s", msg_of(err));
	lw_err_free(&err);
	CHECK(netns_move_link("lo", "a-name-much-too-long", self, &err) < 0 && err &&
		      err->errno_ == EINVAL,
	      "long new name: %s", msg_of(err));

	/* Not a netns fd: the kernel's NACK comes back as the error. */
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	lw_err_free(&err);
	CHECK(netns_move_link("lo", NULL, devnull, &err) < 0 && err && err->errno_ != 0,
	      "non-netns fd accepted: %s", msg_of(err));
	close(devnull);
	close(self);
	CHECK(count_fds() == fds, "fd leak: %d -> %d", fds, count_fds());
}

/* Host side A (veth pairs lwv-[abc]0/1), container side B.  Move lwv-a0
 * into B as ctr0, up it, address both ends and pass a TCP byte from B to a
 * listener in A; move lwv-b0 and lwv-b1 keeping their names; then fail to
 * move lwv-c0 into B as ctr0, a name taken there. */
static void test_move(void)
{
	cleanup_err lw_err err = NULL;
	cleanup_close int a = -1;
	cleanup_close int b = -1;
	cleanup_close int lfd = -1;
	in_port_t port;
	int flags;

	if (!ip_cmd) {
		__atomic_fetch_add(&count->skipped, 1, __ATOMIC_SEQ_CST);
		fprintf(stderr, "skip %s: no ip(8)\n", __func__);
		return;
	}
	CHECK(unshare(CLONE_NEWNET) == 0, "unshare A: %m");
	a = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	CHECK(sh("%s link add lwv-a0 type veth peer name lwv-a1 && "
		 "%s link add lwv-b0 type veth peer name lwv-b1 && "
		 "%s link add lwv-c0 type veth peer name lwv-c1",
		 ip_cmd, ip_cmd, ip_cmd) == 0,
	      "creating veth pairs");
	CHECK(unshare(CLONE_NEWNET) == 0, "unshare B: %m");
	b = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	CHECK(a >= 0 && b >= 0 && setns(a, CLONE_NEWNET) == 0, "back to A: %m");

	int fds = count_fds();
	CHECK(netns_move_link("lwv-a0", "ctr0", b, &err) == 0, "move+rename: %s", msg_of(err));
	CHECK(netns_move_link("lwv-b0", NULL, b, &err) == 0, "move: %s", msg_of(err));
	CHECK(netns_move_link("lwv-b1", "lwv-b1", b, &err) == 0, "move, same name: %s",
	      msg_of(err));
	CHECK(count_fds() == fds, "fd leak");
	CHECK(link_flags("lwv-a0") < 0 && link_flags("ctr0") < 0 && link_flags("lwv-b0") < 0,
	      "links still in A");

	CHECK(sh("%s addr add 10.231.7.1/30 dev lwv-a1 && %s link set lwv-a1 up", ip_cmd,
		 ip_cmd) == 0,
	      "address A side");
	lfd = listen_on("10.231.7.1", &port);
	CHECK(lfd >= 0, "listen in A: %m");

	CHECK(setns(b, CLONE_NEWNET) == 0, "to B: %m");
	flags = link_flags("ctr0");
	CHECK(flags >= 0 && !(flags & IFF_UP), "ctr0 in B, down: %#x", flags);
	CHECK(link_flags("lwv-b0") >= 0 && link_flags("lwv-b1") >= 0, "lwv-b0/1 in B");
	CHECK(netns_link_up("ctr0", &err) == 0, "up: %s", msg_of(err));
	flags = link_flags("ctr0");
	CHECK(flags >= 0 && (flags & IFF_UP), "ctr0 flags: %#x", flags);
	CHECK(netns_loopback_up(&err) == 0, "lo in B: %s", msg_of(err));

	/* Only IFF_UP changes: other flags (here NOARP) stay as they were. */
	CHECK(sh("%s link set lwv-b0 arp off", ip_cmd) == 0, "arp off");
	CHECK(netns_link_up("lwv-b0", &err) == 0, "up: %s", msg_of(err));
	flags = link_flags("lwv-b0");
	CHECK(flags >= 0 && (flags & IFF_UP) && (flags & IFF_NOARP) && (flags & IFF_MULTICAST),
	      "lwv-b0 flags: %#x", flags);

	CHECK(sh("%s addr add 10.231.7.2/30 dev ctr0", ip_cmd) == 0, "address B side");
	if (lfd >= 0) {
		int r = tcp_roundtrip(lfd, "10.231.7.1", port);
		CHECK(r == 0, "tcp B -> A over the moved veth: %s", strerror(-r));
	}

	/* A name taken in the target: the kernel's NACK is the error. */
	CHECK(setns(a, CLONE_NEWNET) == 0, "to A: %m");
	lw_err_free(&err);
	CHECK(netns_move_link("lwv-c0", "ctr0", b, &err) < 0 && err && err->errno_ == EEXIST,
	      "name collision in the target: %s", msg_of(err));
	CHECK(err && strcmp(err->msg, "moving link lwv-c0 into the container as ctr0: "
				      "File exists") == 0,
	      "msg: %s", msg_of(err));
}

static void in_child(const char *name, void (*fn)(void))
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		fn();
		fflush(NULL);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		count->failed++;
		fprintf(stderr, "FAIL %s: child died (status %#x)\n", name, status);
	}
}

int main(void)
{
	alarm(60);
	count = mmap(NULL, sizeof(*count), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	if (count == MAP_FAILED)
		return 1;
	if (access("/usr/sbin/ip", X_OK) == 0)
		ip_cmd = "/usr/sbin/ip";
	else if (access("/sbin/ip", X_OK) == 0)
		ip_cmd = "/sbin/ip";

	if (unshare(0) < 0 || geteuid() != 0) {
		printf("unit netns: 0 passed, 0 failed (skipped: needs root)\n");
		return 0;
	}
	in_child("loopback", test_loopback);
	in_child("errors", test_errors);
	in_child("move", test_move);

	printf("unit netns: %d passed, %d failed%s\n", count->passed, count->failed,
	       count->skipped ? " (some skipped)" : "");
	return count->failed ? 1 : 0;
}
