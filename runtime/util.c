#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -1;
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int read_file_at(int dirfd, const char *name, char **out, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = read_all(fd, out, len);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

int write_file_at(int dirfd, const char *name, const char *s, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = write_all(fd, s, len);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void close_fds_except(int first_fd, const int *keep_in, int n)
{
	int keep[32];
	unsigned int first = (unsigned)first_fd;

	if (n > 32)
		n = 32;
	memcpy(keep, keep_in, sizeof(int) * (size_t)n);
	qsort(keep, (size_t)n, sizeof(int), cmp_int);
	for (int i = 0; i < n; i++) {
		if (keep[i] < (int)first)
			continue;
		if ((unsigned)keep[i] > first)
			syscall(SYS_close_range, first, (unsigned)keep[i] - 1, 0);
		first = (unsigned)keep[i] + 1;
	}
	syscall(SYS_close_range, first, ~0U, 0);
}

int util_write_pid_file(const char *path, pid_t pid, lw_err *err)
{
	char *tmp = NULL, buf[32];
	int fd, n, r;

	if (asprintf(&tmp, "%s.%d.tmp", path, (int)getpid()) < 0)
		return lw_fail(err, ENOMEM, "--pid-file");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(tmp);
		return lw_fail(err, errno, "--pid-file %s", path);
	}
	n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	r = write_all(fd, buf, (size_t)n);
	close(fd);
	if (r < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		free(tmp);
		return lw_fail(err, e, "--pid-file %s", path);
	}
	free(tmp);
	return 0;
}

int util_connect_unix(const char *path, const char *what, lw_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return lw_fail(err, ENAMETOOLONG, "%s %s", what, path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return lw_fail(err, e, "%s: connecting to %s", what, path);
	}
	return fd;
}

int util_exit_code(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return 255;
}

void util_sigfillset(sigset_t *set)
{
	memset(set, 0xff, sizeof(*set));
}

int util_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	/* the kernel's sigset is 64 bits on Linux: _NSIG / 8 */
	return (int)syscall(SYS_rt_sigprocmask, how, set, old, (size_t)(64 / 8));
}
