/* The new mount API: open_tree, move_mount, mount_setattr.  glibc (2.36)
 * declares it in <sys/mount.h>; musl (1.2.3) does not, so there it is the
 * kernel's <linux/mount.h> and raw system calls. */
#ifndef LW_MOUNTAPI_H
#define LW_MOUNTAPI_H

#include <sys/mount.h>

#ifndef OPEN_TREE_CLONE
#include <fcntl.h>
#include <linux/mount.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int open_tree(int dfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static inline int move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
			     unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

static inline int mount_setattr(int dfd, const char *path, unsigned int flags,
				struct mount_attr *attr, size_t size)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}
#endif

#endif
