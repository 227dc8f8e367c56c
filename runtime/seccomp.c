/* linux.seccomp -> BPF (libseccomp), load with seccomp(2), listenerPath
 * hand-off.  See seccomp.h for the contract. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "seccomp.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef LW_OCI_VERSION
#define LW_OCI_VERSION SPEC_OCI_VERSION
#endif

#define ARG_MAX_INDEX 6 /* syscalls take at most 6 arguments */
#define ARG_MAX_CONDS 64
#define X32_SYSCALL_BIT 0x40000000U

struct lw_seccomp {
	struct sock_filter *insns;
	unsigned short len;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	bool notify;
};

bool lw_seccomp_uses_notify(const struct lw_seccomp *s)
{
	return s && s->notify;
}
unsigned int lw_seccomp_len(const struct lw_seccomp *s)
{
	return s ? s->len : 0;
}
unsigned int lw_seccomp_flags(const struct lw_seccomp *s)
{
	return s ? s->flags : 0;
}

void lw_seccomp_free(struct lw_seccomp *s)
{
	if (!s)
		return;
	free(s->insns);
	free(s);
}

static void ctx_release(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/* ---- actions, operators, architectures ------------------------------ */

static bool is_errno_like(enum spec_seccomp_action a)
{
	return a == SPEC_SCMP_ERRNO || a == SPEC_SCMP_TRACE;
}

/* errno_ret applies to ERRNO and TRACE; absent means EPERM (runc). */
static int to_scmp_action(enum spec_seccomp_action a, const struct spec_opt_u64 *errno_ret,
			  uint32_t *out, const char *field, lw_err *err)
{
	uint32_t ret = EPERM;

	if (is_errno_like(a) && errno_ret && errno_ret->set) {
		if (errno_ret->v > 0xffff)
			return lw_fail(err, 0, "%s: %llu is out of range (0-65535)", field,
				       (unsigned long long)errno_ret->v);
		ret = (uint32_t)errno_ret->v;
	}
	switch (a) {
	case SPEC_SCMP_KILL:
	case SPEC_SCMP_KILL_THREAD: *out = SCMP_ACT_KILL_THREAD; return 0;
	case SPEC_SCMP_KILL_PROCESS: *out = SCMP_ACT_KILL_PROCESS; return 0;
	case SPEC_SCMP_TRAP: *out = SCMP_ACT_TRAP; return 0;
	case SPEC_SCMP_ERRNO: *out = SCMP_ACT_ERRNO(ret); return 0;
	case SPEC_SCMP_TRACE: *out = SCMP_ACT_TRACE(ret); return 0;
	case SPEC_SCMP_ALLOW: *out = SCMP_ACT_ALLOW; return 0;
	case SPEC_SCMP_LOG: *out = SCMP_ACT_LOG; return 0;
	case SPEC_SCMP_NOTIFY: *out = SCMP_ACT_NOTIFY; return 0;
	}
	return lw_fail(err, 0, "%s: unknown action %d", field, (int)a);
}

static int to_scmp_op(enum spec_seccomp_op op, enum scmp_compare *out)
{
	switch (op) {
	case SPEC_SCMP_CMP_NE: *out = SCMP_CMP_NE; return 0;
	case SPEC_SCMP_CMP_LT: *out = SCMP_CMP_LT; return 0;
	case SPEC_SCMP_CMP_LE: *out = SCMP_CMP_LE; return 0;
	case SPEC_SCMP_CMP_EQ: *out = SCMP_CMP_EQ; return 0;
	case SPEC_SCMP_CMP_GE: *out = SCMP_CMP_GE; return 0;
	case SPEC_SCMP_CMP_GT: *out = SCMP_CMP_GT; return 0;
	case SPEC_SCMP_CMP_MASKED_EQ: *out = SCMP_CMP_MASKED_EQ; return 0;
	}
	return -1;
}

/* "SCMP_ARCH_X86_64" -> libseccomp token; 0 if unknown to libseccomp. */
static uint32_t arch_token(const char *name)
{
	char low[32];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) != 0)
		return 0;
	name += 10;
	for (i = 0; name[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = 0;
	if (name[i])
		return 0;
	return seccomp_arch_resolve_name(low);
}

/* The AUDIT_ARCH value the kernel puts in seccomp_data.arch.  libseccomp's
 * tokens are AUDIT_ARCH values except for x32, which shares x86_64's. */
static uint32_t audit_arch(uint32_t token)
{
	return token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
}

/* ---- kernel feature probes ------------------------------------------ */

/* A flag the kernel knows makes seccomp() fail on the NULL program with
 * EFAULT; an unknown one fails the flag check with EINVAL first. */
static bool kernel_has_filter_flags(unsigned long flags)
{
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL);
	return r < 0 && errno == EFAULT;
}

/* ---- SHA-256 (cache key) -------------------------------------------- */

struct sha256 {
	uint32_t h[8];
	uint64_t n;
	unsigned char buf[64];
	size_t fill;
};

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(struct sha256 *c, const unsigned char *p)
{
	uint32_t w[64], a, b, d, e, f, g, h, cc, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
	e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
		h = g, g = f, f = e, e = d + t1, d = cc, cc = b, b = a, a = t1 + t2;
	}
	c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d;
	c->h[4] += e, c->h[5] += f, c->h[6] += g, c->h[7] += h;
}

static void sha256_init(struct sha256 *c)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(c->h, iv, sizeof(iv));
	c->n = 0;
	c->fill = 0;
}

static void sha256_update(struct sha256 *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	c->n += len;
	while (len > 0) {
		size_t k = 64 - c->fill < len ? 64 - c->fill : len;
		memcpy(c->buf + c->fill, p, k);
		c->fill += k, p += k, len -= k;
		if (c->fill == 64) {
			sha256_block(c, c->buf);
			c->fill = 0;
		}
	}
}

static void sha256_hex(struct sha256 *c, char out[65])
{
	uint64_t bits = c->n * 8;
	unsigned char pad = 0x80, len[8];

	sha256_update(c, &pad, 1);
	pad = 0;
	while (c->fill != 56)
		sha256_update(c, &pad, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(c, len, 8);
	for (int i = 0; i < 8; i++)
		sprintf(out + 8 * i, "%08x", c->h[i]);
}

static void hash_u64(struct sha256 *c, uint64_t v)
{
	sha256_update(c, &v, sizeof(v));
}
static void hash_str(struct sha256 *c, const char *s)
{
	hash_u64(c, s ? strlen(s) + 1 : 0);
	if (s)
		sha256_update(c, s, strlen(s));
}

/* Everything the BPF program depends on: the profile minus what only
 * matters at load or hand-off time, the libseccomp version and the native
 * architecture.  Flags are not part of the program. */
static void profile_key(const struct spec_seccomp *sc, char out[65])
{
	const struct scmp_version *v = seccomp_version();
	struct sha256 c;

	sha256_init(&c);
	hash_str(&c, "leeward seccomp bpf v1");
#if defined(LW_VERSION) && defined(LW_COMMIT)
	/* a new build may generate another program (stub, fixes) */
	hash_str(&c, LW_VERSION " " LW_COMMIT);
#endif
	hash_u64(&c, v->major), hash_u64(&c, v->minor), hash_u64(&c, v->micro);
	hash_u64(&c, seccomp_arch_native());
	hash_u64(&c, sc->default_action);
	hash_u64(&c, sc->default_errno_ret.set), hash_u64(&c, sc->default_errno_ret.v);
	hash_u64(&c, sc->n_architectures);
	for (size_t i = 0; i < sc->n_architectures; i++)
		hash_str(&c, sc->architectures[i]);
	hash_u64(&c, sc->n_syscalls);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct spec_seccomp_syscall *s = &sc->syscalls[i];
		hash_u64(&c, s->n_names);
		for (size_t j = 0; j < s->n_names; j++)
			hash_str(&c, s->names[j]);
		hash_u64(&c, s->action);
		hash_u64(&c, s->errno_ret.set), hash_u64(&c, s->errno_ret.v);
		hash_u64(&c, s->n_args);
		for (size_t j = 0; j < s->n_args; j++) {
			hash_u64(&c, s->args[j].index), hash_u64(&c, s->args[j].op);
			hash_u64(&c, s->args[j].value), hash_u64(&c, s->args[j].value_two);
		}
	}
	sha256_hex(&c, out);
}

/* ---- cache ---------------------------------------------------------- */

/* A cache file is the program followed by the SHA-256 (hex) of the
 * program, so a file torn by a crash (no fsync: /run is tmpfs, and
 * a cache need not survive) is a miss, not a filter the kernel refuses. */
#define CACHE_TRAILER 64

static void program_digest(const struct sock_filter *insns, size_t len, char out[65])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, insns, len * sizeof(*insns));
	sha256_hex(&c, out);
}

static int cache_read(const char *dir, const char *key, struct lw_seccomp *s)
{
	cleanup_free char *path = NULL, *buf = NULL;
	cleanup_close int fd = -1;
	struct stat st;
	size_t size, len;
	char digest[65];

	if (asprintf(&path, "%s/%s", dir, key) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= CACHE_TRAILER)
		return -1;
	size = (size_t)st.st_size - CACHE_TRAILER;
	len = size / sizeof(struct sock_filter);
	if (size % sizeof(struct sock_filter) || len > BPF_MAXINSNS)
		return -1;
	buf = malloc((size_t)st.st_size);
	if (!buf || pread(fd, buf, (size_t)st.st_size, 0) != st.st_size)
		return -1;
	program_digest((struct sock_filter *)buf, len, digest);
	if (memcmp(digest, buf + size, CACHE_TRAILER) != 0) {
		lw_debug("seccomp cache %s: corrupt, ignored", path);
		return -1;
	}
	s->insns = (struct sock_filter *)take_ptr(buf);
	s->len = (unsigned short)len;
	return 0;
}

/* Entries beyond this are not written: a bound on /run for hosts that
 * generate a profile per container (~10 KiB each). */
#define CACHE_MAX_ENTRIES 256

static bool cache_full(const char *dir)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && ++n >= CACHE_MAX_ENTRIES)
			return true;
	return false;
}

/* Best effort: written to a temporary file and renamed, so a reader sees a
 * whole program or none. */
static void cache_write(const char *dir, const char *key, const struct lw_seccomp *s)
{
	cleanup_free char *tmp = NULL, *path = NULL;
	cleanup_close int fd = -1;
	size_t size = s->len * sizeof(struct sock_filter);
	char digest[65];

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		lw_debug("seccomp cache %s: %s", dir, lw_strerror(errno));
		return;
	}
	if (cache_full(dir)) {
		lw_debug("seccomp cache %s: full (%d entries), not adding", dir, CACHE_MAX_ENTRIES);
		return;
	}
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, key) < 0 || asprintf(&path, "%s/%s", dir, key) < 0)
		return;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		lw_debug("seccomp cache %s: %s", tmp, lw_strerror(errno));
		return;
	}
	program_digest(s->insns, s->len, digest);
	if (write(fd, s->insns, size) != (ssize_t)size ||
	    write(fd, digest, CACHE_TRAILER) != CACHE_TRAILER || rename(tmp, path) < 0) {
		lw_debug("seccomp cache %s: %s", path, lw_strerror(errno));
		unlink(tmp);
	}
}

/* ---- -ENOSYS stub --------------------------------------------------- */

/* A profile written for an older kernel has no rule for newer syscalls, so
 * they get the default action (typically EPERM), and programs that probe
 * for them (clone3, openat2, close_range, ...) treat EPERM as a hard error
 * instead of falling back.  Like runc, put a stub in front of libseccomp's
 * program: for each listed architecture, a syscall number above the
 * highest one named in the profile returns -ENOSYS. */

struct stub_arch {
	uint32_t audit; /* seccomp_data.arch */
	int64_t last;	/* highest syscall number in the profile, -1: none */
	int64_t last_x32;
	bool has_x32, has_x86_64;
};

struct bpf_buf {
	struct sock_filter *v;
	size_t n, cap;
};

static int emit(struct bpf_buf *b, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct sock_filter *v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return -1;
		b->v = v, b->cap = cap;
	}
	b->v[b->n++] = (struct sock_filter){ code, jt, jf, k };
	return 0;
}

static int64_t last_syscall(const struct spec_seccomp *sc, uint32_t token)
{
	int64_t last = -1;

	for (size_t i = 0; i < sc->n_syscalls; i++)
		for (size_t j = 0; j < sc->syscalls[i].n_names; j++) {
			int nr = seccomp_syscall_resolve_name_arch(token, sc->syscalls[i].names[j]);
			/* negative: unknown, or a pseudo-syscall on this arch */
			if (nr >= 0 && nr > last)
				last = nr;
		}
	return last;
}

#define RET_ENOSYS (SECCOMP_RET_ERRNO | ENOSYS)
#define LD_W_ABS (BPF_LD | BPF_W | BPF_ABS)
#define JA (BPF_JMP | BPF_JA)

/* "nr > last -> ENOSYS", falling through otherwise */
static int emit_cmp(struct bpf_buf *b, int64_t last)
{
	if (emit(b, BPF_JMP | BPF_JGT | BPF_K, 0, 1, (uint32_t)last) < 0)
		return -1;
	return emit(b, BPF_RET | BPF_K, 0, 0, RET_ENOSYS);
}

static int build_stub(const struct spec_seccomp *sc, struct bpf_buf *b, lw_err *err)
{
	struct stub_arch arches[32];
	size_t n = 0, *to_section = NULL, *to_filter = NULL, n_to_filter = 0;
	int ret = -1;

	for (size_t i = 0; i < sc->n_architectures; i++) {
		uint32_t tok = arch_token(sc->architectures[i]);
		int64_t last;
		size_t k;

		if (tok == 0)
			continue; /* rejected earlier */
		last = last_syscall(sc, tok);
		if (last < 0)
			continue;
		for (k = 0; k < n && arches[k].audit != audit_arch(tok); k++)
			;
		if (k == n) {
			if (n == LW_ARRAY_SIZE(arches))
				break;
			arches[n++] = (struct stub_arch){ .audit = audit_arch(tok), .last = -1,
							  .last_x32 = -1 };
		}
		if (tok == SCMP_ARCH_X32) {
			arches[k].has_x32 = true;
			arches[k].last_x32 = last;
		} else {
			arches[k].has_x86_64 = tok == SCMP_ARCH_X86_64;
			arches[k].last = last;
		}
	}
	if (n == 0)
		return 0;

	to_section = calloc(n, sizeof(*to_section));
	to_filter = calloc(3 * n + 1, sizeof(*to_filter));
	if (!to_section || !to_filter) {
		lw_fail(err, ENOMEM, "building the -ENOSYS stub");
		goto out;
	}
	/* dispatch on the architecture; the jumps are patched below */
	if (emit(b, LD_W_ABS, 0, 0, offsetof(struct seccomp_data, arch)) < 0)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		if (emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, arches[i].audit) < 0)
			goto nomem;
		to_section[i] = b->n;
		if (emit(b, JA, 0, 0, 0) < 0)
			goto nomem;
	}
	to_filter[n_to_filter++] = b->n;
	if (emit(b, JA, 0, 0, 0) < 0)
		goto nomem;

	for (size_t i = 0; i < n; i++) {
		struct stub_arch *a = &arches[i];

		b->v[to_section[i]].k = (uint32_t)(b->n - to_section[i] - 1);
		if (emit(b, LD_W_ABS, 0, 0, offsetof(struct seccomp_data, nr)) < 0)
			goto nomem;
		if (a->audit == AUDIT_ARCH_S390 || a->audit == AUDIT_ARCH_S390X) {
			/* unknown "large" syscalls arrive as nr 0 (setup) */
			if (emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0) < 0 ||
			    emit(b, BPF_RET | BPF_K, 0, 0, RET_ENOSYS) < 0)
				goto nomem;
		}
		if (a->audit == AUDIT_ARCH_X86_64 && (a->has_x32 || a->has_x86_64)) {
			/* one arch value, two ABIs: x32 numbers carry bit 30.  An
			 * ABI the profile does not list is left to libseccomp. */
			if (a->has_x32 && a->has_x86_64) {
				/* jset bit30 -> x32 compare (skip 3), else x86_64 */
				if (emit(b, BPF_JMP | BPF_JSET | BPF_K, 3, 0, X32_SYSCALL_BIT) < 0 ||
				    emit_cmp(b, a->last) < 0)
					goto nomem;
				to_filter[n_to_filter++] = b->n;
				if (emit(b, JA, 0, 0, 0) < 0 || emit_cmp(b, a->last_x32) < 0)
					goto nomem;
			} else if (a->has_x86_64) {
				if (emit(b, BPF_JMP | BPF_JSET | BPF_K, 2, 0, X32_SYSCALL_BIT) < 0 ||
				    emit_cmp(b, a->last) < 0)
					goto nomem;
			} else {
				if (emit(b, BPF_JMP | BPF_JSET | BPF_K, 0, 2, X32_SYSCALL_BIT) < 0 ||
				    emit_cmp(b, a->last_x32) < 0)
					goto nomem;
			}
		} else if (emit_cmp(b, a->last) < 0) {
			goto nomem;
		}
		to_filter[n_to_filter++] = b->n;
		if (emit(b, JA, 0, 0, 0) < 0)
			goto nomem;
	}
	for (size_t i = 0; i < n_to_filter; i++)
		b->v[to_filter[i]].k = (uint32_t)(b->n - to_filter[i] - 1);
	ret = 0;
	goto out;
nomem:
	lw_fail(err, ENOMEM, "building the -ENOSYS stub");
out:
	free(to_section);
	free(to_filter);
	return ret;
}

static bool wants_enosys_stub(const struct spec_seccomp *sc)
{
	switch (sc->default_action) {
	case SPEC_SCMP_ALLOW:
	case SPEC_SCMP_LOG:
	case SPEC_SCMP_TRACE: /* a tracer handles new syscalls itself */
		return false;
	case SPEC_SCMP_ERRNO:
		/* already the answer */
		return !(sc->default_errno_ret.set && sc->default_errno_ret.v == ENOSYS);
	default:
		return true;
	}
}

/* ---- compile -------------------------------------------------------- */

static const char *action_name(enum spec_seccomp_action a)
{
	static const char *names[] = {
		[SPEC_SCMP_KILL] = "SCMP_ACT_KILL",
		[SPEC_SCMP_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
		[SPEC_SCMP_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
		[SPEC_SCMP_TRAP] = "SCMP_ACT_TRAP",
		[SPEC_SCMP_ERRNO] = "SCMP_ACT_ERRNO",
		[SPEC_SCMP_TRACE] = "SCMP_ACT_TRACE",
		[SPEC_SCMP_ALLOW] = "SCMP_ACT_ALLOW",
		[SPEC_SCMP_LOG] = "SCMP_ACT_LOG",
		[SPEC_SCMP_NOTIFY] = "SCMP_ACT_NOTIFY",
	};
	return (unsigned)a < LW_ARRAY_SIZE(names) ? names[a] : "?";
}

/* What the spec parser cannot know or may not check: every error here
 * names its field. */
static int validate(const struct spec_seccomp *sc, lw_err *err)
{
	uint32_t act;

	if (sc->default_action == SPEC_SCMP_NOTIFY)
		/* init's own syscalls would wait for a listener that only gets
		 * the fd after init handed it on */
		return lw_fail(err, 0, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	if (to_scmp_action(sc->default_action, &sc->default_errno_ret, &act,
			   "linux.seccomp.defaultErrnoRet", err) < 0)
		return -1;
	for (size_t i = 0; i < sc->n_architectures; i++)
		if (arch_token(sc->architectures[i]) == 0)
			return lw_fail(err, 0, "linux.seccomp.architectures[%zu]: %s is not supported by libseccomp %u.%u.%u",
				       i, sc->architectures[i], SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct spec_seccomp_syscall *call = &sc->syscalls[i];
		char field[64];

		snprintf(field, sizeof(field), "linux.seccomp.syscalls[%zu].errnoRet", i);
		if (to_scmp_action(call->action, &call->errno_ret, &act, field, err) < 0)
			return -1;
		if (call->n_args > ARG_MAX_CONDS)
			return lw_fail(err, 0, "linux.seccomp.syscalls[%zu].args: more than %d conditions",
				       i, ARG_MAX_CONDS);
		for (size_t k = 0; k < call->n_args; k++) {
			enum scmp_compare op;

			if (call->args[k].index >= ARG_MAX_INDEX)
				return lw_fail(err, 0,
					       "linux.seccomp.syscalls[%zu].args[%zu].index: %u is out of range (0-5)",
					       i, k, call->args[k].index);
			if (to_scmp_op(call->args[k].op, &op) < 0)
				return lw_fail(err, 0, "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator %d",
					       i, k, (int)call->args[k].op);
		}
		/* Between loading the filter and handing the listener fd to
		 * the runtime, init must not make a notified syscall: nobody
		 * could answer it.  runc refuses write (its hand-off); ours
		 * is sendmsg (runtime/sync.c), and write stays refused for
		 * runc's contract. */
		if (call->action == SPEC_SCMP_NOTIFY)
			for (size_t j = 0; j < call->n_names; j++)
				if (strcmp(call->names[j], "write") == 0 ||
				    strcmp(call->names[j], "sendmsg") == 0)
					return lw_fail(err, 0,
						       "linux.seccomp.syscalls[%zu].names[%zu]: SCMP_ACT_NOTIFY cannot be used for the %s syscall",
						       i, j, call->names[j]);
	}
	return 0;
}

/* Input already validated. */
static int add_rules(scmp_filter_ctx ctx, const struct spec_seccomp *sc, uint32_t def_act,
		     lw_err *err)
{
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct spec_seccomp_syscall *call = &sc->syscalls[i];
		struct scmp_arg_cmp conds[ARG_MAX_CONDS];
		unsigned int per_index[ARG_MAX_INDEX] = { 0 };
		bool split = false;
		uint32_t act;

		if (to_scmp_action(call->action, &call->errno_ret, &act, "", err) < 0)
			return -1;
		if (act == def_act)
			continue; /* redundant, and libseccomp refuses it */
		for (size_t k = 0; k < call->n_args; k++) {
			const struct spec_seccomp_arg *a = &call->args[k];
			enum scmp_compare op = SCMP_CMP_EQ;

			to_scmp_op(a->op, &op);
			/* MASKED_EQ: value is the mask, valueTwo the datum (runc) */
			conds[k] = (struct scmp_arg_cmp){ a->index, op, a->value,
							  op == SCMP_CMP_MASKED_EQ ? a->value_two : 0 };
			if (++per_index[a->index] > 1)
				split = true;
		}

		for (size_t j = 0; j < call->n_names; j++) {
			const char *name = call->names[j];
			int nr = seccomp_syscall_resolve_name(name), r = 0;

			if (nr == __NR_SCMP_ERROR) {
				lw_debug("seccomp: unknown syscall \"%s\" ignored", name);
				continue;
			}
			if (call->n_args == 0) {
				r = seccomp_rule_add(ctx, act, nr, 0);
			} else if (!split) {
				r = seccomp_rule_add_array(ctx, act, nr, (unsigned int)call->n_args, conds);
			} else {
				/* libseccomp cannot AND two conditions on one
				 * argument; runc then ORs all of them. */
				for (size_t k = 0; k < call->n_args && r == 0; k++)
					r = seccomp_rule_add_array(ctx, act, nr, 1, &conds[k]);
			}
			if (r < 0)
				return lw_fail(err, -r, "linux.seccomp.syscalls[%zu]: adding %s rule for %s", i,
					       action_name(call->action), name);
		}
	}
	return 0;
}

/* 2.5.4 has no export to memory: export to a memfd and read it back. */
static int export_bpf(scmp_filter_ctx ctx, struct bpf_buf *prog, lw_err *err)
{
	cleanup_close int fd = memfd_create("leeward-seccomp", MFD_CLOEXEC);
	struct stat st;
	size_t n;
	int r;

	if (fd < 0)
		return lw_fail(err, errno, "exporting seccomp BPF: memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return lw_fail(err, -r, "exporting seccomp BPF");
	if (fstat(fd, &st) < 0)
		return lw_fail(err, errno, "exporting seccomp BPF: fstat");
	n = (size_t)st.st_size / sizeof(struct sock_filter);
	if (n == 0 || (size_t)st.st_size % sizeof(struct sock_filter))
		return lw_fail(err, 0, "exporting seccomp BPF: bad program size %lld",
			       (long long)st.st_size);
	for (size_t i = 0; i < n; i++)
		if (emit(prog, 0, 0, 0, 0) < 0)
			return lw_fail(err, ENOMEM, "exporting seccomp BPF");
	if (pread(fd, prog->v + prog->n - n, st.st_size, 0) != st.st_size)
		return lw_fail(err, errno ? errno : EIO, "exporting seccomp BPF: reading back");
	return 0;
}

static int build_program(const struct spec_seccomp *sc, struct bpf_buf *prog, lw_err *err)
{
	__attribute__((cleanup(ctx_release))) scmp_filter_ctx ctx = NULL;
	uint32_t def_act;
	size_t n_names = 0;
	int r;

	if (to_scmp_action(sc->default_action, &sc->default_errno_ret, &def_act,
			   "linux.seccomp.defaultErrnoRet", err) < 0)
		return -1;
	ctx = seccomp_init(def_act);
	if (!ctx)
		return lw_fail(err, 0, "linux.seccomp.defaultAction: libseccomp refused %s",
			       action_name(sc->default_action));
	/* we load the program ourselves; no_new_privs is process.noNewPrivileges' */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0)
		return lw_fail(err, -r, "seccomp: clearing the no_new_privs attribute");
	for (size_t i = 0; i < sc->n_architectures; i++) {
		r = seccomp_arch_add(ctx, arch_token(sc->architectures[i]));
		if (r < 0 && r != -EEXIST)
			return lw_fail(err, -r, "linux.seccomp.architectures[%zu]: adding %s", i,
				       sc->architectures[i]);
	}
	/* A binary tree of syscalls instead of a linear list for long
	 * profiles (runc's threshold, counted in names as runc does;
	 * 2.5.4 misbehaves with 0 rules). */
	for (size_t i = 0; i < sc->n_syscalls; i++)
		n_names += sc->syscalls[i].n_names;
	if (n_names > 32 && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		lw_debug("seccomp: binary tree optimization unavailable: %s", lw_strerror(-r));
	if (add_rules(ctx, sc, def_act, err) < 0)
		return -1;
	if (wants_enosys_stub(sc) && build_stub(sc, prog, err) < 0)
		return -1;
	if (export_bpf(ctx, prog, err) < 0)
		return -1;
	if (prog->n > BPF_MAXINSNS)
		return lw_fail(err, 0, "linux.seccomp: the filter has %zu instructions, more than the kernel's %d",
			       prog->n, BPF_MAXINSNS);
	return 0;
}

static int compute_flags(const struct spec_seccomp *sc, struct lw_seccomp *s, lw_err *err)
{
	for (size_t i = 0; i < sc->n_syscalls; i++)
		if (sc->syscalls[i].action == SPEC_SCMP_NOTIFY)
			s->notify = true;
	if (s->notify)
		s->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;

	/* flags absent (not []): runc turns off the speculative store bypass
	 * mitigation that seccomp would otherwise force on every process */
	if (!sc->flags && kernel_has_filter_flags(SECCOMP_FILTER_FLAG_SPEC_ALLOW))
		s->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	for (size_t i = 0; i < sc->n_flags; i++) {
		const char *f = sc->flags[i];
		unsigned long bit;

		if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
			continue; /* init is single-threaded; runc ignores it too */
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
			bit = SECCOMP_FILTER_FLAG_LOG;
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			bit = SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0) {
			if (!s->notify) {
				/* the kernel refuses it without a listener */
				lw_debug("seccomp: %s ignored: no SCMP_ACT_NOTIFY rule", f);
				continue;
			}
			bit = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER;
		} else
			return lw_fail(err, 0, "linux.seccomp.flags[%zu]: unknown flag %s", i, f);
		if (!kernel_has_filter_flags(bit))
			return lw_fail(err, 0, "linux.seccomp.flags[%zu]: %s is not supported by this kernel", i, f);
		s->flags |= (unsigned int)bit;
	}
	if (s->notify && !kernel_has_filter_flags(SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return lw_fail(err, 0, "linux.seccomp: SCMP_ACT_NOTIFY needs seccomp user notification, which this kernel lacks");
	return 0;
}

int lw_seccomp_compile(const struct spec_seccomp *sc, const char *cache_dir,
		       struct lw_seccomp **out, lw_err *err)
{
	cleanup_seccomp struct lw_seccomp *s = calloc(1, sizeof(*s));
	struct bpf_buf prog = { 0 };
	char key[65];

	if (!s)
		return lw_fail(err, ENOMEM, "compiling linux.seccomp");
	if (validate(sc, err) < 0 || compute_flags(sc, s, err) < 0)
		return -1;
	lw_debug("seccomp filter flags: %u", s->flags);

	if (cache_dir) {
		profile_key(sc, key);
		if (cache_read(cache_dir, key, s) == 0) {
			*out = take_ptr(s);
			return 0;
		}
	}
	if (build_program(sc, &prog, err) < 0) {
		free(prog.v);
		return -1;
	}
	s->insns = prog.v;
	s->len = (unsigned short)prog.n;
	if (cache_dir)
		cache_write(cache_dir, key, s);
	*out = take_ptr(s);
	return 0;
}

/* ---- load ----------------------------------------------------------- */

int lw_seccomp_load(const struct lw_seccomp *s, int *notify_fd, lw_err *err)
{
	struct sock_fprog prog = { .len = s->len, .filter = s->insns };
	long r;

	*notify_fd = -1;
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->flags, &prog);
	if (r < 0)
		return lw_fail(err, errno, "loading seccomp filter (flags %#x)", s->flags);
	if (s->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		*notify_fd = (int)r;
	return 0;
}

/* ---- listenerPath --------------------------------------------------- */

int lw_seccomp_send_listener(const char *listener_path, const char *metadata, int notify_fd,
			     pid_t pid, const char *state_json, lw_err *err)
{
	cleanup_close int sock = -1;
	cleanup_free char *meta = NULL, *msg = NULL;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl = { 0 };
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;
	int len;
	ssize_t n;

	/* no "@abstract" names and nothing relative to the runtime's cwd */
	if (listener_path[0] != '/')
		return lw_fail(err, 0, "linux.seccomp.listenerPath %s: not an absolute path",
			       listener_path);
	if (strlen(listener_path) >= sizeof(addr.sun_path))
		return lw_fail(err, ENAMETOOLONG, "linux.seccomp.listenerPath %s", listener_path);
	strcpy(addr.sun_path, listener_path);

	if (metadata && *metadata && !(meta = spec_json_quote(metadata)))
		return lw_fail(err, ENOMEM, "seccomp listener message");
	len = asprintf(&msg, "{\"ociVersion\":\"%s\",\"fds\":[\"seccompFd\"],\"pid\":%d%s%s,\"state\":%s}",
		       LW_OCI_VERSION, (int)pid, meta ? ",\"metadata\":" : "", meta ? meta : "",
		       state_json && *state_json ? state_json : "{}");
	if (len < 0) {
		msg = NULL;
		return lw_fail(err, ENOMEM, "seccomp listener message");
	}

	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return lw_fail(err, errno, "seccomp listener: socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return lw_fail(err, errno, "connecting to seccomp listener %s", listener_path);

	iov = (struct iovec){ msg, (size_t)len };
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &notify_fd, sizeof(int));
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return lw_fail(err, errno, "sending seccomp fd to listener %s", listener_path);
	/* the fd went with the first byte; send what a short write left */
	for (size_t off = (size_t)n; off < (size_t)len; off += (size_t)n) {
		n = send(sock, msg + off, (size_t)len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0)
			return lw_fail(err, errno, "sending seccomp state to listener %s",
				       listener_path);
	}
	return 0;
}
