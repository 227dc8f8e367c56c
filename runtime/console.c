#define _GNU_SOURCE
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../spec/spec.h"
#include "cleanup.h"
#include "mountapi.h"
#include "util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static int send_fd(int sock, int fd, const char *name)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;

	memset(u.buf, 0, sizeof(u.buf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int console_setup(int console_fd, const struct spec_process *p, int bind_console, lw_err *err)
{
	cleanup_close int master = -1, slave = -1;
	char name[64];
	int unlock = 0, ptn;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return lw_fail(err, errno, "process.terminal: opening /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &ptn) < 0)
		return lw_fail(err, errno, "process.terminal: unlocking pty");
	snprintf(name, sizeof(name), "/dev/pts/%d", ptn);
	/* TIOCGPTPEER opens the peer of this very master: no path lookup that
	 * a symlink in the container could redirect */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return lw_fail(err, errno, "process.terminal: opening %s", name);
	if (p->has_console_size) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height,
				      .ws_col = (unsigned short)p->console_width };
		ioctl(slave, TIOCSWINSZ, &ws);
	}
	if (bind_console) {
		/* open_tree + move_mount: no /proc needed, no path to redirect */
		int fd = open("/dev/console", O_CREAT | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		cleanup_close int tree = open_tree(slave, "", OPEN_TREE_CLONE | AT_EMPTY_PATH | OPEN_TREE_CLOEXEC);
		if (tree < 0 || move_mount(tree, "", AT_FDCWD, "/dev/console", MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return lw_fail(err, errno, "process.terminal: bind-mounting %s on /dev/console",
				       name);
	}
	if (send_fd(console_fd, master, name) < 0)
		return lw_fail(err, errno, "--console-socket: sending the pty master");
	if (setsid() < 0 && errno != EPERM)
		return lw_fail(err, errno, "process.terminal: setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return lw_fail(err, errno, "process.terminal: TIOCSCTTY");
	for (int i = 0; i < 3; i++)
		if (dup3(slave, i, 0) < 0)
			return lw_fail(err, errno, "process.terminal: dup3");
	return 0;
}

int console_receive_master(int sock, int *master, lw_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char name[256];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };

	*master = -1;
	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) < 0)
		return lw_fail(err, errno, "receiving the pty master");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(master, CMSG_DATA(c), sizeof(int));
	if (*master < 0)
		return lw_fail(err, 0, "no pty master received");
	return 0;
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

/* Move what is readable from `from` to `to`; false on EOF/error. */
static bool pump(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN);
	return write_all(to, buf, (size_t)n) == 0;
}

int console_wait_foreground(struct run_io *io, int *wstatus)
{
	sigset_t all;
	struct termios saved, raw;
	bool restore_tty = false, stdin_open = io->master >= 0, done = false;
	int sfd;

	util_sigfillset(&all);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0)
		return -1;
	if (io->master >= 0) {
		if (isatty(0) && tcgetattr(0, &saved) == 0) {
			raw = saved;
			cfmakeraw(&raw);
			raw.c_oflag |= OPOST; /* keep \n -> \r\n on our side */
			tcsetattr(0, TCSANOW, &raw);
			restore_tty = true;
			copy_winsize(0, io->master);
		}
	}
	while (!done) {
		struct pollfd p[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = io->master, .events = POLLIN },
			{ .fd = stdin_open ? 0 : -1, .events = POLLIN },
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!pump(io->master, 1) && !(p[1].revents & POLLIN))
				p[1].fd = -1;
		}
		if (p[2].revents & (POLLIN | POLLHUP)) {
			if (!pump(0, io->master))
				stdin_open = false;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			int sig = (int)si.ssi_signo;
			if (sig == SIGCHLD) {
				int ws;
				pid_t r;
				while ((r = waitpid(-1, &ws, WNOHANG)) > 0)
					if (r == io->pid) {
						*wstatus = ws;
						done = true;
					}
			} else if (sig == SIGWINCH && io->master >= 0) {
				copy_winsize(0, io->master);
			} else if (sig != SIGURG && sig != SIGPIPE) {
				kill(io->pid, sig);
			}
		}
	}
	/* drain what the container wrote last */
	if (io->master >= 0) {
		char buf[16384];
		ssize_t n;
		int fl = fcntl(io->master, F_GETFL);
		fcntl(io->master, F_SETFL, fl | O_NONBLOCK);
		while ((n = read(io->master, buf, sizeof(buf))) > 0)
			if (write_all(1, buf, (size_t)n) < 0)
				break;
	}
	if (restore_tty)
		tcsetattr(0, TCSANOW, &saved);
	close(sfd);
	return done ? 0 : -1;
}
