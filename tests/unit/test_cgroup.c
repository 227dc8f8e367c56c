/* Unit tests for cgroup/: pure logic (path resolution, shares->weight,
 * swap math, io.max lines, device rule -> BPF), then, as root on a host
 * with cgroups, the real thing under /leeward-unit-<pid>: create with
 * limits, read the files back, attach, clone3(CLONE_INTO_CGROUP), freeze,
 * stats, reopen from the saved string, kill, destroy, nothing left.
 * Parts that need something the host lacks print why and are skipped. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "runtime/cleanup.h"
#include "runtime/error.h"
#include "tests/unit/unit.h"

/* ---- pure logic ----------------------------------------------------------- */

static void test_resolve(void)
{
	struct {
		const char *own, *path, *id, *want, *err;
	} cases[] = {
		{ "/a/b", NULL, "ctr", "/a/b/ctr", NULL },
		{ "/", NULL, "ctr", "/ctr", NULL },
		{ "/a/b", "", "ctr", "/a/b/ctr", NULL },
		{ "/a/b", "/abs//x/", "ctr", "/abs/x", NULL },
		{ "/a/b", "rel/./y", "ctr", "/a/b/rel/y", NULL },
		{ "/a/b", "../x", "ctr", NULL, "linux.cgroupsPath: must not contain \"..\"" },
		{ "/a/b", "/x/../../etc", "ctr", NULL, "linux.cgroupsPath: must not contain \"..\"" },
		{ "/", NULL, "..", NULL, "linux.cgroupsPath: must not contain \"..\"" },
		{ "/a", "system.slice:docker:abc", "ctr", NULL, "systemd driver syntax" },
		{ "/a", "/", "ctr", NULL, "resolves to the root cgroup" },
		{ "/a", "/a:b:c", "ctr", "/a:b:c", NULL },
	};
	for (size_t i = 0; i < LW_ARRAY_SIZE(cases); i++) {
		cleanup_err lw_err e = NULL;
		cleanup_free char *out = NULL;
		int r = cg_resolve_path(cases[i].own, cases[i].path, cases[i].id, &out, &e);
		if (cases[i].want) {
			CHECK(r == 0 && strcmp(out, cases[i].want) == 0, "case %zu: got %s / %s", i,
			      out ? out : "(null)", msg_of(e));
		} else {
			CHECK(r < 0 && e && strstr(e->msg, cases[i].err), "case %zu: got %s", i,
			      msg_of(e));
		}
	}
}

static void test_weights(void)
{
	CHECK(cg_shares_to_weight(2) == 1, "%lu", (unsigned long)cg_shares_to_weight(2));
	CHECK(cg_shares_to_weight(262144) == 10000, "%lu", (unsigned long)cg_shares_to_weight(262144));
	/* reference values: runc/crun's formula evaluated with libm (all of
	 * 0..262144 were compared when this was written) */
	static const uint64_t ref[][2] = { { 0, 0 },	   { 3, 2 },	     { 4, 2 },
					   { 10, 4 },	   { 100, 17 },	     { 512, 59 },
					   { 1024, 100 },  { 2048, 174 },    { 4096, 303 },
					   { 5000, 356 },  { 100000, 4340 }, { 262143, 10000 } };
	for (size_t i = 0; i < LW_ARRAY_SIZE(ref); i++)
		CHECK(cg_shares_to_weight(ref[i][0]) == ref[i][1], "shares %lu -> %lu, want %lu",
		      (unsigned long)ref[i][0], (unsigned long)cg_shares_to_weight(ref[i][0]),
		      (unsigned long)ref[i][1]);
	CHECK(cg_shares_to_weight(1) == 1, "clamped low");
	CHECK(cg_shares_to_weight(1u << 30) == 10000, "clamped high");
	CHECK(cg_blkio_to_io_weight(10) == 1, "io 10");
	CHECK(cg_blkio_to_io_weight(1000) == 10000, "io 1000");
	CHECK(cg_blkio_to_io_weight(500) == 4950, "%lu", (unsigned long)cg_blkio_to_io_weight(500));
}

static void swap_case(int64_t lim, bool lim_set, int64_t swap, bool swap_set, const char *want,
		      const char *err_want)
{
	struct spec_resources r = { 0 };
	r.has_memory = true;
	r.memory.limit = (struct spec_opt_i64){ lim_set, lim };
	r.memory.swap = (struct spec_opt_i64){ swap_set, swap };
	char buf[32];
	cleanup_err lw_err e = NULL;
	int ret = cg_v2_swap_value(&r, buf, sizeof(buf), &e);
	if (want)
		CHECK(ret == 0 && strcmp(buf, want) == 0, "limit %lld swap %lld: got \"%s\" %s",
		      (long long)lim, (long long)swap, buf, msg_of(e));
	else
		CHECK(ret < 0 && strstr(msg_of(e), err_want), "limit %lld swap %lld: got %s",
		      (long long)lim, (long long)swap, msg_of(e));
}

static void test_swap(void)
{
	swap_case(100, true, 300, true, "200", NULL);
	swap_case(100, true, 100, true, "0", NULL);
	swap_case(-1, true, 0, false, "max", NULL);
	swap_case(100, true, -1, true, "max", NULL);
	swap_case(100, true, 0, false, "", NULL);
	swap_case(100, true, 50, true, NULL, "must be >= memory limit");
	swap_case(0, false, 300, true, NULL, "without a memory limit");
}

static void test_io_max(void)
{
	struct spec_throttle_device rbps[] = { { 8, 0, 100 }, { 8, 16, 0 } };
	struct spec_throttle_device wiops[] = { { 8, 0, 5 } };
	struct spec_resources r = { 0 };
	r.has_block_io = true;
	r.block_io.throttle_read_bps = rbps;
	r.block_io.n_throttle_read_bps = 2;
	r.block_io.throttle_write_iops = wiops;
	r.block_io.n_throttle_write_iops = 1;
	cleanup_strv char **lines = NULL;
	size_t n = 0;
	cleanup_err lw_err e = NULL;
	CHECK(cg_io_max_lines(&r, &lines, &n, &e) == 0, "%s", msg_of(e));
	CHECK(n == 2, "n=%zu", n);
	if (n == 2) {
		CHECK(strcmp(lines[0], "8:0 rbps=100 wiops=5") == 0, "%s", lines[0]);
		CHECK(strcmp(lines[1], "8:16 rbps=max") == 0, "%s", lines[1]);
		CHECK(lines[2] == NULL, "NULL-terminated");
	}
}

/* Run the generated program on a ctx the way the kernel would, with a
 * tiny interpreter of the instructions we emit. */
static int bpf_eval(const struct bpf_insn *p, size_t n, char type, const char *acc, int maj,
		    int min)
{
	uint64_t r[11] = { 0 };
	uint32_t ctx[3];
	int a = 0;
	for (const char *c = acc; *c; c++)
		a |= *c == 'r' ? BPF_DEVCG_ACC_READ : *c == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
	ctx[0] = (uint32_t)(a << 16) | (type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
	ctx[1] = (uint32_t)maj;
	ctx[2] = (uint32_t)min;
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			r[i->dst_reg] &= (uint64_t)(int64_t)i->imm;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			r[i->dst_reg] >>= i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (r[i->dst_reg] == (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			return -1;
		}
	}
	return -2; /* fell off the end: the verifier would refuse */
}

static void test_devices_bpf(void)
{
	struct spec_device_rule user[] = {
		{ false, 'a', -1, -1, NULL },		/* deny all */
		{ true, 'c', 1, 11, (char *)"rwm" },	/* kmsg */
		{ false, 'c', 1, 11, (char *)"w" },	/* ... but not writes */
		{ true, 'b', 8, -1, (char *)"r" },	/* sd*: read only */
	};
	struct spec_resources res = { 0 };
	res.devices = user;
	res.n_devices = LW_ARRAY_SIZE(user);
	cleanup_free struct spec_device_rule *rules = NULL;
	cleanup_free struct bpf_insn *p = NULL;
	size_t n = 0, ni = 0;
	cleanup_err lw_err e = NULL;
	CHECK(cg_devices_rules(&res, &rules, &n, &e) == 0, "%s", msg_of(e));
	CHECK(n == 1 + 4 + 11, "n=%zu", n);
	CHECK(cg_devices_bpf(rules, n, &p, &ni, &e) == 0, "%s", msg_of(e));
	CHECK(p[ni - 1].code == (BPF_JMP | BPF_EXIT), "ends in exit");
	CHECK(bpf_eval(p, ni, 'c', "r", 1, 11) == 1, "kmsg read allowed");
	CHECK(bpf_eval(p, ni, 'c', "w", 1, 11) == 0, "kmsg write denied");
	CHECK(bpf_eval(p, ni, 'c', "rw", 1, 11) == 0, "kmsg rw denied");
	CHECK(bpf_eval(p, ni, 'c', "m", 1, 11) == 1, "kmsg mknod allowed");
	CHECK(bpf_eval(p, ni, 'b', "r", 8, 3) == 1, "sda3 read");
	CHECK(bpf_eval(p, ni, 'b', "w", 8, 3) == 0, "sda3 write denied");
	CHECK(bpf_eval(p, ni, 'b', "m", 259, 0) == 1, "mknod any block (default)");
	CHECK(bpf_eval(p, ni, 'c', "rw", 1, 3) == 1, "/dev/null (default)");
	CHECK(bpf_eval(p, ni, 'c', "rw", 136, 7) == 1, "/dev/pts/7 (default)");
	CHECK(bpf_eval(p, ni, 'c', "rw", 1, 1) == 0, "/dev/mem denied");
	CHECK(bpf_eval(p, ni, 'c', "rw", 4, 1) == 0, "tty1 denied");

	/* an "allow all" rule is unconditional: nothing after it may be
	 * emitted (the verifier rejects unreachable code) */
	struct spec_device_rule all[] = { { true, 'a', -1, -1, NULL } };
	struct spec_device_rule *r2 = NULL;
	cleanup_free struct bpf_insn *p2 = NULL;
	res.devices = all;
	res.n_devices = 1;
	CHECK(cg_devices_rules(&res, &r2, &n, &e) == 0, "%s", msg_of(e));
	CHECK(cg_devices_bpf(r2, n, &p2, &ni, &e) == 0, "%s", msg_of(e));
	free(r2);
	CHECK(bpf_eval(p2, ni, 'c', "rw", 1, 1) == 1, "allow all: /dev/mem");
	CHECK(ni > 2 && p2[ni - 2].code == (BPF_ALU64 | BPF_MOV | BPF_K) && p2[ni - 2].imm == 1 &&
		      p2[ni - 1].code == (BPF_JMP | BPF_EXIT),
	      "last block is the unconditional allow");

	struct spec_device_rule bad[] = { { true, 'x', -1, -1, NULL } };
	res.devices = bad;
	CHECK(cg_devices_rules(&res, &r2, &n, &e) < 0 &&
		      strstr(msg_of(e), "linux.resources.devices[0].type"),
	      "%s", msg_of(e));
}

/* ---- v2 files, on a fake cgroupfs ----------------------------------------- */

/* This host may have no cgroup v2 controllers, so the v2 writers run on a
 * directory of plain files named like cgroup files: what would be written
 * to the kernel lands in them. */
static char fake[64];

static void fake_file(const char *rel, const char *content)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", fake, rel);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static bool fake_is(const char *rel, const char *want)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", fake, rel);
	cleanup_free char *s = slurp(p);
	bool ok = s && strncmp(s, want, strlen(want)) == 0;
	if (!ok)
		fprintf(stderr, "  %s = \"%s\", want \"%s\"\n", rel, s ? s : "(none)", want);
	return ok;
}

static void test_v2_fake(void)
{
	snprintf(fake, sizeof(fake), "/tmp/lw-unit-cgv2-XXXXXX");
	if (!mkdtemp(fake)) {
		SKIP("mkdtemp: %s", strerror(errno));
		return;
	}
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/a", fake);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/a/b", fake);
	mkdir(dir, 0755);
	static const char *const files[] = {
		"a/b/memory.max", "a/b/memory.low",  "a/b/memory.swap.max", "a/b/cpu.max",
		"a/b/cpu.weight", "a/b/cpu.max.burst", "a/b/cpu.idle",	     "a/b/pids.max",
		"a/b/io.weight",  "a/b/io.max",	     "a/b/hugetlb.2MB.max", "a/b/rdma.max",
		"a/b/cpuset.cpus", "a/b/cpuset.mems", "a/b/memory.high",
		"cgroup.subtree_control", "a/cgroup.subtree_control",
	};
	for (size_t i = 0; i < LW_ARRAY_SIZE(files); i++)
		fake_file(files[i], "");
	fake_file("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	fake_file("a/b/cgroup.controllers", "\n");

	struct cg_hier h = { .unified = true, .mnt = fake, .rel = (char *)"/a/b", .path = dir };
	h.fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct cgroup cg = { .mode = CGROUP_MODE_V2, .h = &h, .n = 1, .uni = &h };
	cleanup_err lw_err e = NULL;

	CHECK(cg_v2_enable(&h, CG_BIT(CG_HUGETLB), false, &e) == 0, "enable: %s", msg_of(e));
	CHECK(fake_is("cgroup.subtree_control", "+cpu +memory +io +pids +hugetlb"), "root");
	CHECK(fake_is("a/cgroup.subtree_control", "+cpu +memory +io +pids +hugetlb"), "a");
	fake_file("a/b/cgroup.controllers", "cpu io memory pids hugetlb\n");
	fake_file("a/cgroup.subtree_control", "");
	CHECK(cg_v2_enable(&h, CG_BIT(CG_MEMORY), false, &e) == 0, "enable again: %s", msg_of(e));
	CHECK(fake_is("a/cgroup.subtree_control", ""), "nothing written when the leaf has all");
	CHECK(cg_v2_enable(&h, CG_BIT(CG_CPUSET), true, &e) == 0, "cpuset: %s", msg_of(e));
	CHECK(fake_is("a/cgroup.subtree_control", "+cpuset"), "required only");
	fake_file("cgroup.controllers", "cpu memory pids\n");
	CHECK(cg_v2_enable(&h, CG_BIT(CG_RDMA), false, &e) < 0 &&
		      strstr(msg_of(e), "controller \"rdma\" is not available"),
	      "%s", msg_of(e));

	struct spec_throttle_device wbps[] = { { 8, 0, 1000 } };
	struct spec_hugepage_limit hp[] = { { (char *)"2MB", 4 << 21 } };
	struct spec_rdma rd[] = { { (char *)"mlx5_0", { true, 3 }, { false, 0 } } };
	struct spec_kv kv[] = { { (char *)"memory.high", (char *)"50000000" } };
	struct spec_resources r = { 0 };
	r.has_memory = true;
	r.memory.limit = (struct spec_opt_i64){ true, 100 << 20 };
	r.memory.swap = (struct spec_opt_i64){ true, 150 << 20 };
	r.memory.reservation = (struct spec_opt_i64){ true, 10 << 20 };
	r.memory.swappiness = (struct spec_opt_u64){ true, 5 }; /* ignored on v2 */
	r.has_cpu = true;
	r.cpu.shares = (struct spec_opt_u64){ true, 1024 };
	r.cpu.quota = (struct spec_opt_i64){ true, -1 };
	r.cpu.period = (struct spec_opt_u64){ true, 50000 };
	r.cpu.burst = (struct spec_opt_u64){ true, 1000 };
	r.cpu.idle = (struct spec_opt_i64){ true, 1 };
	r.cpu.cpus = (char *)"0-1";
	r.cpu.mems = (char *)"0";
	r.has_pids = true;
	r.pids_limit = (struct spec_opt_i64){ true, -1 };
	r.has_block_io = true;
	r.block_io.weight = (struct spec_opt_u64){ true, 500 };
	r.block_io.throttle_write_bps = wbps;
	r.block_io.n_throttle_write_bps = 1;
	r.hugepage_limits = hp;
	r.n_hugepage_limits = 1;
	r.rdma = rd;
	r.n_rdma = 1;
	r.unified = kv;
	r.n_unified = 1;
	CHECK(cg_v2_apply(&cg, &r, false, &e) == 0, "apply: %s", msg_of(e));
	CHECK(fake_is("a/b/memory.max", "104857600"), "memory.max");
	CHECK(fake_is("a/b/memory.swap.max", "52428800"), "swap = memsw - mem");
	CHECK(fake_is("a/b/memory.low", "10485760"), "memory.low");
	CHECK(fake_is("a/b/cpu.weight", "100"), "cpu.weight");
	CHECK(fake_is("a/b/cpu.max", "max 50000"), "cpu.max");
	CHECK(fake_is("a/b/cpu.max.burst", "1000"), "burst");
	CHECK(fake_is("a/b/cpu.idle", "1"), "idle");
	CHECK(fake_is("a/b/cpuset.cpus", "0-1"), "cpus");
	CHECK(fake_is("a/b/cpuset.mems", "0"), "mems");
	CHECK(fake_is("a/b/pids.max", "max"), "pids");
	CHECK(fake_is("a/b/io.weight", "4950"), "io.weight");
	CHECK(fake_is("a/b/io.max", "8:0 wbps=1000"), "io.max");
	CHECK(fake_is("a/b/hugetlb.2MB.max", "8388608"), "hugetlb");
	CHECK(fake_is("a/b/rdma.max", "mlx5_0 hca_handle=3 hca_object=max"), "rdma");
	CHECK(fake_is("a/b/memory.high", "50000000"), "unified");

	/* only the fields that are set are written */
	struct spec_resources q = { 0 };
	q.has_cpu = true;
	q.cpu.period = (struct spec_opt_u64){ true, 20000 };
	fake_file("a/b/cpu.max", "30000 100000\n");
	fake_file("a/b/memory.max", "untouched");
	CHECK(cg_v2_apply(&cg, &q, false, &e) == 0, "period only: %s", msg_of(e));
	CHECK(fake_is("a/b/cpu.max", "30000 20000"), "period alone keeps the quota");
	CHECK(fake_is("a/b/memory.max", "untouched"), "memory.max not written");

	struct spec_resources rt = { 0 };
	rt.has_cpu = true;
	rt.cpu.realtime_runtime = (struct spec_opt_i64){ true, 1000 };
	CHECK(cg_v2_apply(&cg, &rt, false, &e) < 0 &&
		      strstr(msg_of(e), "linux.resources.cpu.realtimeRuntime"),
	      "%s", msg_of(e));
	struct spec_kv bad[] = { { (char *)"no.such", (char *)"1" } };
	struct spec_resources u = { 0 };
	u.unified = bad;
	u.n_unified = 1;
	CHECK(cg_v2_apply(&cg, &u, false, &e) < 0 &&
		      strcmp(msg_of(e), "linux.resources.unified: unknown key \"no.such\" (no such "
					"cgroup file)") == 0,
	      "%s", msg_of(e));

	close(h.fd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake);
	if (system(cmd) != 0)
		fprintf(stderr, "  could not remove %s\n", fake);
}

/* ---- on the host ------------------------------------------------------------ */

static bool file_is(const char *dir, const char *file, const char *want)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	cleanup_free char *s = slurp(path);
	if (!s) {
		fprintf(stderr, "  %s: %s\n", path, strerror(errno));
		return false;
	}
	s[strcspn(s, "\n")] = '\0';
	if (strcmp(s, want) != 0)
		fprintf(stderr, "  %s = \"%s\", want \"%s\"\n", path, s, want);
	return strcmp(s, want) == 0;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static const char *hier_dir(struct cgroup *cg, enum cg_ctrl c)
{
	struct cg_hier *h = cg_v1_find(cg, c);
	return h ? h->path : NULL;
}

/* A child that, once told (after it was attached), touches 4 MiB so the
 * memory cgroup has usage, then sleeps. */
static pid_t spawn_sleeper(int *go)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		if (read(p[0], &c, 1) == 1) {
			/* volatile: the compiler may not drop the stores */
			volatile char *m = malloc(4 << 20);
			for (size_t i = 0; m && i < (4 << 20); i += 4096)
				m[i] = 1;
		}
		for (;;)
			pause();
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static bool in_proc_cgroup(pid_t pid, const char *needle)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	cleanup_free char *s = slurp(path);
	return s && strstr(s, needle);
}

static void test_lifecycle(void)
{
	enum cgroup_mode mode = cgroup_mode();
	if (mode == CGROUP_MODE_NONE || geteuid() != 0) {
		SKIP("needs root and a cgroup filesystem (mode %s, euid %d)", cgroup_mode_name(mode),
		     (int)geteuid());
		return;
	}
	printf("cgroup mode: %s\n", cgroup_mode_name(mode));
	char top[64], path[96];
	snprintf(top, sizeof(top), "/leeward-unit-%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/ctr", top);

	struct spec_device_rule dev[] = { { false, 'a', -1, -1, NULL },
					  { true, 'c', 1, 11, (char *)"r" } };
	struct spec_resources r = { 0 };
	r.has_memory = true;
	r.memory.limit = (struct spec_opt_i64){ true, 64 << 20 };
	r.memory.reservation = (struct spec_opt_i64){ true, 32 << 20 };
	r.memory.swappiness = (struct spec_opt_u64){ true, 10 };
	r.has_pids = true;
	r.pids_limit = (struct spec_opt_i64){ true, 32 };
	r.has_cpu = true;
	r.cpu.shares = (struct spec_opt_u64){ true, 512 };
	r.cpu.quota = (struct spec_opt_i64){ true, 50000 };
	r.cpu.period = (struct spec_opt_u64){ true, 100000 };
	r.cpu.cpus = (char *)"0";
	r.devices = dev;
	r.n_devices = 2;
	bool memsw = exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") ||
		     mode == CGROUP_MODE_V2;
	if (memsw)
		r.memory.swap = (struct spec_opt_i64){ true, 128 << 20 };

	/* blockIO on a loop device, when the host has one */
	struct spec_throttle_device rbps[] = { { 7, 0, 1 << 20 } };
	bool blk = exists("/sys/block/loop0") && mode != CGROUP_MODE_V2;
	if (blk) {
		r.has_block_io = true;
		r.block_io.weight = (struct spec_opt_u64){ true, 300 };
		r.block_io.throttle_read_bps = rbps;
		r.block_io.n_throttle_read_bps = 1;
	}

	struct cgroup *cg = NULL;
	cleanup_err lw_err e = NULL;
	int ret = cgroup_create("ignored", path, &r, false, &cg, &e);
	CHECK(ret == 0, "create: %s", msg_of(e));
	if (ret < 0)
		return;

	char leaf_uni[256] = "", top_uni[256] = "";
	if (cg->uni) {
		snprintf(leaf_uni, sizeof(leaf_uni), "%s", cg->uni->path);
		snprintf(top_uni, sizeof(top_uni), "%s%s", cg->uni->mnt, top);
		CHECK(cg->uni->created == 2, "created %d", cg->uni->created);
	}
	if (mode == CGROUP_MODE_V2) {
		const char *d = cg->uni->path;
		CHECK(file_is(d, "memory.max", "67108864"), "memory.max");
		CHECK(file_is(d, "memory.low", "33554432"), "memory.low");
		CHECK(file_is(d, "memory.swap.max", "67108864"), "memory.swap.max");
		CHECK(file_is(d, "pids.max", "32"), "pids.max");
		CHECK(file_is(d, "cpu.max", "50000 100000"), "cpu.max");
		CHECK(file_is(d, "cpu.weight", "59"), "cpu.weight");
		CHECK(file_is(d, "cpuset.cpus", "0"), "cpuset.cpus");
	} else {
		const char *d;
		if ((d = hier_dir(cg, CG_MEMORY))) {
			CHECK(file_is(d, "memory.limit_in_bytes", "67108864"), "memory limit");
			CHECK(file_is(d, "memory.soft_limit_in_bytes", "33554432"), "soft limit");
			CHECK(file_is(d, "memory.swappiness", "10"), "swappiness");
			if (memsw)
				CHECK(file_is(d, "memory.memsw.limit_in_bytes", "134217728"), "memsw");
		} else {
			SKIP("no v1 memory hierarchy");
		}
		if ((d = hier_dir(cg, CG_PIDS)))
			CHECK(file_is(d, "pids.max", "32"), "pids.max");
		if ((d = hier_dir(cg, CG_CPU))) {
			CHECK(file_is(d, "cpu.shares", "512"), "cpu.shares");
			CHECK(file_is(d, "cpu.cfs_quota_us", "50000"), "quota");
			CHECK(file_is(d, "cpu.cfs_period_us", "100000"), "period");
		}
		if ((d = hier_dir(cg, CG_CPUSET))) {
			CHECK(file_is(d, "cpuset.cpus", "0"), "cpuset.cpus");
			char parent[256];
			snprintf(parent, sizeof(parent), "/sys/fs/cgroup/cpuset/%s", top);
			cleanup_free char *pm = NULL;
			snprintf(parent + strlen(parent), sizeof(parent) - strlen(parent), "/cpuset.mems");
			pm = slurp(parent);
			CHECK(pm && pm[0] != '\n', "intermediate cpuset.mems copied: %s", pm ? pm : "?");
		}
		if (blk && (d = hier_dir(cg, CG_BLKIO))) {
			char wf[256];
			snprintf(wf, sizeof(wf), "%s/blkio.weight", d);
			CHECK(file_is(d, exists(wf) ? "blkio.weight" : "blkio.bfq.weight",
				      "300"),
			      "blkio weight");
			CHECK(file_is(d, "blkio.throttle.read_bps_device", "7:0 1048576"), "read bps");
		} else {
			SKIP("no loop0 or no v1 blkio: blockIO not checked live");
		}
		if ((d = hier_dir(cg, CG_DEVICES))) {
			char lp[256];
			snprintf(lp, sizeof(lp), "%s/devices.list", d);
			cleanup_free char *l = slurp(lp);
			CHECK(l && strstr(l, "c 1:11 r") && strstr(l, "c 1:3 rwm") && !strstr(l, "a *:*"),
			      "devices.list: %s", l ? l : "?");
		}
	}

	/* attach a forked child */
	int go = -1;
	pid_t child = spawn_sleeper(&go);
	CHECK(cgroup_attach(cg, child, 0, &e) == 0, "attach: %s", msg_of(e));
	CHECK(write(go, "g", 1) == 1, "go");
	close(go);
	usleep(50000);
	CHECK(in_proc_cgroup(child, path), "child in %s", path);
	pid_t *pids = NULL;
	size_t np = 0;
	CHECK(cgroup_pids(cg, &pids, &np, &e) == 0 && np == 1 && pids[0] == child,
	      "pids: n=%zu %s", np, msg_of(e));
	free(pids);

	/* clone3 straight into the unified cgroup */
	int cfd = cgroup_clone_fd(cg);
	pid_t c3 = -1;
	if (cfd >= 0) {
		struct clone_args ca = { 0 };
		ca.flags = CLONE_INTO_CGROUP;
		ca.exit_signal = SIGCHLD;
		ca.cgroup = (uint64_t)cfd;
		c3 = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
		if (c3 == 0) {
			for (;;)
				pause();
		}
		if (c3 < 0) {
			SKIP("clone3(CLONE_INTO_CGROUP): %s", strerror(errno));
		} else {
			char want[300];
			snprintf(want, sizeof(want), "0::%s\n", path);
			CHECK(in_proc_cgroup(c3, want), "clone3 child in unified %s", path);
			CHECK(cgroup_attach(cg, c3, CGROUP_DONE_UNIFIED, &e) == 0, "attach c3: %s", msg_of(e));
		}
	} else {
		SKIP("no unified tree: no CLONE_INTO_CGROUP");
	}

	/* a sub-cgroup made by the container: its processes are listed, killed
	 * and its directory removed with ours */
	pid_t nested = -1;
	if (leaf_uni[0]) {
		char sub[300];
		snprintf(sub, sizeof(sub), "%s/nested", leaf_uni);
		int sgo = -1;
		if (mkdir(sub, 0755) == 0 && (nested = spawn_sleeper(&sgo)) > 0) {
			close(sgo);
			char procs[320], pidbuf[16];
			snprintf(procs, sizeof(procs), "%s/cgroup.procs", sub);
			snprintf(pidbuf, sizeof(pidbuf), "%d", (int)nested);
			FILE *f = fopen(procs, "w");
			CHECK(f && fputs(pidbuf, f) >= 0 && fclose(f) == 0, "move to nested");
			pids = NULL;
			np = 0;
			CHECK(cgroup_pids(cg, &pids, &np, &e) == 0 && np == (c3 > 0 ? 3u : 2u),
			      "pids with nested: n=%zu %s", np, msg_of(e));
			free(pids);
		}
	}

	/* a second create on the same, now busy, path is refused */
	struct cgroup *cg2 = NULL;
	CHECK(cgroup_create("x", path, NULL, false, &cg2, &e) < 0 &&
		      strstr(msg_of(e), "is not empty"),
	      "reuse busy: %s", msg_of(e));
	CHECK(exists(leaf_uni[0] ? leaf_uni : "/"), "refused create left the cgroup alone");

	/* freeze / thaw */
	CHECK(cgroup_freeze(cg, true, &e) == 0, "freeze: %s", msg_of(e));
	CHECK(cgroup_is_frozen(cg) == 1, "is frozen");
	{
		char st[64];
		snprintf(st, sizeof(st), "/proc/%d/stat", (int)child);
		cleanup_free char *s = slurp(st);
		const char *rp = s ? strrchr(s, ')') : NULL;
		CHECK(rp && (rp[2] == 'D' || rp[2] == 'S'), "frozen child state %s", s ? s : "?");
	}
	/* a reused-but-frozen cgroup is refused too (here: busy first) */
	CHECK(cgroup_freeze(cg, false, &e) == 0, "thaw: %s", msg_of(e));
	CHECK(cgroup_is_frozen(cg) == 0, "thawed");

	/* stats */
	char *json = NULL;
	CHECK(cgroup_stats_json(cg, &json, &e) == 0, "stats: %s", msg_of(e));
	if (json) {
		CHECK(strncmp(json, "{\"cpu\":{\"usage\":{", 17) == 0, "%s", json);
		CHECK(strstr(json, "\"pids\":{\"current\":") && strstr(json, "\"limit\":32}"), "%s",
		      json);
		CHECK(strstr(json, "\"memory\":{") && strstr(json, "\"limit\":67108864"), "%s", json);
		CHECK(strstr(json, "\"network_interfaces\":null}"), "%s", json);
		FILE *jq = popen("jq -e . >/dev/null 2>&1", "w");
		if (jq) {
			fputs(json, jq);
			int st = pclose(jq);
			CHECK(WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 127),
			      "stats JSON does not parse: %s", json);
		}
		free(json);
	}
	unsigned long long ooms = 99;
	CHECK(cgroup_oom_kills(cg, &ooms, &e) == 0 && ooms == 0, "oom kills %llu %s", ooms,
	      msg_of(e));

	/* update: new limits land, device rules set at create stay */
	{
		struct spec_resources u = { 0 };
		u.has_memory = true;
		u.memory.limit = (struct spec_opt_i64){ true, 96 << 20 };
		if (memsw)
			u.memory.swap = (struct spec_opt_i64){ true, 96 << 20 };
		u.has_pids = true;
		u.pids_limit = (struct spec_opt_i64){ true, 0 };
		CHECK(cgroup_update(cg, &u, &e) == 0, "update: %s", msg_of(e));
		const char *d;
		if (mode == CGROUP_MODE_V2) {
			CHECK(file_is(cg->uni->path, "memory.max", "100663296"), "updated memory.max");
			CHECK(file_is(cg->uni->path, "pids.max", "max"), "updated pids.max");
		} else {
			if ((d = hier_dir(cg, CG_MEMORY))) {
				CHECK(file_is(d, "memory.limit_in_bytes", "100663296"), "updated limit");
				if (memsw)
					CHECK(file_is(d, "memory.memsw.limit_in_bytes", "100663296"),
					      "updated memsw (lowered below the old value)");
			}
			if ((d = hier_dir(cg, CG_PIDS)))
				CHECK(file_is(d, "pids.max", "max"), "pids 0 -> max");
			if ((d = hier_dir(cg, CG_DEVICES))) {
				char lp[256];
				snprintf(lp, sizeof(lp), "%s/devices.list", d);
				cleanup_free char *l = slurp(lp);
				CHECK(l && strstr(l, "c 1:11 r"), "devices kept: %s", l ? l : "?");
			}
		}
		/* the child touched 4 MiB after it joined: a 1 MiB limit is
		 * below its usage */
		u.memory.limit.v = 1 << 20;
		u.memory.swap.set = false;
		u.memory.check_before_update = (struct spec_opt_bool){ true, true };
		lw_err_free(&e);
		CHECK(cgroup_update(cg, &u, &e) < 0 && strstr(msg_of(e), "checkBeforeUpdate"),
		      "checkBeforeUpdate: %s", msg_of(e));
	}

	/* reopen from the saved string, kill all, destroy through it */
	cleanup_free char *saved = strdup(cgroup_saved(cg));
	struct cgroup *cg3 = NULL;
	CHECK(cgroup_open(saved, &cg3, &e) == 0, "open: %s (%s)", msg_of(e), saved);
	if (cg3) {
		CHECK(strcmp(cgroup_saved(cg3), saved) == 0, "saved round trip");
		CHECK(cg3->n == cg->n, "same hierarchies %zu %zu", cg3->n, cg->n);
		CHECK(cgroup_kill_all(cg3, SIGKILL, &e) == 0, "kill all: %s", msg_of(e));
		int st = 0;
		CHECK(waitpid(child, &st, 0) == child && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		      "child killed");
		if (c3 > 0)
			CHECK(waitpid(c3, &st, 0) == c3 && WIFSIGNALED(st), "clone3 child killed");
		if (nested > 0)
			CHECK(waitpid(nested, &st, 0) == nested && WIFSIGNALED(st), "nested killed");
		CHECK(cgroup_destroy(cg3, &e) == 0, "destroy: %s", msg_of(e));
		cgroup_free(cg3);
	} else {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		cgroup_destroy(cg, NULL);
	}
	for (size_t i = 0; i < cg->n; i++) {
		char t[256];
		snprintf(t, sizeof(t), "%s%s", cg->h[i].mnt, top);
		CHECK(!exists(cg->h[i].path) && !exists(t), "left behind: %s", t);
	}
	CHECK(cgroup_destroy(cg, &e) == 0, "second destroy is a no-op: %s", msg_of(e));
	cgroup_free(cg);
	(void)top_uni;
}

/* Errors name the field and file; a failed create leaves nothing. */
static void test_errors(void)
{
	enum cgroup_mode mode = cgroup_mode();
	if (mode == CGROUP_MODE_NONE || geteuid() != 0) {
		SKIP("needs root and cgroups");
		return;
	}
	char path[96];
	snprintf(path, sizeof(path), "/leeward-unit-%d-err/a/b", (int)getpid());
	struct spec_kv kv = { (char *)"nosuch.knob", (char *)"1" };
	struct spec_resources r = { 0 };
	r.unified = &kv;
	r.n_unified = 1;
	struct cgroup *cg = NULL;
	cleanup_err lw_err e = NULL;
	int ret = cgroup_create("x", path, &r, false, &cg, &e);
	CHECK(ret < 0 && strstr(msg_of(e), "linux.resources.unified: unknown key \"nosuch.knob\""),
	      "%s", msg_of(e));
	struct spec_kv kv2 = { (char *)"../cgroup.procs", (char *)"1" };
	r.unified = &kv2;
	ret = cgroup_create("x", path, &r, false, &cg, &e);
	CHECK(ret < 0 && strstr(msg_of(e), "invalid key"), "%s", msg_of(e));

	struct spec_resources m = { 0 };
	m.has_memory = true;
	m.memory.limit = (struct spec_opt_i64){ true, -5 };
	ret = cgroup_create("x", path, &m, false, &cg, &e);
	CHECK(ret < 0 && strstr(msg_of(e), "linux.resources.memory.limit"), "%s", msg_of(e));

	m.memory.limit.v = 64 << 20;
	m.memory.swappiness = (struct spec_opt_u64){ true, 1000 };
	ret = cgroup_create("x", path, &m, false, &cg, &e);
	if (mode != CGROUP_MODE_V2)
		CHECK(ret < 0 && strstr(msg_of(e), "linux.resources.memory.swappiness"), "%s",
		      msg_of(e));
	else if (ret == 0)
		cgroup_destroy(cg, NULL), cgroup_free(cg);

	/* a kernel-rejected value: cpu.cfs_quota_us below 1ms */
	struct spec_resources c = { 0 };
	c.has_cpu = true;
	c.cpu.quota = (struct spec_opt_i64){ true, 10 };
	c.cpu.period = (struct spec_opt_u64){ true, 100000 };
	ret = cgroup_create("x", path, &c, false, &cg, &e);
	static const char *const want_v1 =
		"linux.resources.cpu.quota: writing cpu.cfs_quota_us: Invalid argument";
	static const char *const want_v2 = "linux.resources.cpu.quota: writing cpu.max: Invalid argument";
	CHECK(ret < 0 && (strstr(msg_of(e), want_v1) || strstr(msg_of(e), want_v2)), "%s", msg_of(e));

	/* an existing empty but frozen cgroup is not reused */
	struct cgroup *probe = NULL;
	if (cgroup_create("x", path, NULL, false, &probe, &e) == 0) {
		CHECK(cgroup_freeze(probe, true, &e) == 0, "freeze empty: %s", msg_of(e));
		struct cgroup *again = NULL;
		CHECK(cgroup_create("x", path, NULL, false, &again, &e) < 0 &&
			      strstr(msg_of(e), "is frozen"),
		      "reuse frozen: %s", msg_of(e));
		cgroup_freeze(probe, false, NULL);
		/* thawed and empty: reused, and then not removed by its destroy */
		CHECK(cgroup_create("x", path, NULL, false, &again, &e) == 0, "reuse: %s", msg_of(e));
		if (again) {
			CHECK(again->h[0].created == 0, "reused: created %d", again->h[0].created);
			cgroup_destroy(again, NULL);
			CHECK(exists(again->h[0].path), "reused cgroup left in place");
			cgroup_free(again);
		}
		CHECK(cgroup_destroy(probe, &e) == 0, "destroy: %s", msg_of(e));
		cgroup_free(probe);
	} else {
		CHECK(0, "create %s: %s", path, msg_of(e));
	}

	char top[96];
	snprintf(top, sizeof(top), "/leeward-unit-%d-err", (int)getpid());
	static const char *const roots[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup/memory",
					     "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/pids",
					     "/sys/fs/cgroup" };
	for (size_t i = 0; i < LW_ARRAY_SIZE(roots); i++) {
		char t[256];
		snprintf(t, sizeof(t), "%s%s", roots[i], top);
		CHECK(!exists(t), "failed create left %s", t);
	}
}

/* The v2 device program, loaded into the kernel and attached to a real
 * unified-tree cgroup: a child there can read /dev/kmsg but not write. */
static void test_devices_kernel(void)
{
	enum cgroup_mode mode = cgroup_mode();
	if ((mode != CGROUP_MODE_V2 && mode != CGROUP_MODE_HYBRID) || geteuid() != 0) {
		SKIP("needs root and a cgroup2 tree");
		return;
	}
	const char *mnt = mode == CGROUP_MODE_V2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/leeward-unit-%d-dev", mnt, (int)getpid());
	if (mkdir(dir, 0755) < 0) {
		SKIP("mkdir %s: %s", dir, strerror(errno));
		return;
	}
	struct spec_device_rule dev[] = { { false, 'a', -1, -1, NULL },
					  { true, 'c', 1, 11, (char *)"rwm" },
					  { false, 'c', 1, 11, (char *)"w" } };
	struct spec_resources r = { 0 };
	r.devices = dev;
	r.n_devices = 3;
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_err lw_err e = NULL;
	int ret = cg_devices_v2_apply(fd, &r, &e);
	CHECK(ret == 0, "attach: %s", msg_of(e));
	/* twice: update replaces the first program */
	CHECK(cg_devices_v2_apply(fd, &r, &e) == 0, "re-attach: %s", msg_of(e));
	char memnode[64];
	snprintf(memnode, sizeof(memnode), "/tmp/lw-unit-mem-%d", (int)getpid());
	if (mknod(memnode, S_IFCHR | 0600, makedev(1, 1)) < 0)
		SKIP("mknod %s: %s", memnode, strerror(errno));
	if (ret == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			char b[32];
			snprintf(b, sizeof(b), "%d", (int)getpid());
			if (cg_write(fd, "cgroup.procs", b, NULL) < 0)
				_exit(10);
			int rfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
			int wfd = open("/dev/kmsg", O_WRONLY);
			int werr = errno;
			int mfd = open(memnode, O_RDONLY);
			int merr = errno;
			int nfd = open("/dev/null", O_RDWR);
			if (wfd >= 0 || werr != EPERM)
				fprintf(stderr, "  open /dev/kmsg O_WRONLY: fd %d, %s\n", wfd,
					strerror(werr));
			_exit((rfd >= 0 ? 0 : 1) | (wfd < 0 && werr == EPERM ? 0 : 2) |
			      (mfd < 0 && merr == EPERM ? 0 : 4) | (nfd >= 0 ? 0 : 8));
		}
		int st = 0;
		waitpid(pid, &st, 0);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "device checks in child: status %d",
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		union bpf_attr q = { 0 };
		__u32 ids[8];
		q.query.target_fd = fd;
		q.query.attach_type = BPF_CGROUP_DEVICE;
		q.query.prog_ids = (__u64)(uintptr_t)ids;
		q.query.prog_cnt = 8;
		if (syscall(SYS_bpf, BPF_PROG_QUERY, &q, sizeof(q)) == 0)
			CHECK(q.query.prog_cnt == 1, "one program attached, not %u", q.query.prog_cnt);
	}
	unlink(memnode);
	for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++)
		usleep(10000);
	CHECK(!exists(dir), "rmdir %s", dir);
}

/* rootless: unwritable hierarchies are skipped when no limit needs them,
 * and refused when one does.  Run as nobody in a child. */
static void test_rootless(void)
{
	if (cgroup_mode() == CGROUP_MODE_NONE || geteuid() != 0) {
		SKIP("needs root (to become nobody) and cgroups");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(20);
		struct cgroup *cg = NULL;
		lw_err e = NULL;
		if (cgroup_create("x", "/leeward-unit-rootless", NULL, true, &cg, &e) < 0) {
			fprintf(stderr, "  rootless create: %s\n", msg_of(e));
			_exit(1);
		}
		if (cgroup_clone_fd(cg) != -1 || cgroup_attach(cg, getpid(), 0, &e) < 0)
			_exit(2);
		cgroup_free(cg);
		struct spec_resources r = { 0 };
		r.has_pids = true;
		r.pids_limit = (struct spec_opt_i64){ true, 10 };
		if (cgroup_create("x", "/leeward-unit-rootless", &r, true, &cg, &e) == 0)
			_exit(3);
		if (!strstr(msg_of(e), "creating cgroup") || !strstr(msg_of(e), "Permission denied")) {
			fprintf(stderr, "  rootless pids: %s\n", msg_of(e));
			_exit(4);
		}
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "rootless child: status %d",
	      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(void)
{
	test_resolve();
	test_weights();
	test_swap();
	test_io_max();
	test_devices_bpf();
	test_v2_fake();
	test_lifecycle();
	test_errors();
	test_devices_kernel();
	test_rootless();
	printf("test_cgroup: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
