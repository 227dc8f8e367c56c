/* Private to cgroup/: the in-memory shape of a container's cgroup and the
 * helpers the files of this folder share.
 *
 *   cgroup.c   host discovery (mode, mounts, own cgroup), path resolution,
 *              create/open/destroy/attach, freeze, kill, pids
 *   v2.c       linux.resources -> cgroup v2 files
 *   v1.c       linux.resources -> cgroup v1 files
 *   devices.c  device rules: v2 eBPF program, v1 devices.allow/deny
 *   stats.c    runc `events --stats` JSON, OOM kill count
 *
 * Host discovery reads /proc/self/mountinfo and /proc/self/cgroup at most
 * once per process (pure v2 hosts need neither to find the mount).  We do
 * not use libcgroup: its init scans every mount and builds tables we do not
 * need, and everything we need is two small procfs files.
 */
#ifndef LW_CGROUP_INTERNAL_H
#define LW_CGROUP_INTERNAL_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"

/* v1 controllers (and the v2 controllers of the same name). */
enum cg_ctrl {
	CG_CPU,
	CG_CPUACCT,
	CG_CPUSET,
	CG_MEMORY,
	CG_DEVICES,
	CG_FREEZER,
	CG_BLKIO, /* "io" on v2 */
	CG_PIDS,
	CG_HUGETLB,
	CG_NET_CLS,
	CG_NET_PRIO,
	CG_RDMA,
	CG_PERF_EVENT,
	CG_MISC,
	CG_NCTRL
};
#define CG_BIT(c) (1u << (c))

/* v1 name ("blkio") and v2 name ("io") of a controller. */
const char *cg_ctrl_name(enum cg_ctrl c);
const char *cg_ctrl_v2_name(enum cg_ctrl c);

/* One hierarchy the container is in. */
struct cg_hier {
	bool unified;   /* the cgroup2 tree */
	unsigned ctrls; /* v1: CG_BIT()s of the controllers mounted there */
	char *mnt;      /* mount point, e.g. /sys/fs/cgroup/memory */
	char *rel;      /* cgroup path inside the hierarchy, "/a/b" */
	char *path;     /* mnt + rel */
	int fd;         /* O_DIRECTORY fd of path; -1 if absent or skipped */
	int created;    /* how many trailing components of rel we created */
};

struct cgroup {
	enum cgroup_mode mode;
	struct cg_hier *h;
	size_t n;
	struct cg_hier *uni; /* into h[], or NULL */
	bool rootless;       /* no device rules; unwritable hierarchies skipped */
	char *saved;
};

/* A cgroup filesystem of the host (host.c). */
struct cg_host_mount {
	char *mnt;
	char *root;
	unsigned ctrls;
	bool unified;
};

int cg_host_discover(bool own, lw_err *err);
const struct cg_host_mount *cg_host_mounts(size_t *n);
/* The caller's own cgroup in that hierarchy (relative cgroupsPath base). */
const char *cg_host_own_path(const struct cg_host_mount *m);
enum cgroup_mode cg_mode_from_name(const char *s);
/* Bits of a comma-separated controller list; *named for "name=" ones. */
unsigned cg_ctrl_mask(const char *list, size_t len, bool *named);

/* Monotonic milliseconds, and a sleep (for the bounded waits). */
long cg_now_ms(void);
void cg_sleep_ms(long ms);

/* The hierarchy holding controller c (v1), or NULL. */
struct cg_hier *cg_v1_find(struct cgroup *cg, enum cg_ctrl c);

/* File helpers on a cgroup directory fd.  Errors read
 * "writing memory.max: Invalid argument". */
int cg_write(int dirfd, const char *file, const char *val, lw_err *err);
int cg_writef(int dirfd, const char *file, lw_err *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Whole file, NUL-terminated, malloc'd. */
int cg_read(int dirfd, const char *file, char **out, lw_err *err);
int cg_read_u64(int dirfd, const char *file, uint64_t *v, lw_err *err);
/* "key value" line of a flat-keyed file (memory.events, cpu.stat). */
int cg_keyed_u64(const char *text, const char *key, uint64_t *v);
bool cg_file_exists(int dirfd, const char *file);

/* Which controllers the typed fields of linux.resources need (CG_BIT()s);
 * devices unless rootless.  linux.resources.unified is not counted. */
unsigned cg_needed_ctrls(const struct spec_resources *res, bool rootless);

/* ---- pure logic (unit tested) ---------------------------------------- */

/* Path of the container's cgroup inside one hierarchy.  own: the invoking
 * process's cgroup there ("/user.slice/x"); cgroups_path: linux.cgroupsPath
 * or NULL (then id).  Result is normalized ("/a/b", no trailing slash). */
int cg_resolve_path(const char *own, const char *cgroups_path, const char *id, char **out,
		    lw_err *err);

/* cpu.shares (2..262144) -> cpu.weight (1..10000), runc's (and crun's)
 * current formula: 1024 -> 100. */
uint64_t cg_shares_to_weight(uint64_t shares);
/* blkio.weight (10..1000) -> io.weight (1..10000), runc's linear map. */
uint64_t cg_blkio_to_io_weight(uint64_t weight);
/* memory.swap.max for OCI memory.limit/memory.swap (memory+swap), as runc:
 * writes "max", a number, or "" (leave alone) into buf. */
int cg_v2_swap_value(const struct spec_resources *res, char *buf, size_t len, lw_err *err);
/* One io.max line per device for the blockIO throttles; malloc'd
 * NUL-terminated vector of "MAJ:MIN rbps=.. wbps=.. riops=.. wiops=..". */
int cg_io_max_lines(const struct spec_resources *res, char ***lines, size_t *n, lw_err *err);

/* ---- device rules (devices.c) ----------------------------------------- */

/* The effective rule list: implicit deny-all, the config's rules, then the
 * devices every container gets (runc's AllowedDevices). */
int cg_devices_rules(const struct spec_resources *res, struct spec_device_rule **rules, size_t *n,
		     lw_err *err);
/* BPF_PROG_TYPE_CGROUP_DEVICE program for rules (last matching rule wins,
 * no match: deny). *insns malloc'd. */
int cg_devices_bpf(const struct spec_device_rule *rules, size_t n, struct bpf_insn **insns,
		   size_t *n_insns, lw_err *err);
/* Load the program and attach it to the cgroup dirfd, replacing the
 * programs leeward attached before (update). */
int cg_devices_v2_apply(int dirfd, const struct spec_resources *res, lw_err *err);
int cg_devices_v1_apply(int dirfd, const struct spec_resources *res, lw_err *err);

/* ---- resources --------------------------------------------------------- */

/* devices: (re)write the device rules; false on an update that has none,
 * so the rules set at create stay. */
int cg_v2_apply(struct cgroup *cg, const struct spec_resources *res, bool devices, lw_err *err);
/* Enable the v2 controllers in mask (CG_BIT()s) in cgroup.subtree_control
 * of every ancestor of u, top-down; unless required_only, also cpu, io,
 * memory, pids when available (best effort).  Needed ones that the host
 * lacks are an error naming the controller. */
int cg_v2_enable(struct cg_hier *u, unsigned mask, bool required_only, lw_err *err);
/* Also used on hybrid hosts for unified keys and cgroup2-only hugetlb. */
int cg_v2_unified(int dirfd, const struct spec_resources *res, lw_err *err);
int cg_v2_hugetlb(int dirfd, const struct spec_resources *res, lw_err *err);
int cg_v1_apply(struct cgroup *cg, const struct spec_resources *res, bool devices, lw_err *err);
/* Make cpuset.cpus/mems of freshly created v1 cpuset dirs non-empty. */
int cg_v1_cpuset_init(struct cg_hier *h, lw_err *err);

#endif
