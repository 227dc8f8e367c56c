/* Unit tests of the runtime's pure logic: mount options, signal names,
 * container ids, Go-style flag parsing, what each Landlock ABI enforces. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cli/cli.h"
#include "runtime/container.h"
#include "runtime/landlock.h"
#include "runtime/mountapi.h"
#include "runtime/rootfs.h"
#include "runtime/state.h"
#include "spec/spec.h"

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

/* ---- Landlock: what each ABI enforces (runtime/landlock.c) ---------------- */

#define LLB(n) (UINT64_C(1) << (n))
#define LL_ORIGIN "config.json: process.landlock"

/* lw_landlock_compile of `l` at `abi`: 0 and *out, or -1 and the message in
 * *msg (malloc'd). */
static int ll_compile(const struct spec_landlock *l, int abi, struct lw_landlock **out, bool *warn,
		      char **msg)
{
	lw_err err = NULL;
	*out = (struct lw_landlock *)1; /* must be reset */
	*warn = true;
	*msg = NULL;
	int r = lw_landlock_compile(l, LL_ORIGIN, abi, out, warn, &err);
	if (r < 0)
		*msg = strdup(err && err->msg ? err->msg : "(no message)");
	lw_err_free(&err);
	return r;
}

static void test_landlock_rights(void)
{
	static const uint64_t fs[] = { 0, 0x1fff, 0x3fff, 0x7fff, 0x7fff, 0xffff, 0xffff, 0xffff };
	for (int abi = 0; abi <= 7; abi++) {
		CHECK(lw_landlock_fs_rights(abi) == fs[abi]);
		CHECK(lw_landlock_net_rights(abi) == (abi >= 4 ? 3 : 0));
		CHECK(lw_landlock_scopes(abi) == (abi >= 6 ? 3 : 0));
	}
	/* refer is ABI 2, truncate ABI 3, ioctl_dev ABI 5 */
	CHECK(!(lw_landlock_fs_rights(1) & LLB(13)) && (lw_landlock_fs_rights(2) & LLB(13)));
	CHECK(!(lw_landlock_fs_rights(2) & LLB(14)) && (lw_landlock_fs_rights(3) & LLB(14)));
	CHECK(!(lw_landlock_fs_rights(4) & LLB(15)) && (lw_landlock_fs_rights(5) & LLB(15)));

	/* the running kernel: any version, the same on every call */
	int abi = lw_landlock_abi();
	CHECK(abi >= 0);
	CHECK(lw_landlock_abi() == abi);
}

/* best effort: what the ABI lacks is left out */
static void test_landlock_best_effort(void)
{
	const uint64_t abi1 = LLB(0) | LLB(2) | LLB(3); /* execute, read_file, read_dir */
	struct spec_landlock l = { .handled_fs = abi1 | LLB(13) | LLB(14) | LLB(15) };
	struct lw_landlock *ll;
	bool warn;
	char *msg;

	/* ABI 0: nothing, and a warning */
	CHECK(ll_compile(&l, 0, &ll, &warn, &msg) == 0 && ll == NULL && warn);
	free(msg);

	static const uint64_t want[] = { 0,
					 abi1,
					 abi1 | LLB(13),
					 abi1 | LLB(13) | LLB(14),
					 abi1 | LLB(13) | LLB(14),
					 abi1 | LLB(13) | LLB(14) | LLB(15),
					 abi1 | LLB(13) | LLB(14) | LLB(15),
					 abi1 | LLB(13) | LLB(14) | LLB(15) };
	for (int abi = 1; abi <= 7; abi++) {
		int r = ll_compile(&l, abi, &ll, &warn, &msg);
		CHECK(r == 0 && ll && !warn && !msg);
		if (ll) {
			CHECK(ll->handled_fs == want[abi]);
			CHECK(ll->handled_net == 0 && ll->scoped == 0);
			CHECK(ll->src == &l && !strcmp(ll->origin, LL_ORIGIN) &&
			      ll->ruleset_fd == -1);
		}
		lw_landlock_free(ll);
		free(msg);
	}

	/* network rights: ABI 4 */
	struct spec_landlock net = { .handled_fs = LLB(2), .handled_net = 3 };
	CHECK(ll_compile(&net, 3, &ll, &warn, &msg) == 0 && ll && !warn);
	CHECK(ll && ll->handled_fs == LLB(2) && ll->handled_net == 0);
	lw_landlock_free(ll);
	CHECK(ll_compile(&net, 4, &ll, &warn, &msg) == 0 && ll && !warn);
	CHECK(ll && ll->handled_fs == LLB(2) && ll->handled_net == 3);
	lw_landlock_free(ll);
	net.handled_fs = 0;
	CHECK(ll_compile(&net, 3, &ll, &warn, &msg) == 0 && ll == NULL && !warn); /* nothing left */
	CHECK(ll_compile(&net, 4, &ll, &warn, &msg) == 0 && ll && ll->handled_net == 3 &&
	      ll->handled_fs == 0);
	lw_landlock_free(ll);

	/* scopes: ABI 6 */
	struct spec_landlock sc = { .scoped = 3 };
	CHECK(ll_compile(&sc, 5, &ll, &warn, &msg) == 0 && ll == NULL && !warn);
	CHECK(ll_compile(&sc, 0, &ll, &warn, &msg) == 0 && ll == NULL && warn);
	for (int abi = 6; abi <= 7; abi++) {
		CHECK(ll_compile(&sc, abi, &ll, &warn, &msg) == 0 && ll && !warn);
		CHECK(ll && ll->scoped == 3 && ll->handled_fs == 0 && ll->handled_net == 0);
		lw_landlock_free(ll);
	}
	/* only ABI-5 fs rights and scopes at ABI 4: nothing */
	struct spec_landlock late = { .handled_fs = LLB(15), .scoped = LLB(1) };
	CHECK(ll_compile(&late, 4, &ll, &warn, &msg) == 0 && ll == NULL && !warn);
	CHECK(ll_compile(&late, 5, &ll, &warn, &msg) == 0 && ll && ll->handled_fs == LLB(15) &&
	      ll->scoped == 0);
	lw_landlock_free(ll);
	lw_landlock_free(NULL);
}

/* disableBestEffort: the first right the ABI lacks is an error */
static void test_landlock_strict(void)
{
	struct spec_landlock l = { .handled_fs = LLB(0) | LLB(13) | LLB(14) | LLB(15),
				   .disable_best_effort = true };
	struct lw_landlock *ll;
	bool warn;
	char *msg;

	CHECK(ll_compile(&l, 0, &ll, &warn, &msg) < 0 && ll == NULL && !warn);
	CHECK(msg && !strcmp(msg, LL_ORIGIN ": the kernel has no Landlock (not built in or not in "
					    "the lsm= boot list) and disableBestEffort is set"));
	free(msg);
	static const char *first[] = { NULL, "refer", "truncate", "ioctl_dev", "ioctl_dev" };
	for (int abi = 1; abi <= 4; abi++) {
		char want[256];
		snprintf(want, sizeof(want),
			 LL_ORIGIN
			 ".ruleset.handledAccessFS: \"%s\" is not supported by this kernel "
			 "(Landlock ABI %d) and disableBestEffort is set",
			 first[abi], abi);
		CHECK(ll_compile(&l, abi, &ll, &warn, &msg) < 0 && ll == NULL && !warn);
		CHECK(msg && !strcmp(msg, want));
		if (msg && strcmp(msg, want))
			printf("  got  %s\n  want %s\n", msg, want);
		free(msg);
	}
	for (int abi = 5; abi <= 7; abi++) {
		CHECK(ll_compile(&l, abi, &ll, &warn, &msg) == 0 && ll && !msg &&
		      ll->handled_fs == l.handled_fs);
		lw_landlock_free(ll);
	}

	/* network rights before ABI 4, named by the first one missing */
	struct spec_landlock net = { .handled_fs = LLB(0),
				     .handled_net = 3,
				     .disable_best_effort = true };
	CHECK(ll_compile(&net, 3, &ll, &warn, &msg) < 0 && ll == NULL);
	CHECK(msg && !strcmp(msg, LL_ORIGIN ".ruleset.handledAccessNet: \"bind_tcp\" is not "
					    "supported by this kernel (Landlock ABI 3) and "
					    "disableBestEffort is set"));
	free(msg);
	net.handled_net = LLB(1);
	CHECK(ll_compile(&net, 1, &ll, &warn, &msg) < 0 && ll == NULL);
	CHECK(msg && strstr(msg, ".ruleset.handledAccessNet: \"connect_tcp\"") &&
	      strstr(msg, "(Landlock ABI 1)"));
	free(msg);
	CHECK(ll_compile(&net, 4, &ll, &warn, &msg) == 0 && ll && ll->handled_net == LLB(1));
	lw_landlock_free(ll);

	/* scopes before ABI 6 */
	struct spec_landlock sc = { .scoped = LLB(1), .disable_best_effort = true };
	CHECK(ll_compile(&sc, 5, &ll, &warn, &msg) < 0 && ll == NULL);
	CHECK(msg &&
	      !strcmp(msg, LL_ORIGIN ".ruleset.scoped: \"signal\" is not supported by this "
				     "kernel (Landlock ABI 5) and disableBestEffort is set"));
	free(msg);
	sc.scoped = 3;
	CHECK(ll_compile(&sc, 4, &ll, &warn, &msg) < 0 && msg &&
	      strstr(msg, ".ruleset.scoped: \"abstract_unix_socket\""));
	free(msg);
	CHECK(ll_compile(&sc, 6, &ll, &warn, &msg) == 0 && ll && ll->scoped == 3);
	lw_landlock_free(ll);

	/* the filesystem is named before the network and the network before scopes */
	struct spec_landlock all = {
		.handled_fs = LLB(15), .handled_net = 1, .scoped = 1, .disable_best_effort = true
	};
	CHECK(ll_compile(&all, 3, &ll, &warn, &msg) < 0 && msg &&
	      strstr(msg, ".handledAccessFS: \"ioctl_dev\""));
	free(msg);
	all.handled_fs = LLB(14);
	CHECK(ll_compile(&all, 3, &ll, &warn, &msg) < 0 && msg &&
	      strstr(msg, ".handledAccessNet: \"bind_tcp\""));
	free(msg);
	CHECK(ll_compile(&all, 5, &ll, &warn, &msg) < 0 && msg &&
	      strstr(msg, ".scoped: \"abstract_unix_socket\" is not supported by this kernel "
			  "(Landlock ABI 5)"));
	free(msg);
	CHECK(ll_compile(&all, 7, &ll, &warn, &msg) == 0 && ll && ll->handled_fs == LLB(14) &&
	      ll->handled_net == 1 && ll->scoped == 1);
	lw_landlock_free(ll);
}

/* from config.json: the parsed policy compiled, and the set of policies */
static void test_landlock_from_spec(void)
{
	static const char json[] =
		"{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},"
		"\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"landlock\":{"
		"\"ruleset\":{\"handledAccessFS\":[\"execute\",\"read_file\",\"ioctl_dev\"],"
		"\"handledAccessNet\":[\"connect_tcp\"]},"
		"\"rules\":{\"pathBeneath\":[{\"allowedAccess\":[\"execute\",\"read_file\"],"
		"\"paths\":[\"/usr\"]}],\"netPort\":[{\"allowedAccess\":[\"connect_tcp\"],"
		"\"ports\":[443]}]},\"disableBestEffort\":true}},"
		"\"annotations\":{\"io.github.leeward.landlock\":"
		"\"{\\\"ruleset\\\":{\\\"handledAccessFS\\\":[\\\"read_file\\\"]}}\"}}";
	struct spec *s = NULL;
	char *perr = NULL;
	CHECK(spec_parse(json, strlen(json), &s, &perr) == 0 && s && s->process->landlock &&
	      s->landlock_annotation);
	if (perr)
		printf("  spec_parse: %s\n", perr);
	free(perr);
	if (!s || !s->process || !s->process->landlock || !s->landlock_annotation) {
		spec_free(s);
		return;
	}
	struct lw_landlock *ll;
	bool warn;
	char *msg;
	CHECK(ll_compile(s->process->landlock, 4, &ll, &warn, &msg) < 0 && msg &&
	      !strcmp(msg, LL_ORIGIN ".ruleset.handledAccessFS: \"ioctl_dev\" is not supported by "
				     "this kernel (Landlock ABI 4) and disableBestEffort is set"));
	free(msg);
	CHECK(ll_compile(s->process->landlock, 5, &ll, &warn, &msg) == 0 && ll &&
	      ll->handled_fs == (LLB(0) | LLB(2) | LLB(15)) && ll->handled_net == LLB(1));
	lw_landlock_free(ll);
	CHECK(ll_compile(s->landlock_annotation, 1, &ll, &warn, &msg) == 0 && ll &&
	      ll->handled_fs == LLB(2));
	lw_landlock_free(ll);

	/* the set on this kernel: config.json's process.landlock, then the
	 * annotation; an exec'd process.landlock of its own comes third */
	int abi = lw_landlock_abi();
	struct lw_landlock_set set;
	lw_err err = NULL;
	if (abi >= 5) {
		CHECK(lw_landlock_set_compile(s, s->process, &set, &err) == 0 && set.n == 2 &&
		      !set.enforced);
		CHECK(set.n == 2 && set.ll[0]->src == s->process->landlock &&
		      set.ll[1]->src == s->landlock_annotation &&
		      !strcmp(set.ll[1]->origin,
			      "config.json: annotations[\"io.github.leeward.landlock\"]"));
		lw_landlock_set_free(&set);
		CHECK(set.n == 0);
		struct spec_process own = { .landlock = s->landlock_annotation };
		CHECK(lw_landlock_set_compile(s, &own, &set, &err) == 0 && set.n == 3 &&
		      !strcmp(set.ll[2]->origin, "process.landlock"));
		lw_landlock_set_free(&set);
	} else if (abi >= 1) {
		/* ioctl_dev is missing and disableBestEffort set: an error */
		CHECK(lw_landlock_set_compile(s, s->process, &set, &err) < 0 && set.n == 0 && err &&
		      strstr(err->msg, "\"ioctl_dev\" is not supported"));
	} else {
		CHECK(lw_landlock_set_compile(s, s->process, &set, &err) < 0 && err &&
		      strstr(err->msg, "the kernel has no Landlock"));
	}
	lw_err_free(&err);
	spec_free(s);
}

/* The pins exec reads from the state dir: records made by
 * lw_landlock_set_pins_each come back the same through lw_landlock_set_pin,
 * newlines and backslashes in paths included; a bad record is refused. */
static int collect(const char *rec, void *arg)
{
	char **acc = arg;
	size_t n = *acc ? strlen(*acc) : 0;
	char *p = realloc(*acc, n + strlen(rec) + 2);
	if (!p)
		return -1;
	sprintf(p + n, "%s\n", rec);
	*acc = p;
	return 0;
}

static void test_landlock_pins(void)
{
	char *pa[] = { "/a", "/b", NULL }, *pb[] = { "/c", NULL };
	struct spec_landlock_path rules[] = { { .access = 1, .paths = pa, .n_paths = 2 },
					      { .access = 1, .paths = pb, .n_paths = 1 } };
	struct spec_landlock src = { .handled_fs = 1, .path_beneath = rules, .n_path_beneath = 2 };
	struct lw_landlock l0 = { .src = &src, .ruleset_fd = -1 }, l1 = l0;
	char *pins0[] = { "/usr/lib", NULL, "/odd\nname\\x" };
	l0.pins = pins0;
	l0.n_pins = 3;
	struct lw_landlock_set set = { .ll = { &l0, &l1 }, .n = 2 };
	char *text = NULL;
	CHECK(lw_landlock_set_pins_each(&set, collect, &text) == 0 && text &&
	      !strcmp(text, "0 0 /usr/lib\n0 2 /odd\\nname\\\\x\n"));

	struct lw_landlock m0 = { .src = &src, .ruleset_fd = -1 }, m1 = m0;
	struct lw_landlock_set back = { .ll = { &m0, &m1 }, .n = 2 };
	lw_err err = NULL;
	CHECK(text && lw_landlock_set_pin(&back, text, &err) == 0 && m0.n_pins == 3 && m0.pins &&
	      !strcmp(m0.pins[0], "/usr/lib") && !m0.pins[1] &&
	      !strcmp(m0.pins[2], "/odd\nname\\x") && !m1.pins);
	CHECK(lw_landlock_set_pin(&back, "1 0 /c/d\n", &err) == 0 && m1.n_pins == 3 &&
	      !strcmp(m1.pins[0], "/c/d"));
	/* a policy or a path that is not there, or no path at all */
	CHECK(lw_landlock_set_pin(&back, "2 0 /x\n", &err) < 0 && err &&
	      strstr(err->msg, "bad record \"2 0 /x\""));
	lw_err_free(&err);
	CHECK(lw_landlock_set_pin(&back, "0 3 /x\n", &err) < 0 && err &&
	      strstr(err->msg, "path 3 of 0: no such path"));
	lw_err_free(&err);
	CHECK(lw_landlock_set_pin(&back, "0 1\n", &err) < 0 && err);
	lw_err_free(&err);
	free(text);
	for (size_t j = 0; j < m0.n_pins; j++)
		free(m0.pins[j]);
	for (size_t j = 0; j < m1.n_pins; j++)
		free(m1.pins[j]);
	free(m0.pins);
	free(m1.pins);
}

int main(void)
{
	test_strerror();
	test_mount_options();
	test_signals();
	test_ids();
	test_flags();
	test_landlock_rights();
	test_landlock_best_effort();
	test_landlock_strict();
	test_landlock_from_spec();
	test_landlock_pins();
	printf("unit runtime: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
