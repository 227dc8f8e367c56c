/* Unit tests of the runtime's pure logic: mount options, signal names,
 * container ids, Go-style flag parsing. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cli/cli.h"
#include "runtime/container.h"
#include "runtime/mountapi.h"
#include "runtime/rootfs.h"
#include "runtime/state.h"

static int passed, failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond)                                                                          \
			passed++;                                                                  \
		else {                                                                             \
			failed++;                                                                  \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                     \
		}                                                                                  \
	} while (0)

static void test_mount_options(void)
{
	char *opts[] = { "nosuid", "ro", "rw", "noexec", "rbind", "rprivate", "rro", "mode=755",
			 "size=65536k", "strictatime", "nostrictatime" };
	struct mount_opts o;
	lw_err err = NULL;

	CHECK(rootfs_parse_options(opts, sizeof(opts) / sizeof(opts[0]), &o, &err) == 0);
	CHECK(o.flags & MS_NOSUID);
	CHECK(!(o.flags & MS_RDONLY)); /* rw after ro wins */
	CHECK(o.clear & MS_RDONLY);
	CHECK(o.flags & MS_NOEXEC);
	CHECK(o.bind && o.rec);
	CHECK(o.propagation == (MS_PRIVATE | MS_REC));
	CHECK(o.attr_set & MOUNT_ATTR_RDONLY);
	CHECK(!(o.flags & MS_STRICTATIME));
	CHECK(o.data && !strcmp(o.data, "mode=755,size=65536k"));
	free(o.data);

	char *none[] = { "defaults" };
	CHECK(rootfs_parse_options(none, 1, &o, &err) == 0);
	CHECK(o.flags == 0 && !o.bind && !o.data);

	char *idm[] = { "idmap" };
	CHECK(rootfs_parse_options(idm, 1, &o, &err) == 0 && o.idmap);
	char *rw[] = { "rrw" };
	CHECK(rootfs_parse_options(rw, 1, &o, &err) == 0 && (o.attr_clr & MOUNT_ATTR_RDONLY));
}

static void test_signals(void)
{
	CHECK(container_parse_signal("KILL") == SIGKILL);
	CHECK(container_parse_signal("SIGKILL") == SIGKILL);
	CHECK(container_parse_signal("sigterm") == SIGTERM);
	CHECK(container_parse_signal("9") == 9);
	CHECK(container_parse_signal("0") == -1);
	CHECK(container_parse_signal("65") == -1);
	CHECK(container_parse_signal("NOPE") == -1);
	/* glibc's (and runc's) numbering, whatever libc the test is built with */
	CHECK(container_parse_signal("RTMIN") == 34);
	CHECK(container_parse_signal("RTMIN+3") == 37);
	CHECK(container_parse_signal("RTMAX-1") == 63);
	CHECK(container_parse_signal("RTMAX") == 64);
	CHECK(container_parse_signal("") == -1);
}

static void test_ids(void)
{
	lw_err err = NULL;
	char longid[300];

	CHECK(state_check_id("abc-1_2.3+x", &err) == 0);
	CHECK(state_check_id("", &err) < 0);
	lw_err_free(&err);
	CHECK(state_check_id("..", &err) < 0);
	lw_err_free(&err);
	CHECK(state_check_id("../x", &err) < 0);
	CHECK(err && strstr(err->msg, "../x"));
	lw_err_free(&err);
	CHECK(state_check_id("a/b", &err) < 0);
	lw_err_free(&err);
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = 0;
	CHECK(state_check_id(longid, &err) < 0);
	lw_err_free(&err);
	longid[255] = 0;
	CHECK(state_check_id(longid, &err) == 0);
}

static void test_flags(void)
{
	const char *bundle = NULL, *pid = NULL;
	bool detach = false;
	int n = 0;
	struct cli_strlist env = { 0 };
	const struct cli_flag flags[] = {
		{ "bundle", "b", CLI_STR, &bundle },  { "pid-file", NULL, CLI_STR, &pid },
		{ "detach", "d", CLI_BOOL, &detach }, { "preserve-fds", NULL, CLI_INT, &n },
		{ "env", "e", CLI_STRLIST, &env },    { NULL, NULL, 0, NULL },
	};
	char *argv[] = { "run", "-b", "/x", "--pid-file=/p", "-detach", "--preserve-fds", "2",
			 "-e", "A=1", "--env=B=2", "id", "--not-a-flag" };
	int i = 1;
	lw_err err = NULL;

	CHECK(cli_parse(flags, 12, argv, &i, &err) == 0);
	CHECK(i == 10 && !strcmp(argv[i], "id"));
	CHECK(bundle && !strcmp(bundle, "/x"));
	CHECK(pid && !strcmp(pid, "/p"));
	CHECK(detach);
	CHECK(n == 2);
	CHECK(env.n == 2 && !strcmp(env.v[1], "B=2"));
	free(env.v);

	char *bad[] = { "run", "--nope", "id" };
	i = 1;
	CHECK(cli_parse(flags, 3, bad, &i, &err) < 0);
	CHECK(err && strstr(err->msg, "flag provided but not defined: -nope"));
	lw_err_free(&err);
	char *missing[] = { "run", "--bundle" };
	i = 1;
	CHECK(cli_parse(flags, 2, missing, &i, &err) < 0);
	lw_err_free(&err);
	CHECK(cli_nargs("create", 0, 1, 1, &err) < 0);
	CHECK(err && !strcmp(err->msg, "\"create\" requires exactly 1 argument(s)"));
	lw_err_free(&err);
}

/* Error text is glibc's (and runc's) whichever C library leeward uses. */
static void test_strerror(void)
{
	lw_err err = NULL;
	CHECK(!strcmp(lw_strerror(EBUSY), "Device or resource busy"));
	CHECK(!strcmp(lw_strerror(ELOOP), "Too many levels of symbolic links"));
	CHECK(!strcmp(lw_strerror(ENOMEM), "Cannot allocate memory"));
	CHECK(!strcmp(lw_strerror(EMFILE), "Too many open files"));
	CHECK(!strcmp(lw_strerror(ENOENT), "No such file or directory"));
	CHECK(!strcmp(lw_strerror(EPERM), "Operation not permitted"));
	lw_fail(&err, EBUSY, "removing cgroup %s", "/x");
	CHECK(err && !strcmp(err->msg, "removing cgroup /x: Device or resource busy"));
	lw_err_free(&err);
}

int main(void)
{
	test_strerror();
	test_mount_options();
	test_signals();
	test_ids();
	test_flags();
	printf("unit runtime: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
