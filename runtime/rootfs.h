/* The container's filesystem: mounts, /dev, masked and read-only paths,
 * pivot_root.  Runs in the container init, in its mount namespace. */
#ifndef LW_ROOTFS_H
#define LW_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct init_ctx;

/* Propagation, the rootfs bind, every mounts[] entry, /dev (devices and
 * symlinks).  Everything is resolved beneath the rootfs: a symlink in the
 * rootfs can never point a mount outside of it. */
int rootfs_prepare(const struct init_ctx *ctx, lw_err *err);

/* After the createContainer hooks: readonlyPaths, maskedPaths, the
 * terminal (/dev/console), pivot_root (or MS_MOVE+chroot with --no-pivot),
 * read-only root. */
int rootfs_finish(const struct init_ctx *ctx, lw_err *err);

/* Parsed mount options (exposed for unit tests). */
struct mount_opts {
	unsigned long flags;       /* MS_* to set */
	unsigned long clear;       /* MS_* explicitly cleared (rw, suid, ...) */
	unsigned long propagation; /* MS_SHARED/... | MS_REC */
	unsigned long long attr_set; /* MOUNT_ATTR_* applied recursively */
	unsigned long long attr_clr;
	bool bind;
	bool rec;
	bool tmpcopyup;
	bool idmap;
	char *data; /* comma-joined fs-specific options, malloc'd or NULL */
};
int rootfs_parse_options(char *const *options, size_t n, struct mount_opts *out, lw_err *err);

#endif
