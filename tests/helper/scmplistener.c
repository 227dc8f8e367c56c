/* scmplistener: a seccomp agent for linux.seccomp.listenerPath, for the
 * integration tests.  It accepts the runtime's connections on SOCKET, reads
 * the containerProcessState message and its seccomp fd, checks the message
 * (config-linux.md "Seccomp": ociVersion, fds ["seccompFd"], pid, metadata,
 * state), then answers the container's notifications: with an errno for
 * syscalls named with -e, with SECCOMP_USER_NOTIF_FLAG_CONTINUE otherwise.
 * Everything it sees goes to LOG, one line each:
 *   state ociVersion=1.3.0 fds=["seccompFd"] pid=123 metadata=bar id=c1 status=creating
 *   notify pid=123 syscall=mkdirat -> errno 28
 *   notify pid=123 syscall=getppid -> continue
 *   error <what was wrong with the message>
 *
 *   scmplistener [-e NAME:ERRNO]... [-m METADATA] SOCKET LOG
 *
 * -m checks that metadata equals METADATA.  Runs until killed; serves any
 * number of connections (run and exec) at once.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 64

#define SC(n) { #n, SYS_##n }
static const struct {
	const char *name;
	int nr;
} names[] = {
	SC(mkdir),   SC(mkdirat), SC(chmod),   SC(fchmod), SC(fchmodat), SC(getppid),
	SC(getpgid), SC(openat),  SC(open),    SC(read),   SC(close),    SC(execve),
	SC(uname),   SC(kill),    SC(unshare), SC(mount),  SC(getpid),   SC(sethostname),
};

static struct {
	int nr, errno_;
} answers[16];
static size_t n_answers;
static const char *want_metadata;
static FILE *log_file;

static const char *syscall_name(int nr, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].nr == nr)
			return names[i].name;
	snprintf(buf, size, "%d", nr);
	return buf;
}

static int syscall_nr(const char *name)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, name) == 0)
			return names[i].nr;
	return atoi(name);
}

static void logln(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
	fflush(log_file);
}

/* The value of "key" in a flat JSON object text, as raw text (a string
 * without its quotes, a number, or the [..]/{..} of an array/object).
 * Good enough for the messages runtimes send; not a JSON parser. */
static char *json_field(const char *json, const char *key)
{
	char pat[64];
	const char *p, *e;
	int depth = 0;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	if (*p == '"') {
		for (e = ++p; *e && *e != '"'; e++)
			if (*e == '\\' && e[1])
				e++;
	} else if (*p == '{' || *p == '[') {
		for (e = p; *e; e++) {
			if (*e == '{' || *e == '[')
				depth++;
			else if ((*e == '}' || *e == ']') && --depth == 0) {
				e++;
				break;
			}
		}
	} else {
		for (e = p; *e && *e != ',' && *e != '}'; e++)
			;
	}
	return strndup(p, (size_t)(e - p));
}

static int take_connection(int ls)
{
	char buf[65536], *ver, *fds, *pid, *meta, *state, *id = NULL, *status = NULL, *spid = NULL;
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr a;
	} ctl;
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	int conn, fd = -1, nfds = 0;
	ssize_t n, got = 0;

	conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return -1;
	n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0) {
		logln("error recvmsg: %s", n < 0 ? strerror(errno) : "empty message");
		close(conn);
		return -1;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		}
	got = n;
	/* the rest of a message a short write split (stream socket) */
	while (got < (ssize_t)sizeof(buf) - 1 && (n = recv(conn, buf + got, sizeof(buf) - 1 - (size_t)got, MSG_DONTWAIT)) > 0)
		got += n;
	buf[got] = 0;
	close(conn);

	ver = json_field(buf, "ociVersion");
	fds = json_field(buf, "fds");
	pid = json_field(buf, "pid");
	meta = json_field(buf, "metadata");
	state = json_field(buf, "state");
	if (state) {
		id = json_field(state, "id");
		status = json_field(state, "status");
		spid = json_field(state, "pid");
	}
	logln("state ociVersion=%s fds=%s pid=%s metadata=%s id=%s status=%s state.pid=%s nfds=%d",
	      ver ? ver : "-", fds ? fds : "-", pid ? pid : "-", meta ? meta : "-", id ? id : "-",
	      status ? status : "-", spid ? spid : "-", nfds);
	if (!ver || !*ver)
		logln("error no ociVersion");
	if (!fds || strcmp(fds, "[\"seccompFd\"]") != 0)
		logln("error fds is %s, want [\"seccompFd\"]", fds ? fds : "missing");
	if (!pid || atoi(pid) <= 0)
		logln("error bad pid %s", pid ? pid : "missing");
	if (!state || !id || !status)
		logln("error state object incomplete: %s", state ? state : "missing");
	if (want_metadata && (!meta || strcmp(meta, want_metadata) != 0))
		logln("error metadata is %s, want %s", meta ? meta : "missing", want_metadata);
	if (nfds != 1 || fd < 0)
		logln("error got %d fds, want 1", nfds);
	free(ver), free(fds), free(pid), free(meta), free(state), free(id), free(status), free(spid);
	return fd;
}

static void answer(int nfd, struct seccomp_notif *req, struct seccomp_notif_resp *resp,
		   size_t req_size, size_t resp_size)
{
	char nb[16];
	const char *name;

	memset(req, 0, req_size);
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
		if (errno != ENOENT && errno != EINTR)
			logln("error NOTIF_RECV: %s", strerror(errno));
		return;
	}
	memset(resp, 0, resp_size);
	resp->id = req->id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	for (size_t i = 0; i < n_answers; i++)
		if (answers[i].nr == req->data.nr) {
			resp->flags = 0;
			resp->error = -answers[i].errno_;
		}
	name = syscall_name(req->data.nr, nb, sizeof(nb));
	if (resp->flags)
		logln("notify pid=%u syscall=%s -> continue", req->pid, name);
	else
		logln("notify pid=%u syscall=%s -> errno %d", req->pid, name, -resp->error);
	/* ENOENT: the process died or the syscall was interrupted meanwhile */
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
		logln("error NOTIF_SEND: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct seccomp_notif_sizes sizes;
	struct pollfd pfd[MAX_FDS + 1];
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int opt, ls, n = 0;

	while ((opt = getopt(argc, argv, "e:m:")) != -1) {
		if (opt == 'e' && n_answers < sizeof(answers) / sizeof(answers[0])) {
			char *colon = strchr(optarg, ':');
			if (!colon)
				goto usage;
			*colon = 0;
			answers[n_answers].nr = syscall_nr(optarg);
			answers[n_answers++].errno_ = atoi(colon + 1);
		} else if (opt == 'm') {
			want_metadata = optarg;
		} else {
			goto usage;
		}
	}
	if (argc - optind != 2)
		goto usage;
	log_file = fopen(argv[optind + 1], "a");
	if (!log_file || strlen(argv[optind]) >= sizeof(addr.sun_path)) {
		perror(argv[optind + 1]);
		return 1;
	}
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		perror("SECCOMP_GET_NOTIF_SIZES");
		return 1;
	}
	req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	resp = calloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp : sizeof(*resp));

	strcpy(addr.sun_path, argv[optind]);
	unlink(addr.sun_path);
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(ls, 16) < 0) {
		perror(addr.sun_path);
		return 1;
	}
	logln("listening %s", addr.sun_path);
	pfd[0] = (struct pollfd){ .fd = ls, .events = POLLIN };
	for (;;) {
		if (poll(pfd, (nfds_t)n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			int fd = take_connection(ls);
			if (fd >= 0 && n < MAX_FDS)
				pfd[++n] = (struct pollfd){ .fd = fd, .events = POLLIN };
			else if (fd >= 0)
				close(fd);
		}
		for (int i = 1; i <= n; i++) {
			if (pfd[i].revents & POLLIN) {
				answer(pfd[i].fd, req, resp, sizes.seccomp_notif, sizes.seccomp_notif_resp);
			} else if (pfd[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
				/* every process of that filter is gone */
				logln("closed fd %d", pfd[i].fd);
				close(pfd[i].fd);
				pfd[i--] = pfd[n--];
			}
		}
	}
usage:
	fprintf(stderr, "usage: scmplistener [-e NAME:ERRNO]... [-m METADATA] SOCKET LOG\n");
	return 2;
}
