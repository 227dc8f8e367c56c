/* Path resolution beneath the container's rootfs (inroot.c). */
#ifndef LW_INROOT_H
#define LW_INROOT_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* openat2(2) with `resolve` (and O_CLOEXEC), retried on EAGAIN. */
int openat2_(int dirfd, const char *path, int flags, unsigned long long resolve);

/* `path` (absolute or not) opened beneath rootfd with flags; -1 with
 * errno. */
int open_in_root(int rootfd, const char *path, int flags);

/* Open `path` beneath rootfd, creating what is missing: directories, and
 * for the last component an empty file (mode) when `file` is set.  Returns
 * an O_PATH fd. */
int mkpath_in_root(int rootfd, const char *path, bool file, mode_t mode, lw_err *err);

/* A directory of the rootfs, made if missing, opened for *at() calls. */
int open_dir_in_root(int rootfd, const char *dir, lw_err *err);

#endif
