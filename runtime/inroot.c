/* Path resolution beneath the container's rootfs: every lookup is
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) from the rootfs fd, so
 * a symlink in the rootfs can never lead outside it; what is missing is
 * made on the way.  Used by rootfs.c, in the container init. */
#define _GNU_SOURCE
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

int openat2_(int dirfd, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = { .flags = (unsigned long long)flags | O_CLOEXEC,
				.resolve = resolve };
	int fd;

	do
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd;
}

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

int open_in_root(int rootfd, const char *path, int flags)
{
	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	return openat2_(rootfd, path, flags, IN_ROOT);
}

/* Create the last component of buf (a freshly made directory, or an empty
 * file when `file`) in the directory `parent`; tolerate EEXIST. */
static int make_component(int parent, const char *name, bool file, mode_t mode, const char *buf,
			  const char *path, lw_err *err)
{
	if (file) {
		int f = openat(parent, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_WRONLY,
			       mode & 07777);
		if (f < 0 && errno != EEXIST)
			return lw_fail(err, errno, "creating %s in the rootfs", path);
		if (f >= 0)
			close(f);
	} else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
		return lw_fail(err, errno, "creating directory %s in the rootfs", buf);
	}
	return 0;
}

/* The slow, general way: create component by component, re-resolving
 * every prefix in root (needed for "." and ".." components). */
static int mkpath_slow(int rootfd, char *buf, const char *path, bool file, mode_t mode,
		       lw_err *err)
{
	char *p = buf, *slash;
	int fd;

	while (*p == '/')
		p++;
	for (;;) {
		slash = strchr(p, '/');
		bool last = !slash;
		if (slash)
			*slash = 0;
		fd = open_in_root(rootfd, buf, O_PATH);
		if (fd < 0 && errno == ENOENT) {
			cleanup_close int parent = -1;
			char *name = strrchr(buf, '/');
			if (name) {
				*name = 0;
				parent = open_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
				*name = '/';
				name++;
			} else {
				parent = open_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
				name = buf;
			}
			if (parent < 0)
				return lw_fail(err, errno, "resolving the parent of %s", path);
			if (make_component(parent, name, last && file, mode, buf, path, err) < 0)
				return -1;
			fd = open_in_root(rootfd, buf, O_PATH);
			if (fd < 0)
				return lw_fail(err, errno,
					       "%s in the rootfs: a dangling symlink or a race", buf);
		} else if (fd < 0) {
			return lw_fail(err, errno, "resolving %s in the rootfs", buf);
		}
		if (last)
			return fd;
		close(fd);
		*slash = '/';
		p = slash + 1;
	}
}

static bool is_regular(int fd)
{
	struct stat sb;
	return fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
}

static bool has_dot_component(const char *p)
{
	for (;;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return true;
		if (!p[n])
			return false;
		p += n;
	}
}

/* Open `path` beneath rootfd, creating what is missing: directories, and
 * for the last component an empty file when `file` is set.  Returns an
 * O_PATH fd.
 *
 * The deepest existing ancestor is resolved in root (symlinks and all);
 * below it, every component is one this call just made, so it is made and
 * opened relative to its parent with O_NOFOLLOW: one mkdirat + one openat
 * per missing level, not a walk from the root for each.  A component that
 * turns out not to be a plain directory (a dangling symlink, a race) and
 * "."/".." components take the slow path that re-resolves in root. */
int mkpath_in_root(int rootfd, const char *path, bool file, mode_t mode, lw_err *err)
{
	cleanup_free char *buf = strdup(path);
	cleanup_close int dir = -1;
	char *rest, *end;
	int fd;

	if (!buf)
		return lw_fail(err, ENOMEM, "%s", path);
	fd = open_in_root(rootfd, buf, O_PATH);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : lw_fail(err, errno, "resolving %s in the rootfs", path);
	if (has_dot_component(buf))
		return mkpath_slow(rootfd, buf, path, file, mode, err);

	/* strip trailing slashes; find the deepest ancestor that exists */
	end = buf + strlen(buf);
	while (end > buf && end[-1] == '/')
		*--end = 0;
	rest = end;
	for (;;) {
		char *cut = rest;
		while (cut > buf && cut[-1] != '/')
			cut--;
		/* buf[..cut) is the candidate ancestor, cut.. the missing part */
		while (cut > buf && cut[-1] == '/')
			cut--;
		if (cut == buf) {
			dir = open_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
			rest = buf;
			break;
		}
		char saved = *cut;
		*cut = 0;
		dir = open_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
		*cut = saved;
		rest = cut;
		if (dir >= 0 || errno != ENOENT)
			break;
	}
	if (dir < 0)
		return lw_fail(err, errno, "resolving the parent of %s", path);

	/* make and open each missing component below dir */
	for (;;) {
		while (*rest == '/')
			rest++;
		char *slash = strchr(rest, '/');
		bool last = !slash;
		if (slash)
			*slash = 0;
		if (make_component(dir, rest, last && file, mode, buf, path, err) < 0)
			return -1;
		fd = openat(dir, rest, O_PATH | O_NOFOLLOW | O_CLOEXEC | (last && file ? 0 : O_DIRECTORY));
		if (slash)
			*slash = '/';
		if (fd < 0 || (last && file && !is_regular(fd))) {
			if (fd >= 0)
				close(fd);
			/* not what we made: let the in-root walk decide */
			strcpy(buf, path);
			return mkpath_slow(rootfd, buf, path, file, mode, err);
		}
		if (last)
			return fd;
		close(dir);
		dir = fd;
		rest = slash + 1;
	}
}

/* A directory of the rootfs, made if missing, opened for *at() calls. */
int open_dir_in_root(int rootfd, const char *dir, lw_err *err)
{
	int fd = mkpath_in_root(rootfd, *dir ? dir : "/", false, 0, err);
	if (fd < 0)
		return -1;
	close(fd);
	/* mknodat and symlinkat need a real directory fd, not O_PATH */
	fd = open_in_root(rootfd, *dir ? dir : "/", O_DIRECTORY | O_RDONLY);
	if (fd < 0)
		return lw_fail(err, errno, "opening %s", dir);
	return fd;
}

