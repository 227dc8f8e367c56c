#define _GNU_SOURCE
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../spec/spec.h"
#include "cleanup.h"
#include "util.h"

static int write_proc(pid_t pid, const char *file, const char *text, lw_err *err)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return lw_fail(err, errno, "opening %s", path);
	if (write_all(fd, text, strlen(text)) < 0) {
		int e = errno;
		close(fd);
		return lw_fail(err, e, "writing %s (\"%s\")", path, text);
	}
	close(fd);
	return 0;
}

static char *map_text(const struct spec_id_mapping *m, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
	fclose(f);
	return buf;
}

static int run_helper(const char *helper, pid_t pid, const struct spec_id_mapping *m, size_t n,
		      lw_err *err)
{
	char **argv = calloc(3 * n + 3, sizeof(char *));
	char pidbuf[16];
	int status;
	pid_t child;

	if (!argv)
		return lw_fail(err, ENOMEM, "%s", helper);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	argv[0] = (char *)helper;
	argv[1] = pidbuf;
	for (size_t i = 0; i < n; i++) {
		if (asprintf(&argv[2 + 3 * i], "%u", m[i].container_id) < 0 ||
		    asprintf(&argv[3 + 3 * i], "%u", m[i].host_id) < 0 ||
		    asprintf(&argv[4 + 3 * i], "%u", m[i].size) < 0)
			break;
	}
	child = fork();
	if (child == 0) {
		execvp(helper, argv);
		_exit(127);
	}
	for (size_t i = 2; i < 3 * n + 2; i++)
		free(argv[i]);
	free(argv);
	if (child < 0)
		return lw_fail(err, errno, "fork %s", helper);
	if (waitpid(child, &status, 0) < 0)
		return lw_fail(err, errno, "waiting for %s", helper);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return lw_fail(err, 0, "%s failed (status %d)%s", helper,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			       WIFEXITED(status) && WEXITSTATUS(status) == 127
				       ? ": not installed (package uidmap)"
				       : "");
	return 0;
}

static bool self_only(const struct spec_id_mapping *m, size_t n, unsigned id)
{
	return n == 1 && m[0].size == 1 && m[0].host_id == id;
}

int userns_write_maps(pid_t pid, const struct spec_linux *l, bool rootless, lw_err *err)
{
	cleanup_free char *uid = NULL, *gid = NULL;

	if (!l)
		return 0;
	if (rootless) {
		bool u_self = self_only(l->uid_mappings, l->n_uid_mappings, geteuid());
		bool g_self = self_only(l->gid_mappings, l->n_gid_mappings, getegid());
		if (u_self && g_self) {
			if (write_proc(pid, "setgroups", "deny", err) < 0)
				return lw_wrap(err, "linux.gidMappings");
		} else {
			if (run_helper("newuidmap", pid, l->uid_mappings, l->n_uid_mappings, err) < 0)
				return lw_wrap(err, "linux.uidMappings");
			if (run_helper("newgidmap", pid, l->gid_mappings, l->n_gid_mappings, err) < 0)
				return lw_wrap(err, "linux.gidMappings");
			return 0;
		}
	}
	uid = map_text(l->uid_mappings, l->n_uid_mappings);
	gid = map_text(l->gid_mappings, l->n_gid_mappings);
	if (!uid || !gid)
		return lw_fail(err, ENOMEM, "id maps");
	if (write_proc(pid, "uid_map", uid, err) < 0)
		return lw_wrap(err, "linux.uidMappings");
	if (write_proc(pid, "gid_map", gid, err) < 0)
		return lw_wrap(err, "linux.gidMappings");
	return 0;
}

int userns_fd_for_maps(const struct spec_id_mapping *uid, size_t n_uid,
		       const struct spec_id_mapping *gid, size_t n_gid, lw_err *err)
{
	cleanup_free char *u = map_text(uid, n_uid), *g = map_text(gid, n_gid);
	int p[2], fd = -1;
	char c = 0, path[64];
	pid_t pid;

	if (!u || !g)
		return lw_fail(err, ENOMEM, "idmap");
	if (pipe2(p, O_CLOEXEC) < 0)
		return lw_fail(err, errno, "idmap: pipe");
	pid = fork();
	if (pid == 0) {
		/* tell the parent the namespace exists, then wait to be killed */
		close(p[0]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return lw_fail(err, errno, "idmap: fork");
	}
	if (read(p[0], &c, 1) != 1) {
		lw_fail(err, 0, "idmap: could not make a user namespace");
		goto out;
	}
	if (write_proc(pid, "uid_map", u, err) < 0 || write_proc(pid, "gid_map", g, err) < 0) {
		lw_wrap(err, "idmap");
		goto out;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		lw_fail(err, errno, "idmap: opening %s", path);
out:
	close(p[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return fd;
}
