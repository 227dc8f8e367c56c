/* Device access rules (linux.resources.devices).
 *
 * The effective list is runc's: deny everything, then the config's rules
 * in order, then the devices every container gets (null, zero, full,
 * random, urandom, tty, ptmx, pts, tun, and mknod of any device).  The last
 * rule that matches an access decides.
 *
 * v1: the same list written to devices.deny / devices.allow.
 * v2: a BPF_PROG_TYPE_CGROUP_DEVICE program that walks the list backwards
 * and returns the action of the first (= last listed) matching rule.  An
 * allow rule matches when the requested access is a subset of its access;
 * a deny rule when they share a bit, so "deny w" after "allow rwm" blocks
 * an "rw" open as v1 would.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by the Makefile */
#endif
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../runtime/cleanup.h"
#include "../runtime/log.h"
#include "internal.h"

static const struct spec_device_rule default_rules[] = {
	{ true, 'c', -1, -1, (char *)"m" },	 { true, 'b', -1, -1, (char *)"m" },
	{ true, 'c', 1, 3, (char *)"rwm" },	 /* /dev/null */
	{ true, 'c', 1, 8, (char *)"rwm" },	 /* /dev/random */
	{ true, 'c', 1, 7, (char *)"rwm" },	 /* /dev/full */
	{ true, 'c', 5, 0, (char *)"rwm" },	 /* /dev/tty */
	{ true, 'c', 1, 5, (char *)"rwm" },	 /* /dev/zero */
	{ true, 'c', 1, 9, (char *)"rwm" },	 /* /dev/urandom */
	{ true, 'c', 136, -1, (char *)"rwm" }, /* /dev/pts/N */
	{ true, 'c', 5, 2, (char *)"rwm" },	 /* /dev/ptmx */
	{ true, 'c', 10, 200, (char *)"rwm" }, /* /dev/net/tun */
};

int cg_devices_rules(const struct spec_resources *res, struct spec_device_rule **rules, size_t *n,
		     lw_err *err)
{
	size_t nu = res ? res->n_devices : 0;
	size_t total = 1 + nu + LW_ARRAY_SIZE(default_rules);
	struct spec_device_rule *v = calloc(total, sizeof(*v));
	if (!v)
		return lw_fail(err, ENOMEM, "device rules");
	v[0] = (struct spec_device_rule){ false, 'a', -1, -1, (char *)"rwm" };
	for (size_t i = 0; i < nu; i++) {
		const struct spec_device_rule *r = &res->devices[i];
		if (r->type != 'a' && r->type != 'b' && r->type != 'c') {
			free(v);
			return lw_fail(err, 0, "linux.resources.devices[%zu].type: invalid \"%c\"", i,
				       r->type);
		}
		if (r->access && strspn(r->access, "rwm") != strlen(r->access)) {
			free(v);
			return lw_fail(err, 0, "linux.resources.devices[%zu].access: invalid \"%s\"",
				       i, r->access);
		}
		v[1 + i] = *r;
		if (!v[1 + i].access || !*v[1 + i].access)
			v[1 + i].access = (char *)"rwm";
	}
	memcpy(v + 1 + nu, default_rules, sizeof(default_rules));
	*rules = v;
	*n = total;
	return 0;
}

static int access_bits(const char *a)
{
	int m = 0;
	for (; a && *a; a++)
		m |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
	return m;
}

#define ALL_ACC (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}
#define LDX_W(dst, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, 1, off, 0)
#define MOV_REG(dst, src) insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_IMM(dst, imm) insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define AND_IMM(dst, imm) insn(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH_IMM(dst, imm) insn(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JEQ_IMM(dst, imm, off) insn(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

int cg_devices_bpf(const struct spec_device_rule *rules, size_t n, struct bpf_insn **insns,
		   size_t *n_insns, lw_err *err)
{
	/* prologue 6 + per rule at most 8 + epilogue 2 */
	struct bpf_insn *p = calloc(6 + 8 * n + 2, sizeof(*p));
	if (!p)
		return lw_fail(err, ENOMEM, "device rules");
	size_t k = 0;
	/* r2 = type, r3 = access, r4 = major, r5 = minor */
	p[k++] = LDX_W(2, 0);
	p[k++] = MOV_REG(3, 2);
	p[k++] = AND_IMM(2, 0xffff);
	p[k++] = RSH_IMM(3, 16);
	p[k++] = LDX_W(4, 4);
	p[k++] = LDX_W(5, 8);
	bool unconditional = false;
	for (size_t i = n; i-- > 0 && !unconditional;) {
		const struct spec_device_rule *r = &rules[i];
		int acc = access_bits(r->access ? r->access : "rwm");
		struct bpf_insn tests[8];
		size_t t = 0;
		if (r->type == 'c')
			tests[t++] = JNE_IMM(2, BPF_DEVCG_DEV_CHAR, 0);
		else if (r->type == 'b')
			tests[t++] = JNE_IMM(2, BPF_DEVCG_DEV_BLOCK, 0);
		if (acc != ALL_ACC) {
			tests[t++] = MOV_REG(6, 3);
			if (r->allow) { /* request must be within acc */
				tests[t++] = AND_IMM(6, ~acc & ALL_ACC);
				tests[t++] = JNE_IMM(6, 0, 0);
			} else { /* request must touch acc */
				tests[t++] = AND_IMM(6, acc);
				tests[t++] = JEQ_IMM(6, 0, 0);
			}
		}
		if (r->major >= 0)
			tests[t++] = JNE_IMM(4, (__s32)r->major, 0);
		if (r->minor >= 0)
			tests[t++] = JNE_IMM(5, (__s32)r->minor, 0);
		/* every test jumps past the two-insn action on mismatch */
		for (size_t j = 0; j < t; j++) {
			if (BPF_CLASS(tests[j].code) == BPF_JMP)
				tests[j].off = (__s16)(t - j - 1 + 2);
			p[k++] = tests[j];
		}
		p[k++] = MOV_IMM(0, r->allow ? 1 : 0);
		p[k++] = EXIT();
		unconditional = t == 0;
	}
	if (!unconditional) {
		p[k++] = MOV_IMM(0, 0);
		p[k++] = EXIT();
	}
	*insns = p;
	*n_insns = k;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int cg_devices_v2_apply(int dirfd, const struct spec_resources *res, lw_err *err)
{
	cleanup_free struct spec_device_rule *rules = NULL;
	cleanup_free struct bpf_insn *insns = NULL;
	size_t n = 0, ni = 0;
	if (cg_devices_rules(res, &rules, &n, err) < 0 || cg_devices_bpf(rules, n, &insns, &ni, err) < 0)
		return -1;

	/* what is attached now (a reused cgroup, or update): replaced below */
	__u32 old_ids[64];
	union bpf_attr q = { 0 };
	q.query.target_fd = dirfd;
	q.query.attach_type = BPF_CGROUP_DEVICE;
	q.query.prog_ids = (__u64)(uintptr_t)old_ids;
	q.query.prog_cnt = LW_ARRAY_SIZE(old_ids);
	if (sys_bpf(BPF_PROG_QUERY, &q) < 0)
		q.query.prog_cnt = 0;

	static char log[4096];
	union bpf_attr a = { 0 };
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (__u64)(uintptr_t)insns;
	a.insn_cnt = (__u32)ni;
	a.license = (__u64)(uintptr_t) "Apache";
	cleanup_close int prog = sys_bpf(BPF_PROG_LOAD, &a);
	if (prog < 0) {
		/* load again with the verifier log, for the error message */
		int e = errno;
		a.log_buf = (__u64)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		log[0] = '\0';
		prog = sys_bpf(BPF_PROG_LOAD, &a);
		return lw_fail(err, e, "linux.resources.devices: loading the device eBPF program%s%s",
			       log[0] ? ": " : "", log);
	}
	union bpf_attr at = { 0 };
	at.target_fd = dirfd;
	at.attach_bpf_fd = prog;
	at.attach_type = BPF_CGROUP_DEVICE;
	at.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &at) < 0)
		return lw_fail(err, errno, "linux.resources.devices: attaching the device eBPF program");

	for (__u32 i = 0; i < q.query.prog_cnt && i < LW_ARRAY_SIZE(old_ids); i++) {
		union bpf_attr g = { 0 };
		g.prog_id = old_ids[i];
		cleanup_close int ofd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
		if (ofd < 0)
			continue;
		union bpf_attr d = { 0 };
		d.target_fd = dirfd;
		d.attach_bpf_fd = ofd;
		d.attach_type = BPF_CGROUP_DEVICE;
		if (sys_bpf(BPF_PROG_DETACH, &d) < 0)
			lw_debug("cgroup: detaching old device program %u: %s", old_ids[i], lw_strerror(errno));
	}
	return 0;
}

static void v1_rule(const struct spec_device_rule *r, char *buf, size_t len)
{
	if (r->type == 'a') {
		snprintf(buf, len, "a");
		return;
	}
	char maj[24] = "*", min[24] = "*";
	if (r->major >= 0)
		snprintf(maj, sizeof(maj), "%lld", (long long)r->major);
	if (r->minor >= 0)
		snprintf(min, sizeof(min), "%lld", (long long)r->minor);
	snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, r->access ? r->access : "rwm");
}

int cg_devices_v1_apply(int dirfd, const struct spec_resources *res, lw_err *err)
{
	cleanup_free struct spec_device_rule *rules = NULL;
	size_t n = 0;
	if (cg_devices_rules(res, &rules, &n, err) < 0)
		return -1;
	char prev[96] = "";
	for (size_t i = 0; i < n; i++) {
		char buf[80], cur[96];
		v1_rule(&rules[i], buf, sizeof(buf));
		snprintf(cur, sizeof(cur), "%c %s", rules[i].allow ? '+' : '-', buf);
		if (strcmp(cur, prev) == 0)
			continue; /* the usual leading "deny all" twice */
		if (cg_write(dirfd, rules[i].allow ? "devices.allow" : "devices.deny", buf, err) < 0) {
			if (i == 0 || i > (res ? res->n_devices : 0))
				return lw_wrap(err, "linux.resources.devices (\"%s\")", buf);
			return lw_wrap(err, "linux.resources.devices[%zu]", i - 1);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return 0;
}
