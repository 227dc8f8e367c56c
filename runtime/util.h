/* Small I/O helpers shared by the runtime (leaf: libc only). */
#ifndef LW_UTIL_H
#define LW_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Write all of buf (retrying on EINTR/short writes). -1 with errno. */
int write_all(int fd, const void *buf, size_t len);
/* Read all of fd into a malloc'd NUL-terminated buffer. -1 with errno. */
int read_all(int fd, char **out, size_t *len);
/* Open dirfd/name O_RDONLY and read it whole. */
int read_file_at(int dirfd, const char *name, char **out, size_t *len);
/* Open dirfd/name O_WRONLY|O_TRUNC(|O_CREAT) and write s. -1 with errno. */
int write_file_at(int dirfd, const char *name, const char *s, size_t len);

/* Close every fd >= first except those in keep[] (-1 entries ignored). */
void close_fds_except(int first, const int *keep, int n);

#endif
