/* Small I/O helpers shared by the runtime (leaf: libc only). */
#ifndef LW_UTIL_H
#define LW_UTIL_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Write all of buf (retrying on EINTR/short writes). -1 with errno. */
int write_all(int fd, const void *buf, size_t len);
/* Read all of fd into a malloc'd NUL-terminated buffer. -1 with errno. */
int read_all(int fd, char **out, size_t *len);
/* Open dirfd/name O_RDONLY and read it whole. */
int read_file_at(int dirfd, const char *name, char **out, size_t *len);
/* Open dirfd/name O_WRONLY|O_TRUNC(|O_CREAT) and write s. -1 with errno. */
int write_file_at(int dirfd, const char *name, const char *s, size_t len);

/* Write pid to path atomically (tmp + rename), as runc: no newline. */
int util_write_pid_file(const char *path, pid_t pid, lw_err *err);
/* Connect to a unix stream socket (what names the flag in errors). */
int util_connect_unix(const char *path, const char *what, lw_err *err);
/* A wait status as a shell would report it: the exit code, 128+N for a
 * signal. */
int util_exit_code(int wstatus);

/* Every signal, the C library's own included (musl's sigfillset leaves out
 * 32-34, glibc's 32-33): a foreground runtime that blocks "all" signals to
 * read them from a signalfd must not be killed by signal 34 (RTMIN). */
void util_sigfillset(sigset_t *set);
/* sigprocmask(2) itself: musl's wrapper clears 32-34 from the mask it
 * returns, so a mask saved and restored through it loses them. */
int util_sigprocmask(int how, const sigset_t *set, sigset_t *old);

/* Close every fd >= first except those in keep[] (-1 entries ignored). */
void close_fds_except(int first, const int *keep, int n);

#endif
