/* The parent<->child protocol of container creation.
 *
 * One SOCK_SEQPACKET socketpair per create/run/exec: message boundaries are
 * kept, and EOF tells either side the other one is gone (the child's end is
 * close-on-exec, so after a successful execve the parent reads EOF).
 *
 *  when                         who   message             payload
 *  ---------------------------  ----  ------------------  -------------------
 *  after clone3 (+ maps,        P->C  SYNC_GO             -
 *    v1 cgroup attach)
 *  two-stage only: stage 1      C->P  SYNC_USERMAP        -
 *    unshared a user ns         P->C  SYNC_USERMAP_DONE   - (maps written)
 *  two-stage only: init forked  C->P  SYNC_INIT_PID       pid of the init
 *    (stage 1 exits; the init   P->C  SYNC_GO             -
 *    shares the socket, waits)
 *  mounts done, before pivot    C->P  SYNC_HOOKS          -
 *                               P->C  SYNC_HOOKS_DONE     - (prestart and
 *                                                          createRuntime ran)
 *  seccomp listenerPath         C->P  SYNC_SECCOMP        notify fd (SCM_RIGHTS)
 *                               P->C  SYNC_SECCOMP_DONE   - (sent to listener)
 *  Landlock rules opened: one   C->P  SYNC_LANDLOCK_PIN   "POLICY INDEX PATH"
 *    per rule path, where it                              (kept in the state
 *    led (no reply)                                       dir for exec)
 *  init set up, waits           C->P  SYNC_READY          -
 *  run/exec: go                 P->C  SYNC_START          -
 *  any failure in the child     C->P  SYNC_ERROR          errno + message
 *
 * exec uses the same messages: stage 1 joins with setns(pidfd), forks the
 * process (SYNC_INIT_PID, then SYNC_GO to it), which ends with SYNC_READY
 * and waits for SYNC_START.
 *
 * Any unexpected message or EOF makes the parent kill the child and undo
 * what it did.  `create` has no SYNC_START: the init waits on exec.fifo,
 * which `start` writes.
 */
#define _GNU_SOURCE
#include "sync.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int sync_send(int sock, int type, int err, pid_t pid, const char *text, int fd)
{
	struct sync_msg m = { .type = type, .err = err, .pid = pid };
	size_t tlen = 0;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (text) {
		tlen = strnlen(text, SYNC_TEXT_MAX - 1);
		memcpy(m.text, text, tlen);
	}
	m.text[tlen] = 0;
	iov.iov_base = &m;
	iov.iov_len = offsetof(struct sync_msg, text) + tlen + 1;
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	for (;;) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n >= 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

int sync_recv(int sock, struct sync_msg *m, int *fd_out)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	ssize_t n;

	if (fd_out)
		*fd_out = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	if ((size_t)n < offsetof(struct sync_msg, text) + 1) {
		errno = EPROTO;
		return -1;
	}
	m->text[SYNC_TEXT_MAX - 1] = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
			if (fd_out)
				*fd_out = fd;
			else
				close(fd);
		}
	}
	return 1;
}

int sync_expect(int sock, int type, const char *what, int *fd_out, lw_err *err)
{
	struct sync_msg m;
	int r = sync_recv(sock, &m, fd_out);

	if (r < 0)
		return lw_fail(err, errno, "reading from container init (%s)", what);
	if (r == 0)
		return lw_fail(err, 0, "container init exited before %s", what);
	if (m.type == SYNC_ERROR) {
		lw_fail(err, 0, "%s", m.text);
		(*err)->errno_ = m.err;
		return -1;
	}
	if (m.type != type)
		return lw_fail(err, EPROTO, "container init sent message %d, expected %d (%s)",
			       m.type, type, what);
	return 0;
}

void sync_send_error(int sock, const struct lw_error *e)
{
	sync_send(sock, SYNC_ERROR, e ? e->errno_ : 0, 0, e && e->msg ? e->msg : "unknown error",
		  -1);
}
