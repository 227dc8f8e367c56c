/* JSON that leeward writes: the default config (`spec`), `features`, the
 * state object (`state`), and a string quoting helper.  yajl_gen does the
 * formatting; the shapes follow runc's output. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <yajl/yajl_gen.h>

#include "../runtime/cleanup.h"
#include "internal.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define SPEC_OCI_VERSION_MIN "1.0.0"

/* ---- small yajl_gen wrappers (errors are checked once, at the end) ---- */

static void g_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void g_kstr(yajl_gen g, const char *k, const char *v)
{
	g_str(g, k);
	g_str(g, v);
}

static void g_kbool(yajl_gen g, const char *k, bool v)
{
	g_str(g, k);
	yajl_gen_bool(g, v);
}

static void g_kint(yajl_gen g, const char *k, long long v)
{
	g_str(g, k);
	yajl_gen_integer(g, v);
}

static void g_strs(yajl_gen g, const char *k, const char *const *v, size_t n)
{
	g_str(g, k);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		g_str(g, v[i]);
	yajl_gen_array_close(g);
}

static void g_kobj_bool(yajl_gen g, const char *k, const char *k2, bool v)
{
	g_str(g, k);
	yajl_gen_map_open(g);
	g_kbool(g, k2, v);
	yajl_gen_map_close(g);
}

static yajl_gen g_new(const char *indent)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g)
		return NULL;
	if (indent) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, indent);
	}
	return g;
}

/* Take the text out of g and free g.  NULL if any generation step failed
 * (yajl_gen keeps its state; a bad step leaves the document incomplete). */
static char *g_finish(yajl_gen g, bool complete)
{
	const unsigned char *buf;
	size_t len;
	char *out = NULL;
	if (complete && yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
		/* yajl ends a beautified document with a newline; callers add their own */
		while (len && buf[len - 1] == '\n')
			len--;
		out = strndup((const char *)buf, len);
	}
	yajl_gen_free(g);
	return out;
}

/* The document is complete when the generator refuses one more value at the
 * top level. */
static bool g_done(yajl_gen g)
{
	return yajl_gen_null(g) == yajl_gen_generation_complete;
}

/* ---- `spec` ------------------------------------------------------------- */

struct default_mount {
	const char *dest, *type, *source;
	const char *opts[8];
};

static const struct default_mount default_mounts[] = {
	{ "/proc", "proc", "proc", { NULL } },
	{ "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
	{ "/dev/pts",
	  "devpts",
	  "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
	{ "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
	{ "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
	{ "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro" } },
	{ "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro" } },
};

static const char *const default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL",
					    "CAP_NET_BIND_SERVICE" };
static const char *const default_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"TERM=xterm",
};
static const char *const default_masked[] = {
	"/proc/acpi",	    "/proc/asound",	"/proc/kcore",	     "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/sys/firmware",	"/proc/scsi",	"/sys/devices/virtual/tpm",
};
static const char *const default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static void g_mount(yajl_gen g, const struct default_mount *m, bool rootless)
{
	yajl_gen_map_open(g);
	g_kstr(g, "destination", m->dest);
	if (rootless && strcmp(m->dest, "/sys") == 0) {
		/* an unprivileged user cannot mount sysfs: bind the host's */
		static const char *const o[] = { "rbind", "nosuid", "noexec", "nodev", "ro" };
		g_kstr(g, "type", "none");
		g_kstr(g, "source", "/sys");
		g_strs(g, "options", o, LW_ARRAY_SIZE(o));
		yajl_gen_map_close(g);
		return;
	}
	g_kstr(g, "type", m->type);
	g_kstr(g, "source", m->source);
	if (m->opts[0]) {
		g_str(g, "options");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < LW_ARRAY_SIZE(m->opts) && m->opts[i]; i++) {
			/* uid=/gid= need the ids to exist in the user namespace */
			if (rootless && (!strncmp(m->opts[i], "gid=", 4) ||
					 !strncmp(m->opts[i], "uid=", 4)))
				continue;
			g_str(g, m->opts[i]);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

static void g_id_map(yajl_gen g, const char *k, uint32_t host)
{
	g_str(g, k);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	g_kint(g, "containerID", 0);
	g_kint(g, "hostID", host);
	g_kint(g, "size", 1);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

static bool cgroup2_unified(void)
{
	struct statfs st;
	return statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

char *spec_generate_default(bool rootless, uid_t uid, gid_t gid)
{
	yajl_gen g = g_new("\t");
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	g_kstr(g, "ociVersion", SPEC_OCI_VERSION);

	g_str(g, "process");
	yajl_gen_map_open(g);
	g_kbool(g, "terminal", true);
	g_str(g, "user");
	yajl_gen_map_open(g);
	g_kint(g, "uid", 0);
	g_kint(g, "gid", 0);
	yajl_gen_map_close(g);
	static const char *const args[] = { "sh" };
	g_strs(g, "args", args, 1);
	g_strs(g, "env", default_env, LW_ARRAY_SIZE(default_env));
	g_kstr(g, "cwd", "/");
	g_str(g, "capabilities");
	yajl_gen_map_open(g);
	g_strs(g, "bounding", default_caps, LW_ARRAY_SIZE(default_caps));
	g_strs(g, "effective", default_caps, LW_ARRAY_SIZE(default_caps));
	g_strs(g, "permitted", default_caps, LW_ARRAY_SIZE(default_caps));
	yajl_gen_map_close(g);
	g_str(g, "rlimits");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	g_kstr(g, "type", "RLIMIT_NOFILE");
	g_kint(g, "hard", 1024);
	g_kint(g, "soft", 1024);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	g_kbool(g, "noNewPrivileges", true);
	yajl_gen_map_close(g);

	g_str(g, "root");
	yajl_gen_map_open(g);
	g_kstr(g, "path", "rootfs");
	g_kbool(g, "readonly", true);
	yajl_gen_map_close(g);
	g_kstr(g, "hostname", "runc");

	g_str(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < LW_ARRAY_SIZE(default_mounts); i++)
		g_mount(g, &default_mounts[i], rootless);
	yajl_gen_array_close(g);

	g_str(g, "linux");
	yajl_gen_map_open(g);
	if (rootless) {
		g_id_map(g, "uidMappings", (uint32_t)uid);
		g_id_map(g, "gidMappings", (uint32_t)gid);
	} else {
		g_str(g, "resources");
		yajl_gen_map_open(g);
		g_str(g, "devices");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		g_kbool(g, "allow", false);
		g_kstr(g, "access", "rwm");
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	g_str(g, "namespaces");
	yajl_gen_array_open(g);
	static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount" };
	for (size_t i = 0; i < LW_ARRAY_SIZE(ns); i++) {
		if (rootless && strcmp(ns[i], "network") == 0)
			continue; /* no way to give it connectivity unprivileged */
		yajl_gen_map_open(g);
		g_kstr(g, "type", ns[i]);
		yajl_gen_map_close(g);
	}
	if (cgroup2_unified()) {
		yajl_gen_map_open(g);
		g_kstr(g, "type", "cgroup");
		yajl_gen_map_close(g);
	}
	if (rootless) {
		yajl_gen_map_open(g);
		g_kstr(g, "type", "user");
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	g_strs(g, "maskedPaths", default_masked, LW_ARRAY_SIZE(default_masked));
	g_strs(g, "readonlyPaths", default_readonly, LW_ARRAY_SIZE(default_readonly));
	yajl_gen_map_close(g);

	yajl_gen_map_close(g);
	return g_finish(g, g_done(g));
}

/* ---- `features` ---------------------------------------------------------- */

/* What runc documents as its mount options; runtime/rootfs.c knows them. */
static const char *const mount_options[] = {
	"acl",	       "async",	      "atime",	    "bind",	    "defaults",	     "dev",
	"diratime",    "dirsync",     "exec",	    "iversion",	    "lazytime",	     "loud",
	"mand",	       "noacl",	      "noatime",    "nodev",	    "nodiratime",    "noexec",
	"noiversion",  "nolazytime",  "nomand",	    "norelatime",   "nostrictatime", "nosuid",
	"nosymfollow", "private",     "ratime",	    "rbind",	    "rdev",	     "rdiratime",
	"relatime",    "remount",     "rexec",	    "rnoatime",	    "rnodev",	     "rnodiratime",
	"rnoexec",     "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro",
	"rprivate",    "rrelatime",   "rro",	    "rrw",	    "rshared",	     "rslave",
	"rstrictatime", "rsuid",      "rsymfollow", "runbindable",  "rw",	     "shared",
	"silent",      "slave",	      "strictatime", "suid",	    "symfollow",     "sync",
	"tmpcopyup",   "unbindable",
};

/* Architectures libseccomp 2.5.4 resolves (the Debian 12 version). */
static const char *const scmp_archs_2_5_4[] = {
	"SCMP_ARCH_AARCH64",	 "SCMP_ARCH_ARM",	   "SCMP_ARCH_MIPS",	 "SCMP_ARCH_MIPS64",
	"SCMP_ARCH_MIPS64N32",	 "SCMP_ARCH_MIPSEL",	   "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
	"SCMP_ARCH_PARISC",	 "SCMP_ARCH_PARISC64",	   "SCMP_ARCH_PPC",	 "SCMP_ARCH_PPC64",
	"SCMP_ARCH_PPC64LE",	 "SCMP_ARCH_RISCV64",	   "SCMP_ARCH_S390",	 "SCMP_ARCH_S390X",
	"SCMP_ARCH_X32",	 "SCMP_ARCH_X86",	   "SCMP_ARCH_X86_64",
};

/* WAIT_KILLABLE_RECV needs libseccomp 2.6. */
static const char *const scmp_supported_flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
};

char *spec_generate_features(const char *version, int landlock_abi)
{
	yajl_gen g = g_new("    ");
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	g_kstr(g, "ociVersionMin", SPEC_OCI_VERSION_MIN);
	g_kstr(g, "ociVersionMax", SPEC_OCI_VERSION);
	g_str(g, "hooks");
	yajl_gen_array_open(g);
	for (int k = 0; k < SPEC_HOOK_COUNT; k++)
		g_str(g, spec_hook_kind_name(k));
	yajl_gen_array_close(g);
	g_strs(g, "mountOptions", mount_options, LW_ARRAY_SIZE(mount_options));

	g_str(g, "linux");
	yajl_gen_map_open(g);
	g_str(g, "namespaces");
	yajl_gen_array_open(g);
	static const enum spec_ns_type ns_sorted[] = { SPEC_NS_CGROUP, SPEC_NS_IPC,	SPEC_NS_MOUNT,
						       SPEC_NS_NETWORK, SPEC_NS_PID,	SPEC_NS_TIME,
						       SPEC_NS_USER,	SPEC_NS_UTS };
	for (size_t i = 0; i < LW_ARRAY_SIZE(ns_sorted); i++)
		g_str(g, spec_ns_name(ns_sorted[i]));
	yajl_gen_array_close(g);
	g_str(g, "capabilities");
	yajl_gen_array_open(g);
	for (int cap = 0; cap <= spec_cap_last(); cap++)
		g_str(g, spec_cap_name(cap));
	yajl_gen_array_close(g);

	g_str(g, "cgroup");
	yajl_gen_map_open(g);
	g_kbool(g, "v1", true);
	g_kbool(g, "v2", true);
	g_kbool(g, "systemd", false);
	g_kbool(g, "systemdUser", false);
	g_kbool(g, "rdma", false);
	yajl_gen_map_close(g);

	g_str(g, "seccomp");
	yajl_gen_map_open(g);
	g_kbool(g, "enabled", true);
	g_str(g, "actions");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < spec_n_scmp_action_names; i++)
		g_str(g, spec_scmp_action_names[i].name);
	yajl_gen_array_close(g);
	g_str(g, "operators");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < spec_n_scmp_op_names; i++)
		g_str(g, spec_scmp_op_names[i].name);
	yajl_gen_array_close(g);
	g_strs(g, "archs", scmp_archs_2_5_4, LW_ARRAY_SIZE(scmp_archs_2_5_4));
	g_strs(g, "knownFlags", spec_scmp_flag_names, spec_n_scmp_flag_names);
	g_strs(g, "supportedFlags", scmp_supported_flags, LW_ARRAY_SIZE(scmp_supported_flags));
	yajl_gen_map_close(g);

	g_kobj_bool(g, "apparmor", "enabled", false);
	g_kobj_bool(g, "selinux", "enabled", false);
	g_kobj_bool(g, "intelRdt", "enabled", false);
	g_str(g, "mountExtensions");
	yajl_gen_map_open(g);
	g_kobj_bool(g, "idmap", "enabled", true);
	yajl_gen_map_close(g);
	g_kobj_bool(g, "netDevices", "enabled", false);
	yajl_gen_map_close(g);

	g_str(g, "annotations");
	yajl_gen_map_open(g);
	g_kstr(g, "io.github.leeward.version", version ? version : "unknown");
	{
		/* process.landlock and its annotation are read; this is what
		 * the running kernel enforces of them */
		char abi[16];
		snprintf(abi, sizeof(abi), "%d", landlock_abi);
		g_kstr(g, "io.github.leeward.landlock.abi", abi);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return g_finish(g, g_done(g));
}

/* ---- `state` ---------------------------------------------------------------- */

char *spec_generate_state(const struct spec_state *st, bool pretty)
{
	yajl_gen g = g_new(pretty ? "  " : NULL);
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	if (st->oci_version)
		g_kstr(g, "ociVersion", st->oci_version);
	if (st->id)
		g_kstr(g, "id", st->id);
	if (st->pid > 0)
		g_kint(g, "pid", st->pid);
	if (st->status)
		g_kstr(g, "status", st->status);
	if (st->bundle)
		g_kstr(g, "bundle", st->bundle);
	if (st->rootfs)
		g_kstr(g, "rootfs", st->rootfs);
	if (st->created)
		g_kstr(g, "created", st->created);
	if (st->owner)
		g_kstr(g, "owner", st->owner);
	if (st->annotations && st->n_annotations) {
		g_str(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < st->n_annotations; i++)
			g_kstr(g, st->annotations[i].key, st->annotations[i].value);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	return g_finish(g, g_done(g));
}

/* ---- quoting -------------------------------------------------------------- */

char *spec_json_quote(const char *s)
{
	size_t n = 2;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += *p < 0x20 ? 6 : (*p == '"' || *p == '\\') ? 2 : 1;
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			*o++ = '\\';
			*o++ = (char)*p;
		} else if (*p < 0x20) {
			o += sprintf(o, "\\u%04x", *p);
		} else {
			*o++ = (char)*p;
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}
