/* Name tables: capabilities, rlimits, namespaces, seccomp, scheduler,
 * ioPriority, memory policy, propagation. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "../runtime/cleanup.h"
#include "internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

int spec_name_lookup(const struct spec_name *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].value;
	return -1;
}

bool spec_str_in(const char *const *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i], s) == 0)
			return true;
	return false;
}

/* ---- capabilities: index = CAP_* number (linux/capability.h) ---------- */

static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

int spec_cap_from_name(const char *name)
{
	if (strncmp(name, "CAP_", 4) != 0)
		return -1;
	for (size_t i = 0; i < LW_ARRAY_SIZE(cap_names); i++)
		if (strcmp(cap_names[i] + 4, name + 4) == 0)
			return (int)i;
	return -1;
}

const char *spec_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= LW_ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

int spec_cap_last(void)
{
	return (int)LW_ARRAY_SIZE(cap_names) - 1;
}

/* ---- rlimits ------------------------------------------------------------ */

const struct spec_name spec_rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};
const size_t spec_n_rlimit_names = LW_ARRAY_SIZE(spec_rlimit_names);

int spec_rlimit_from_name(const char *name)
{
	return spec_name_lookup(spec_rlimit_names, spec_n_rlimit_names, name);
}

/* ---- namespaces: index = enum spec_ns_type ------------------------------ */

static const struct {
	const char *name;
	int flag;
} ns_table[SPEC_NS_COUNT] = {
	[SPEC_NS_PID] = { "pid", CLONE_NEWPID },
	[SPEC_NS_NETWORK] = { "network", CLONE_NEWNET },
	[SPEC_NS_MOUNT] = { "mount", CLONE_NEWNS },
	[SPEC_NS_IPC] = { "ipc", CLONE_NEWIPC },
	[SPEC_NS_UTS] = { "uts", CLONE_NEWUTS },
	[SPEC_NS_USER] = { "user", CLONE_NEWUSER },
	[SPEC_NS_CGROUP] = { "cgroup", CLONE_NEWCGROUP },
	[SPEC_NS_TIME] = { "time", CLONE_NEWTIME },
};

const char *spec_ns_name(enum spec_ns_type type)
{
	return (unsigned)type < SPEC_NS_COUNT ? ns_table[type].name : NULL;
}

int spec_ns_clone_flag(enum spec_ns_type type)
{
	return (unsigned)type < SPEC_NS_COUNT ? ns_table[type].flag : 0;
}

int spec_ns_from_name(const char *name)
{
	for (int i = 0; i < SPEC_NS_COUNT; i++)
		if (strcmp(ns_table[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- hooks --------------------------------------------------------------- */

static const char *const hook_names[SPEC_HOOK_COUNT] = {
	[SPEC_HOOK_PRESTART] = "prestart",
	[SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
	[SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
	[SPEC_HOOK_START_CONTAINER] = "startContainer",
	[SPEC_HOOK_POSTSTART] = "poststart",
	[SPEC_HOOK_POSTSTOP] = "poststop",
};

const char *spec_hook_kind_name(enum spec_hook_kind kind)
{
	return (unsigned)kind < SPEC_HOOK_COUNT ? hook_names[kind] : NULL;
}

/* ---- scheduler (linux/sched.h values) ----------------------------------- */

const struct spec_name spec_sched_policy_names[] = {
	{ "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 },  { "SCHED_RR", 2 },	     { "SCHED_BATCH", 3 },
	{ "SCHED_ISO", 4 },   { "SCHED_IDLE", 5 },  { "SCHED_DEADLINE", 6 },
};
const size_t spec_n_sched_policy_names = LW_ARRAY_SIZE(spec_sched_policy_names);

const struct spec_name spec_sched_flag_names[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
	{ "SCHED_FLAG_DL_OVERRUN", 0x04 },    { "SCHED_FLAG_KEEP_POLICY", 0x08 },
	{ "SCHED_FLAG_KEEP_PARAMS", 0x10 },   { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};
const size_t spec_n_sched_flag_names = LW_ARRAY_SIZE(spec_sched_flag_names);

const struct spec_name spec_ioprio_class_names[] = {
	{ "IOPRIO_CLASS_RT", 1 },
	{ "IOPRIO_CLASS_BE", 2 },
	{ "IOPRIO_CLASS_IDLE", 3 },
};
const size_t spec_n_ioprio_class_names = LW_ARRAY_SIZE(spec_ioprio_class_names);

/* ---- seccomp -------------------------------------------------------------- */

const struct spec_name spec_scmp_action_names[] = {
	{ "SCMP_ACT_KILL", SPEC_SCMP_KILL },   { "SCMP_ACT_KILL_PROCESS", SPEC_SCMP_KILL_PROCESS },
	{ "SCMP_ACT_KILL_THREAD", SPEC_SCMP_KILL_THREAD },
	{ "SCMP_ACT_TRAP", SPEC_SCMP_TRAP },   { "SCMP_ACT_ERRNO", SPEC_SCMP_ERRNO },
	{ "SCMP_ACT_TRACE", SPEC_SCMP_TRACE }, { "SCMP_ACT_ALLOW", SPEC_SCMP_ALLOW },
	{ "SCMP_ACT_LOG", SPEC_SCMP_LOG },     { "SCMP_ACT_NOTIFY", SPEC_SCMP_NOTIFY },
};
const size_t spec_n_scmp_action_names = LW_ARRAY_SIZE(spec_scmp_action_names);

const struct spec_name spec_scmp_op_names[] = {
	{ "SCMP_CMP_NE", SPEC_SCMP_CMP_NE }, { "SCMP_CMP_LT", SPEC_SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SPEC_SCMP_CMP_LE }, { "SCMP_CMP_EQ", SPEC_SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SPEC_SCMP_CMP_GE }, { "SCMP_CMP_GT", SPEC_SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SPEC_SCMP_CMP_MASKED_EQ },
};
const size_t spec_n_scmp_op_names = LW_ARRAY_SIZE(spec_scmp_op_names);

static const char *name_of(const struct spec_name *t, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

const char *spec_seccomp_action_name(enum spec_seccomp_action action)
{
	return name_of(spec_scmp_action_names, spec_n_scmp_action_names, (int)action);
}

const char *spec_seccomp_op_name(enum spec_seccomp_op op)
{
	return name_of(spec_scmp_op_names, spec_n_scmp_op_names, (int)op);
}

/* Every architecture of the runtime-spec; which ones the installed
 * libseccomp resolves is runtime/seccomp.c's business. */
const char *const spec_scmp_arch_names[] = {
	"SCMP_ARCH_X86",	 "SCMP_ARCH_X86_64",	 "SCMP_ARCH_X32",     "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64",	 "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",    "SCMP_ARCH_MIPS",
	"SCMP_ARCH_MIPS64",	 "SCMP_ARCH_MIPS64N32",	 "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
	"SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",	 "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",
	"SCMP_ARCH_S390",	 "SCMP_ARCH_S390X",	 "SCMP_ARCH_SH",      "SCMP_ARCH_SHEB",
	"SCMP_ARCH_PARISC",	 "SCMP_ARCH_PARISC64",	 "SCMP_ARCH_RISCV64",
};
const size_t spec_n_scmp_arch_names = LW_ARRAY_SIZE(spec_scmp_arch_names);

const char *const spec_scmp_flag_names[] = {
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};
const size_t spec_n_scmp_flag_names = LW_ARRAY_SIZE(spec_scmp_flag_names);

/* ---- memory policy, propagation ----------------------------------------- */

const char *const spec_mpol_mode_names[] = {
	"MPOL_DEFAULT",	  "MPOL_BIND",		 "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
	"MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",
};
const size_t spec_n_mpol_mode_names = LW_ARRAY_SIZE(spec_mpol_mode_names);

const char *const spec_mpol_flag_names[] = {
	"MPOL_F_NUMA_BALANCING",
	"MPOL_F_RELATIVE_NODES",
	"MPOL_F_STATIC_NODES",
};
const size_t spec_n_mpol_flag_names = LW_ARRAY_SIZE(spec_mpol_flag_names);

/* The schema lists four; runc also takes the recursive forms. */
const char *const spec_propagation_names[] = {
	"private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable",
};
const size_t spec_n_propagation_names = LW_ARRAY_SIZE(spec_propagation_names);
