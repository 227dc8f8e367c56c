/* The OCI runtime-spec model (config.json, Linux part of runtime-spec 1.3)
 * as typed C structs, the parser that fills them (yajl) with validation and
 * JSON-path errors, and generators for the JSON leeward emits (`spec`,
 * `state`, `features`).
 *
 * spec/ calls nothing but yajl and libc.  Errors are returned as malloc'd
 * strings of the form "<json.path>: <problem>", e.g.
 *   linux.namespaces[2].type: unknown namespace "pdi"
 *
 * Optional scalars are `struct spec_opt_*` with a `set` flag: absent and
 * zero are different things in the spec (memory.swap, oomScoreAdj, ...).
 * Every array has a count; every string is NUL-terminated and owned by the
 * struct spec (freed by spec_free()).
 */
#ifndef LW_SPEC_H
#define LW_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The runtime-spec version leeward implements (state, features, spec). */
#define SPEC_OCI_VERSION "1.3.0"

struct spec_opt_i64 {
	bool set;
	int64_t v;
};
struct spec_opt_u64 {
	bool set;
	uint64_t v;
};
struct spec_opt_bool {
	bool set;
	bool v;
};

struct spec_kv {
	char *key;
	char *value;
};

struct spec_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

/* ---- process -------------------------------------------------------- */

struct spec_user {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* informational (Windows); ignored on Linux */
};

/* Capability sets as bitmasks over CAP_* numbers (bit n = capability n).
 * Names unknown to the parser are an error; names the running kernel does
 * not know (n > cap_last_cap) are for the runtime to warn about. */
struct spec_capabilities {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
};

struct spec_rlimit {
	int resource; /* RLIMIT_* */
	char *type;   /* "RLIMIT_NOFILE", as written */
	uint64_t hard;
	uint64_t soft;
};

struct spec_scheduler {
	int policy; /* SCHED_* */
	struct spec_opt_i64 nice;
	struct spec_opt_i64 priority;
	uint64_t flags; /* SCHED_FLAG_* bits */
	struct spec_opt_u64 runtime;
	struct spec_opt_u64 deadline;
	struct spec_opt_u64 period;
};

struct spec_io_priority {
	int ioclass; /* IOPRIO_CLASS_RT=1, BE=2, IDLE=3 */
	int priority;
};

struct spec_cpu_affinity {
	char *initial; /* cpu list string, e.g. "0-3,7" */
	char *final;
};

/* process.landlock: the shape of runtime-spec PR #1111/#1241 (ruleset,
 * rules.pathBeneath, disableBestEffort) plus the network rules and IPC
 * scopes of later Landlock ABIs (ruleset.handledAccessNet, ruleset.scoped,
 * rules.netPort).  Masks are the kernel's LANDLOCK_ACCESS_* / SCOPE_* bits;
 * the parser checks that every allowed right is a handled one. */
struct spec_landlock_path {
	uint64_t access;
	char **paths; /* absolute, inside the container; NULL-terminated */
	size_t n_paths;
};
struct spec_landlock_port {
	uint64_t access;
	uint64_t *ports;
	size_t n_ports;
};
struct spec_landlock {
	uint64_t handled_fs;
	uint64_t handled_net;
	uint64_t scoped;
	struct spec_landlock_path *path_beneath;
	size_t n_path_beneath;
	struct spec_landlock_port *net_port;
	size_t n_net_port;
	bool disable_best_effort;
};

/* The annotation that carries the same object as JSON, for callers that
 * cannot write process.landlock (podman --annotation, Kubernetes pods). */
#define SPEC_LANDLOCK_ANNOTATION "io.github.leeward.landlock"

struct spec_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height;
	uint32_t console_width;
	struct spec_user user;
	char **args; /* NULL-terminated */
	size_t n_args;
	char *command_line; /* Windows only; ignored */
	char **env;         /* NULL-terminated */
	size_t n_env;
	char *cwd;
	bool has_capabilities; /* process.capabilities present */
	struct spec_capabilities capabilities;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	struct spec_opt_i64 oom_score_adj;
	char *selinux_label;
	struct spec_scheduler *scheduler; /* NULL when absent */
	struct spec_io_priority *io_priority;
	struct spec_cpu_affinity *exec_cpu_affinity;
	struct spec_landlock *landlock; /* NULL when absent */
};

/* ---- root, mounts --------------------------------------------------- */

struct spec_root {
	char *path;
	bool readonly;
};

struct spec_mount {
	char *destination;
	char *type;   /* may be NULL */
	char *source; /* may be NULL */
	char **options; /* NULL-terminated, as written; runtime/rootfs.c interprets */
	size_t n_options;
	struct spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
};

/* ---- hooks ---------------------------------------------------------- */

enum spec_hook_kind {
	SPEC_HOOK_PRESTART,
	SPEC_HOOK_CREATE_RUNTIME,
	SPEC_HOOK_CREATE_CONTAINER,
	SPEC_HOOK_START_CONTAINER,
	SPEC_HOOK_POSTSTART,
	SPEC_HOOK_POSTSTOP,
	SPEC_HOOK_COUNT
};

struct spec_hook {
	char *path;
	char **args; /* NULL-terminated, may be NULL */
	size_t n_args;
	char **env; /* NULL-terminated, may be NULL */
	size_t n_env;
	bool has_timeout;
	int64_t timeout; /* seconds, > 0 */
};

struct spec_hooks {
	struct spec_hook *list[SPEC_HOOK_COUNT];
	size_t n[SPEC_HOOK_COUNT];
};

/* JSON name of a hook kind ("createRuntime"). */
const char *spec_hook_kind_name(enum spec_hook_kind kind);

/* ---- linux ---------------------------------------------------------- */

enum spec_ns_type {
	SPEC_NS_PID,
	SPEC_NS_NETWORK,
	SPEC_NS_MOUNT,
	SPEC_NS_IPC,
	SPEC_NS_UTS,
	SPEC_NS_USER,
	SPEC_NS_CGROUP,
	SPEC_NS_TIME,
	SPEC_NS_COUNT
};

struct spec_namespace {
	enum spec_ns_type type;
	char *path; /* NULL: create a new one */
};

/* "pid", "network", ...  and the CLONE_NEW* flag of a type. */
const char *spec_ns_name(enum spec_ns_type type);
int spec_ns_clone_flag(enum spec_ns_type type);

struct spec_device {
	char *path;
	char type; /* 'c', 'b', 'u', 'p' */
	int64_t major;
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
};

struct spec_device_rule {
	bool allow;
	char type;     /* 'a', 'c', 'b' ('a' when absent) */
	int64_t major; /* -1: wildcard (absent) */
	int64_t minor; /* -1: wildcard */
	char *access;  /* subset of "rwm"; NULL = "rwm" */
};

struct spec_weight_device {
	int64_t major;
	int64_t minor;
	struct spec_opt_u64 weight;
	struct spec_opt_u64 leaf_weight;
};

struct spec_throttle_device {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};

struct spec_hugepage_limit {
	char *page_size; /* "2MB" */
	uint64_t limit;
};

struct spec_net_priority {
	char *name;
	uint32_t priority;
};

struct spec_rdma {
	char *device;
	struct spec_opt_u64 hca_handles;
	struct spec_opt_u64 hca_objects;
};

struct spec_resources {
	struct spec_device_rule *devices;
	size_t n_devices;

	bool has_memory;
	struct {
		struct spec_opt_i64 limit;
		struct spec_opt_i64 reservation;
		struct spec_opt_i64 swap;
		struct spec_opt_i64 kernel;
		struct spec_opt_i64 kernel_tcp;
		struct spec_opt_u64 swappiness;
		struct spec_opt_bool disable_oom_killer;
		struct spec_opt_bool use_hierarchy;
		struct spec_opt_bool check_before_update;
	} memory;

	bool has_cpu;
	struct {
		struct spec_opt_u64 shares;
		struct spec_opt_i64 quota;
		struct spec_opt_u64 burst;
		struct spec_opt_u64 period;
		struct spec_opt_i64 realtime_runtime;
		struct spec_opt_u64 realtime_period;
		char *cpus;
		char *mems;
		struct spec_opt_i64 idle;
	} cpu;

	bool has_pids;
	struct spec_opt_i64 pids_limit;

	bool has_block_io;
	struct {
		struct spec_opt_u64 weight;
		struct spec_opt_u64 leaf_weight;
		struct spec_weight_device *weight_device;
		size_t n_weight_device;
		struct spec_throttle_device *throttle_read_bps;
		size_t n_throttle_read_bps;
		struct spec_throttle_device *throttle_write_bps;
		size_t n_throttle_write_bps;
		struct spec_throttle_device *throttle_read_iops;
		size_t n_throttle_read_iops;
		struct spec_throttle_device *throttle_write_iops;
		size_t n_throttle_write_iops;
	} block_io;

	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;

	bool has_network;
	struct {
		struct spec_opt_u64 class_id;
		struct spec_net_priority *priorities;
		size_t n_priorities;
	} network;

	struct spec_rdma *rdma;
	size_t n_rdma;

	struct spec_kv *unified;
	size_t n_unified;
};

enum spec_seccomp_action {
	SPEC_SCMP_KILL, /* SCMP_ACT_KILL (= KILL_THREAD) */
	SPEC_SCMP_KILL_PROCESS,
	SPEC_SCMP_KILL_THREAD,
	SPEC_SCMP_TRAP,
	SPEC_SCMP_ERRNO,
	SPEC_SCMP_TRACE,
	SPEC_SCMP_ALLOW,
	SPEC_SCMP_LOG,
	SPEC_SCMP_NOTIFY,
};

enum spec_seccomp_op {
	SPEC_SCMP_CMP_NE,
	SPEC_SCMP_CMP_LT,
	SPEC_SCMP_CMP_LE,
	SPEC_SCMP_CMP_EQ,
	SPEC_SCMP_CMP_GE,
	SPEC_SCMP_CMP_GT,
	SPEC_SCMP_CMP_MASKED_EQ,
};

struct spec_seccomp_arg {
	uint32_t index;
	uint64_t value;
	uint64_t value_two;
	enum spec_seccomp_op op;
};

struct spec_seccomp_syscall {
	char **names; /* NULL-terminated */
	size_t n_names;
	enum spec_seccomp_action action;
	struct spec_opt_u64 errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	enum spec_seccomp_action default_action;
	struct spec_opt_u64 default_errno_ret;
	char **architectures; /* "SCMP_ARCH_X86_64", validated against the known list */
	size_t n_architectures;
	char **flags; /* "SECCOMP_FILTER_FLAG_LOG", validated */
	size_t n_flags;
	char *listener_path;
	char *listener_metadata;
	struct spec_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct spec_personality {
	char *domain; /* "LINUX" or "LINUX32" */
	char **flags;
	size_t n_flags;
};

struct spec_time_offset {
	char *clock; /* "monotonic" or "boottime" */
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_net_device {
	char *host_name; /* the map key: interface name on the host */
	char *name;      /* name inside the container; NULL = same */
};

struct spec_memory_policy {
	char *mode; /* "MPOL_INTERLEAVE", ... */
	char *nodes;
	char **flags;
	size_t n_flags;
};

struct spec_intel_rdt {
	char *clos_id;
	char *l3_cache_schema;
	char *mem_bw_schema;
	bool enable_cmt;
	bool enable_mbm;
	char **schemata; /* NULL-terminated, may be NULL */
	size_t n_schemata;
	bool enable_monitoring;
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
	struct spec_time_offset *time_offsets;
	size_t n_time_offsets;
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path;
	struct spec_resources *resources; /* NULL when absent */
	struct spec_seccomp *seccomp;     /* NULL when absent */
	struct spec_kv *sysctl;
	size_t n_sysctl;
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *rootfs_propagation; /* "shared", "slave", "private", "unbindable", "r..." */
	char *mount_label;
	struct spec_personality *personality;
	struct spec_net_device *net_devices;
	size_t n_net_devices;
	struct spec_memory_policy *memory_policy;
	struct spec_intel_rdt *intel_rdt;
};

/* ---- the whole config ------------------------------------------------ */

struct spec {
	char *oci_version;
	struct spec_root *root; /* NULL when absent */
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_process *process; /* NULL when absent */
	char *hostname;
	char *domainname;
	struct spec_hooks hooks;
	struct spec_kv *annotations;
	size_t n_annotations;
	struct spec_linux *linux_; /* NULL when absent */
	/* annotations["io.github.leeward.landlock"], parsed; NULL when absent */
	struct spec_landlock *landlock_annotation;
	char **warnings; /* what was accepted with a warning, NULL-terminated */
	size_t n_warnings;
};

/* Parse config.json text. On failure returns -1 and *errmsg is a malloc'd
 * "<path>: <problem>" (for malformed JSON, the yajl message with position).
 * Validates types, enums, ranges and cross-field rules that are decidable
 * from the document alone (duplicate namespace types, path formats, etc.). */
int spec_parse(const char *json, size_t len, struct spec **out, char **errmsg);
/* Read and parse a file; errmsg is prefixed by nothing (the caller adds
 * "config.json: "). */
int spec_load(const char *path, struct spec **out, char **errmsg);
/* A process object alone (exec --process FILE). */
int spec_parse_process(const char *json, size_t len, struct spec_process **out, char **errmsg);
int spec_load_process(const char *path, struct spec_process **out, char **errmsg);
/* A linux.resources object alone (update -r FILE). */
int spec_parse_resources(const char *json, size_t len, struct spec_resources **out, char **errmsg);

void spec_free(struct spec *s);
void spec_process_free(struct spec_process *p);
void spec_resources_free(struct spec_resources *r);

/* Lookups. */
const struct spec_namespace *spec_namespace(const struct spec *s, enum spec_ns_type type);
const char *spec_annotation(const struct spec *s, const char *key);
/* Landlock right names ("read_file", "bind_tcp", "signal") of a mask, for
 * messages: the name of bit `bit` of the fs / net / scope set, or NULL. */
const char *spec_landlock_fs_name(int bit);
const char *spec_landlock_net_name(int bit);
const char *spec_landlock_scope_name(int bit);
void spec_landlock_free(struct spec_landlock *l);
/* Capability number from "CAP_SYS_ADMIN", -1 if unknown; and the reverse. */
int spec_cap_from_name(const char *name);
const char *spec_cap_name(int cap);
/* Highest capability number the parser knows. */
int spec_cap_last(void);
/* RLIMIT_* number from "RLIMIT_NOFILE", -1 if unknown. */
int spec_rlimit_from_name(const char *name);
/* "SCMP_ACT_ERRNO", "SCMP_CMP_EQ": the JSON names of the seccomp enums. */
const char *spec_seccomp_action_name(enum spec_seccomp_action action);
const char *spec_seccomp_op_name(enum spec_seccomp_op op);

/* ---- generators (malloc'd JSON text, caller frees) ------------------- */

/* `leeward spec`: runc's default config; rootless adds a user namespace
 * mapping uid/gid to root and drops what an unprivileged user cannot do,
 * as `runc spec --rootless` does. */
char *spec_generate_default(bool rootless, uid_t uid, gid_t gid);

/* `leeward features` (features.md, validates against features-schema.json). */
/* landlock_abi: the kernel's Landlock ABI (0: none), in the annotations. */
char *spec_generate_features(const char *version, int landlock_abi);

/* The OCI state object (runtime.md "State"), with runc's extra fields.
 * Fields may be NULL/0 to be left out (pid 0 is omitted). */
struct spec_state {
	const char *oci_version;
	const char *id;
	const char *status; /* creating, created, running, stopped, paused */
	pid_t pid;
	const char *bundle;
	const char *rootfs;
	const char *created; /* RFC3339 */
	const char *owner;
	const struct spec_kv *annotations;
	size_t n_annotations;
};
/* pretty: indented as runc prints `state` */
char *spec_generate_state(const struct spec_state *st, bool pretty);

/* JSON string escaping helper for callers that write small JSON by hand. */
char *spec_json_quote(const char *s);

#endif
