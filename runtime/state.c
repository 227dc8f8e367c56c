#define _GNU_SOURCE
#include "state.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "../spec/spec.h"
#include "cleanup.h"
#include "util.h"

static const char *status_names[] = { "creating", "created", "running", "paused", "stopped" };

const char *state_status_name(enum lw_status s)
{
	return status_names[s];
}

const char *state_default_root(void)
{
	static char buf[4096];
	const char *xdg;

	if (geteuid() == 0)
		return "/run/leeward";
	xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg && *xdg) {
		snprintf(buf, sizeof(buf), "%s/leeward", xdg);
		return buf;
	}
	snprintf(buf, sizeof(buf), "/tmp/leeward-%u", (unsigned)geteuid());
	return buf;
}

int state_check_id(const char *id, lw_err *err)
{
	size_t n = strlen(id);

	if (n == 0)
		return lw_fail(err, 0, "invalid container id: must not be empty");
	if (n > 255)
		return lw_fail(err, 0, "invalid container id: longer than 255 bytes");
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return lw_fail(err, 0, "invalid container id \"%s\"", id);
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
			return lw_fail(err, 0,
				       "invalid container id \"%s\": only [A-Za-z0-9_+.-] allowed", id);
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int state_create(const char *root, const char *id, char **dir_out, lw_err *err)
{
	cleanup_free char *dir = NULL;
	int r, fd;

	r = mkdir_p(root, 0711);
	if (r < 0)
		return lw_fail(err, -r, "creating state root %s", root);
	if (asprintf(&dir, "%s/%s", root, id) < 0)
		return lw_fail(err, ENOMEM, "state dir");
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			return lw_fail(err, 0, "container \"%s\" already exists", id);
		return lw_fail(err, errno, "creating state dir %s", dir);
	}
	fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		r = errno;
		if (fd >= 0)
			close(fd);
		rmdir(dir);
		return lw_fail(err, r, "locking state dir %s", dir);
	}
	*dir_out = take_ptr(dir);
	return fd;
}

int state_remove(const char *root, const char *id)
{
	cleanup_free char *dir = NULL;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	if (asprintf(&dir, "%s/%s", root, id) < 0)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		unlinkat(dirfd(d), de->d_name, 0);
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static void put_str(FILE *f, const char *key, const char *val, bool comma)
{
	cleanup_free char *q = spec_json_quote(val ? val : "");
	fprintf(f, "\"%s\":%s%s", key, q ? q : "\"\"", comma ? "," : "");
}

int state_save(const struct lw_state *st, lw_err *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int fd;

	if (!f)
		return lw_fail(err, errno, "writing state");
	fputc('{', f);
	put_str(f, "id", st->id, true);
	fprintf(f, "\"pid\":%d,\"pid_start\":%llu,", (int)st->pid, st->pid_start);
	put_str(f, "bundle", st->bundle, true);
	put_str(f, "rootfs", st->rootfs, true);
	put_str(f, "created", st->created, true);
	put_str(f, "owner", st->owner, true);
	fprintf(f, "\"rootless\":%s,\"userns\":%s,", st->rootless ? "true" : "false",
		st->userns ? "true" : "false");
	if (st->poststart >= 0)
		fprintf(f, "\"poststart\":%s,", st->poststart ? "true" : "false");
	if (st->has_annotations) {
		fputs("\"annotations\":{", f);
		for (size_t i = 0; i < st->n_annotations; i++) {
			cleanup_free char *k = spec_json_quote(st->annotations[i].key);
			cleanup_free char *v = spec_json_quote(st->annotations[i].value);
			if (!k || !v) {
				fclose(f);
				return lw_fail(err, ENOMEM, "writing state");
			}
			fprintf(f, "%s%s:%s", i ? "," : "", k, v);
		}
		fputs("},", f);
	}
	put_str(f, "cgroup", st->cgroup, false);
	fputs("}\n", f);
	fclose(f);

	fd = openat(st->dir_fd, "state.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return lw_fail(err, errno, "writing %s/state.json", st->dir);
	if (write_all(fd, buf, len) < 0) {
		int e = errno;
		close(fd);
		return lw_fail(err, e, "writing %s/state.json", st->dir);
	}
	close(fd);
	if (renameat(st->dir_fd, "state.json.tmp", st->dir_fd, "state.json") < 0)
		return lw_fail(err, errno, "renaming %s/state.json", st->dir);
	return 0;
}

static char *tree_str(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);
	const char *str = v ? YAJL_GET_STRING(v) : NULL;
	return str ? strdup(str) : NULL;
}

static long long tree_int(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static bool tree_bool(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_any);
	return v && YAJL_IS_TRUE(v);
}

int state_load(const char *root, const char *id, struct lw_state **out, lw_err *err)
{
	cleanup_free char *dir = NULL, *buf = NULL;
	cleanup_close int fd = -1;
	char ebuf[256];
	yajl_val tree;
	struct lw_state *st;
	size_t len;

	if (state_check_id(id, err) < 0)
		return -1;
	if (asprintf(&dir, "%s/%s", root, id) < 0)
		return lw_fail(err, ENOMEM, "state");
	fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return lw_fail(err, ENOENT, "container \"%s\" does not exist", id);
		return lw_fail(err, errno, "opening %s", dir);
	}
	if (flock(fd, LOCK_EX) < 0)
		return lw_fail(err, errno, "locking %s", dir);
	if (read_file_at(fd, "state.json", &buf, &len) < 0) {
		if (errno == ENOENT)
			return lw_fail(err, ENOENT, "container \"%s\" does not exist", id);
		return lw_fail(err, errno, "reading %s/state.json", dir);
	}
	tree = yajl_tree_parse(buf, ebuf, sizeof(ebuf));
	if (!tree)
		return lw_fail(err, 0, "%s/state.json: %s", dir, ebuf);
	st = calloc(1, sizeof(*st));
	if (!st) {
		yajl_tree_free(tree);
		return lw_fail(err, ENOMEM, "state");
	}
	st->id = strdup(id);
	st->dir = take_ptr(dir);
	st->dir_fd = take_fd(&fd);
	st->pid = (pid_t)tree_int(tree, "pid");
	st->pid_start = (unsigned long long)tree_int(tree, "pid_start");
	st->bundle = tree_str(tree, "bundle");
	st->rootfs = tree_str(tree, "rootfs");
	st->created = tree_str(tree, "created");
	st->owner = tree_str(tree, "owner");
	st->cgroup = tree_str(tree, "cgroup");
	if (st->cgroup && !*st->cgroup) {
		free(st->cgroup);
		st->cgroup = NULL;
	}
	st->rootless = tree_bool(tree, "rootless");
	st->userns = tree_bool(tree, "userns");
	{
		const char *path[] = { "poststart", NULL };
		yajl_val v = yajl_tree_get(tree, path, yajl_t_any);
		st->poststart = v && YAJL_IS_TRUE(v) ? 1 : v && YAJL_IS_FALSE(v) ? 0 : -1;
	}
	{
		const char *path[] = { "annotations", NULL };
		yajl_val a = yajl_tree_get(tree, path, yajl_t_object);
		if (a) {
			size_t n = a->u.object.len;
			st->annotations = calloc(n ? n : 1, sizeof(*st->annotations));
			st->has_annotations = st->annotations != NULL;
			for (size_t i = 0; st->annotations && i < n; i++) {
				yajl_val v = a->u.object.values[i];
				const char *val = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
				if (!val)
					continue;
				struct spec_kv *kv = &st->annotations[st->n_annotations++];
				kv->key = strdup(a->u.object.keys[i]);
				kv->value = strdup(val);
				if (!kv->key || !kv->value) {
					st->has_annotations = false; /* the config has them */
					break;
				}
			}
		}
	}
	yajl_tree_free(tree);
	*out = st;
	return 0;
}

void state_free(struct lw_state *st)
{
	if (!st)
		return;
	free(st->id);
	free(st->dir);
	if (st->dir_fd >= 0)
		close(st->dir_fd);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	free(st->cgroup);
	for (size_t i = 0; st->annotations && i < st->n_annotations; i++) {
		free(st->annotations[i].key);
		free(st->annotations[i].value);
	}
	free(st->annotations);
	free(st);
}

int state_write_file(int dir_fd, const char *dir, const char *name, const char *buf, size_t len,
		     lw_err *err)
{
	int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write_all(fd, buf, len) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return lw_fail(err, e, "writing %s/%s", dir, name);
	}
	close(fd);
	return 0;
}

int state_read_file(const struct lw_state *st, const char *name, char **out, lw_err *err)
{
	size_t len;

	*out = NULL;
	if (read_file_at(st->dir_fd, name, out, &len) < 0) {
		if (errno == ENOENT)
			return 0;
		return lw_fail(err, errno, "reading %s/%s", st->dir, name);
	}
	return 1;
}

int state_load_config(const struct lw_state *st, struct spec **out, lw_err *err)
{
	cleanup_free char *buf = NULL, *msg = NULL;
	size_t len;

	if (read_file_at(st->dir_fd, "config.json", &buf, &len) < 0)
		return lw_fail(err, errno, "reading %s/config.json", st->dir);
	if (spec_parse(buf, len, out, &msg) < 0)
		return lw_fail(err, 0, "%s/config.json: %s", st->dir, msg ? msg : "invalid");
	return 0;
}

unsigned long long state_pid_start(pid_t pid)
{
	char path[64], buf[1024];
	cleanup_close int fd = -1;
	ssize_t n;
	char *p;
	unsigned long long start = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* comm may contain spaces and parens: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p += 2;
	/* p is at field 3 (state); a zombie counts as gone */
	if (*p == 'Z' || *p == 'X')
		return 0;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		start = strtoull(p, NULL, 10);
	return start;
}

bool state_pid_alive(pid_t pid, unsigned long long start)
{
	if (pid <= 0)
		return false;
	unsigned long long now = state_pid_start(pid);
	return now != 0 && now == start;
}

enum lw_status state_status(const struct lw_state *st)
{
	if (!state_pid_alive(st->pid, st->pid_start))
		return LW_STOPPED;
	if (faccessat(st->dir_fd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return LW_CREATED;
	return LW_RUNNING;
}

char *state_json(const struct lw_state *st, enum lw_status status, const struct spec *spec,
		 bool pretty)
{
	struct spec_state s = {
		.oci_version = SPEC_OCI_VERSION,
		.id = st->id,
		.status = state_status_name(status),
		.pid = status == LW_STOPPED ? 0 : st->pid,
		.bundle = st->bundle,
		.rootfs = st->rootfs,
		.created = st->created,
		.owner = st->owner ? st->owner : "",
		.annotations = st->has_annotations ? st->annotations
			       : spec		   ? spec->annotations
						   : NULL,
		.n_annotations = st->has_annotations ? st->n_annotations
				 : spec		     ? spec->n_annotations
						     : 0,
	};
	return spec_generate_state(&s, pretty);
}

char **state_list(const char *root)
{
	cleanup_dir DIR *d = opendir(root);
	struct dirent *de;
	char **v = calloc(1, sizeof(char *));
	size_t n = 0;

	if (!d || !v)
		return v;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (faccessat(dirfd(d), de->d_name, F_OK, 0) < 0)
			continue;
		char **nv = realloc(v, (n + 2) * sizeof(char *));
		if (!nv)
			break;
		v = nv;
		v[n++] = strdup(de->d_name);
		v[n] = NULL;
	}
	return v;
}

char *state_now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char when[64], *out = NULL;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	if (asprintf(&out, "%s.%09ldZ", when, ts.tv_nsec) < 0)
		return NULL;
	return out;
}
