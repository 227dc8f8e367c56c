/* Unit tests of spec/: the runtime-spec schema examples, one test per kind
 * of error message, optional-field semantics, the generators.
 *
 * Run from anywhere; the schema examples are found through $OCI_SPEC_DIR
 * (the runtime-spec checkout or its schema/ folder), else
 * ../shared/oci-runtime-spec relative to the repository root. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "spec/spec.h"
#include "tests/unit/unit.h"
#include "tests/unit/spec_cases.h"

/* ---- schema examples ------------------------------------------------------ */

struct exception {
	const char *file;
	const char *reason;
};

/* Examples whose verdict differs from ours on purpose. */
static const struct exception schema_exceptions[] = {
	{ "config/bad/freebsd-vnet-disable.json",
	  "bad only for FreeBSD (freebsd.jail.vnet); the freebsd object is ignored on Linux" },
	{ "config/good/freebsd-example.json",
	  "FreeBSD example without process.user, which config.md makes REQUIRED on POSIX "
	  "platforms and leeward requires" },
};

static const char *exception_for(const char *rel)
{
	for (size_t i = 0; i < sizeof(schema_exceptions) / sizeof(schema_exceptions[0]); i++)
		if (strcmp(schema_exceptions[i].file, rel) == 0)
			return schema_exceptions[i].reason;
	return NULL;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool find_schema_tests(char *out, size_t n)
{
	const char *env = getenv("OCI_SPEC_DIR");
	if (env) {
		snprintf(out, n, "%s/schema/test", env);
		if (is_dir(out))
			return true;
		snprintf(out, n, "%s/test", env);
		return is_dir(out);
	}
	/* from the repo root, then from build/tests/<binary> up to the root */
	snprintf(out, n, "../shared/oci-runtime-spec/schema/test");
	if (is_dir(out))
		return true;
	char exe[PATH_MAX - 64];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return false;
	exe[len] = '\0';
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			return false;
		*slash = '\0';
		snprintf(out, n, "%s/../shared/oci-runtime-spec/schema/test", exe);
		if (is_dir(out))
			return true;
	}
	return false;
}

static int run_schema_dir(const char *base, const char *sub, bool good)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/%s", base, sub);
	DIR *d = opendir(dir);
	if (!d) {
		CHECK(0, "cannot open %s", dir);
		return 0;
	}
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
			continue;
		char path[PATH_MAX * 2], rel[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(rel, sizeof(rel), "%s/%s", sub, e->d_name);
		struct spec *s = NULL;
		char *err = NULL;
		int r = spec_load(path, &s, &err);
		bool ok = good ? r == 0 : r != 0;
		const char *why = exception_for(rel);
		if (why)
			CHECK(!ok, "%s is listed as an exception (%s) but now behaves as the "
				   "schema says: remove the exception",
			      rel, why);
		else
			CHECK(ok, "%s: expected %s, got %s", rel, good ? "success" : "an error",
			      err ? err : "success");
		if (!good && r != 0)
			CHECK(err && *err, "%s: empty error message", rel);
		count++;
		spec_free(s);
		free(err);
	}
	closedir(d);
	return count;
}

static void test_schema_examples(void)
{
	char base[PATH_MAX];
	if (!find_schema_tests(base, sizeof(base))) {
		CHECK(0, "runtime-spec schema tests not found; set OCI_SPEC_DIR");
		return;
	}
	int n = run_schema_dir(base, "config/good", true);
	n += run_schema_dir(base, "config/bad", false);
	CHECK(n >= 10, "only %d schema examples found under %s", n, base);
}

/* ---- error messages -------------------------------------------------------- */

static void test_errors(void)
{
	/* syntax */
	char *err = NULL;
	struct spec *s = NULL;
	CHECK(spec_parse("{]", 2, &s, &err) < 0 && err && strstr(err, "invalid JSON") &&
		      strstr(err, "line 1, column 2"),
	      "malformed JSON: %s", err);
	free(err);
	err = NULL;
	CHECK(spec_parse("{\n  \"a\": tru }", 14, &s, &err) < 0 && err && strstr(err, "line 2"),
	      "malformed JSON on line 2: %s", err);
	free(err);
	err = NULL;
	CHECK(spec_parse("", 0, &s, &err) < 0 && err, "empty input must fail");
	free(err);
	PARSE_ERR("[1]", "expected a JSON object, got array");

	/* required fields */
	PARSE_ERR("{}", "ociVersion: missing required field");
	PARSE_ERR("{'ociVersion':'1.0.0','root':{}}", "root.path: missing required field");
	PARSE_ERR(CFG(",'process':{'user':{}}"), "process.cwd: missing required field");
	PARSE_ERR(CFG(",'process':{'cwd':'/'}"), "process.user: missing required field");
	PARSE_ERR(CFG(",'mounts':[{'type':'tmpfs'}]"), "mounts[0].destination: missing required field");
	PARSE_ERR(LNX("'namespaces':[{'type':'pid'},{'path':'/x'}]"),
		  "linux.namespaces[1].type: missing required field");
	PARSE_ERR(CFG(",'hooks':{'prestart':[{'args':['a']}]}"),
		  "hooks.prestart[0].path: missing required field");
	PARSE_ERR(PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':1}]"),
		  "process.rlimits[0].hard: missing required field");
	PARSE_ERR(LNX("'seccomp':{'syscalls':[]}"), "linux.seccomp.defaultAction: missing required field");
	PARSE_ERR(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read']}]}"),
		  "linux.seccomp.syscalls[0].action: missing required field");
	PARSE_ERR(LNX("'resources':{'pids':{}}"), "linux.resources.pids.limit: missing required field");
	PARSE_ERR(LNX("'resources':{'devices':[{'access':'rwm'}]}"),
		  "linux.resources.devices[0].allow: missing required field");
	PARSE_ERR(LNX("'devices':[{'path':'/dev/x','type':'c','major':1}]"),
		  "linux.devices[0].minor: missing required field");

	/* types */
	PARSE_ERR(LNX("'resources':{'memory':{'limit':'1G'}}"),
		  "linux.resources.memory.limit: expected an integer, got string");
	PARSE_ERR(LNX("'resources':{'memory':{'limit':1.5}}"),
		  "linux.resources.memory.limit: expected an integer, got 1.5");
	PARSE_ERR(CFG(",'hostname':7"), "hostname: expected a string, got number");
	PARSE_ERR(CFG(",'process':[]"), "process: expected an object, got array");
	PARSE_ERR(PROC(",'terminal':'yes'"), "process.terminal: expected a boolean, got string");
	PARSE_ERR(PROC(",'args':['sh',1]"), "process.args[1]: expected a string, got number");
	PARSE_ERR(CFG(",'annotations':{'a':1}"), "annotations.a: expected a string, got number");
	PARSE_ERR(LNX("'namespaces':{}"), "linux.namespaces: expected an array, got object");

	/* ranges */
	PARSE_ERR(CFG(",'process':{'cwd':'/','user':{'uid':4294967296,'gid':0}}"),
		  "process.user.uid: 4294967296 is out of range [0, 4294967295]");
	PARSE_ERR(CFG(",'process':{'cwd':'/','user':{'uid':-1,'gid':0}}"),
		  "process.user.uid: -1 is out of range [0, 4294967295]");
	PARSE_ERR(PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':18446744073709551616}]"),
		  "process.rlimits[0].hard: 18446744073709551616 is out of range [0, 18446744073709551615]");
	PARSE_ERR(LNX("'resources':{'memory':{'limit':9223372036854775808}}"),
		  "linux.resources.memory.limit: 9223372036854775808 is out of range "
		  "[-9223372036854775808, 9223372036854775807]");
	PARSE_ERR(LNX("'resources':{'blockIO':{'weight':65536}}"),
		  "linux.resources.blockIO.weight: 65536 is out of range [0, 65535]");
	PARSE_ERR(LNX("'uidMappings':[{'containerID':0,'hostID':1000,'size':0}]"),
		  "linux.uidMappings[0].size: must be greater than zero");
	PARSE_ERR(CFG(",'mounts':[{'destination':'/m','gidMappings':[{'containerID':0,'hostID':1,'size':-1}]}]"),
		  "mounts[0].gidMappings[0].size: -1 is out of range [0, 4294967295]");
	PARSE_ERR(CFG(",'hooks':{'poststop':[{'path':'/bin/true','timeout':0}]}"),
		  "hooks.poststop[0].timeout: must be greater than zero, got 0");
	PARSE_ERR(PROC(",'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}"),
		  "process.ioPriority.priority: 8 is out of range [0, 7]");
	PARSE_ERR(LNX("'timeOffsets':{'monotonic':{'secs':1,'nanosecs':1000000000}}"),
		  "linux.timeOffsets.monotonic.nanosecs: 1000000000 is out of range [0, 999999999]");

	/* enums */
	PARSE_ERR(LNX("'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'pdi'}]"),
		  "linux.namespaces[2].type: unknown namespace 'pdi'");
	PARSE_ERR(LNX("'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'uts'},{'type':'pid'}]"),
		  "linux.namespaces[3]: duplicate namespace 'pid'");
	/* unknown capability names: ignored with a warning, as runc */
	{
		struct spec *w = PARSE_OK(PROC(",'capabilities':{'bounding':['CAP_KILL','CAP_CHOWN','CAP_BPF','CAP_FOO']}"));
		CHECK(w && w->n_warnings == 1 &&
		      !strcmp(w->warnings[0],
			      "process.capabilities.bounding[3]: unknown capability \"CAP_FOO\" ignored"),
		      "unknown capability warning");
		CHECK(w && w->process->capabilities.bounding == ((1ULL << 5) | (1ULL << 0) | (1ULL << 39)),
		      "known capabilities kept");
		spec_free(w);
		w = PARSE_OK(PROC(",'capabilities':{'ambient':['cap_kill']}"));
		CHECK(w && w->n_warnings == 1 && w->process->capabilities.ambient == 0,
		      "lower-case name ignored");
		spec_free(w);
	}
	PARSE_ERR("{'ociVersion':'2.0.0','root':{'path':'rootfs'}}",
		  "ociVersion: unsupported version '2.0.0' (leeward implements 1.x)");
	PARSE_ERR(PROC(",'rlimits':[{'type':'RLIMIT_X','soft':1,'hard':1}]"),
		  "process.rlimits[0].type: unknown rlimit 'RLIMIT_X'");
	PARSE_ERR(PROC(",'rlimits':[{'type':'RLIMIT_CORE','soft':1,'hard':1},{'type':'RLIMIT_CORE','soft':1,'hard':1}]"),
		  "process.rlimits[1].type: duplicate rlimit 'RLIMIT_CORE'");
	PARSE_ERR(LNX("'seccomp':{'defaultAction':'SCMP_ACT_DENY'}"),
		  "linux.seccomp.defaultAction: unknown seccomp action 'SCMP_ACT_DENY'");
	PARSE_ERR(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_Z80']}"),
		  "linux.seccomp.architectures[1]: unknown seccomp architecture 'SCMP_ARCH_Z80'");
	PARSE_ERR(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_FOO']}"),
		  "linux.seccomp.flags[0]: unknown seccomp flag 'SECCOMP_FILTER_FLAG_FOO'");
	PARSE_ERR(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':1,'op':'SCMP_CMP_XX'}]}]}"),
		  "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator 'SCMP_CMP_XX'");
	PARSE_ERR(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],'action':'SCMP_ACT_ERRNO'}]}"),
		  "linux.seccomp.syscalls[0].names: must not be empty");
	PARSE_ERR(LNX("'devices':[{'path':'/dev/x','type':'x'}]"),
		  "linux.devices[0].type: unknown device type 'x'");
	PARSE_ERR(LNX("'resources':{'devices':[{'allow':true,'type':'p'}]}"),
		  "linux.resources.devices[0].type: unknown device type 'p'");
	PARSE_ERR(LNX("'resources':{'devices':[{'allow':true,'access':'rwx'}]}"),
		  "linux.resources.devices[0].access: invalid access 'rwx' (want letters of 'rwm')");
	PARSE_ERR(PROC(",'scheduler':{'policy':'SCHED_FAST'}"),
		  "process.scheduler.policy: unknown scheduler policy 'SCHED_FAST'");
	PARSE_ERR(PROC(",'scheduler':{'policy':'SCHED_OTHER','flags':['SCHED_FLAG_RECLAIM','X']}"),
		  "process.scheduler.flags[1]: unknown scheduler flag 'X'");
	PARSE_ERR(PROC(",'ioPriority':{'class':'IOPRIO_CLASS_NONE'}"),
		  "process.ioPriority.class: unknown ioPriority class 'IOPRIO_CLASS_NONE'");
	PARSE_ERR(LNX("'personality':{'domain':'LINUX64'}"),
		  "linux.personality.domain: unknown personality domain 'LINUX64'");
	PARSE_ERR(LNX("'rootfsPropagation':'rshare'"),
		  "linux.rootfsPropagation: unknown propagation 'rshare'");
	PARSE_ERR(LNX("'timeOffsets':{'realtime':{'secs':1}}"),
		  "linux.timeOffsets.realtime: unknown clock 'realtime'");
	PARSE_ERR(LNX("'memoryPolicy':{'mode':'MPOL_RANDOM'}"),
		  "linux.memoryPolicy.mode: unknown memory policy mode 'MPOL_RANDOM'");
	PARSE_ERR(LNX("'memoryPolicy':{'mode':'MPOL_BIND','flags':['MPOL_F_NOPE']}"),
		  "linux.memoryPolicy.flags[0]: unknown memory policy flag 'MPOL_F_NOPE'");
	PARSE_ERR(LNX("'resources':{'hugepageLimits':[{'pageSize':'64kB','limit':1}]}"),
		  "linux.resources.hugepageLimits[0].pageSize: invalid page size '64kB' (want e.g. '2MB')");
	PARSE_ERR(PROC(",'execCPUAffinity':{'initial':'0-3;7'}"),
		  "process.execCPUAffinity.initial: invalid CPU list '0-3;7'");
	PARSE_ERR(LNX("'netDevices':{'eth0/x':{}}"),
		  "linux.netDevices.eth0/x: invalid network device name 'eth0/x'");

	PARSE_ERR(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','listenerMetadata':'m'}"),
		  "linux.seccomp.listenerMetadata: set without listenerPath");
	PARSE_ERR(LNX("'intelRdt':{'memBwSchema':'L3:0=1'}"),
		  "linux.intelRdt.memBwSchema: must be one line starting with 'MB:'");
	s = PARSE_OK(LNX("'intelRdt':{'schemata':'L3:0=7f0\\nMB:0=20'}"));
	if (s) {
		CHECK(s->linux_->intel_rdt->n_schemata == 1 &&
			      !strcmp(s->linux_->intel_rdt->schemata[0], "L3:0=7f0\nMB:0=20"),
		      "schemata as one string");
		spec_free(s);
	}

	/* paths */
	PARSE_ERR(LNX("'devices':[{'path':'dev/x','type':'c','major':1,'minor':3}]"),
		  "linux.devices[0].path: path 'dev/x' is not absolute");
	PARSE_ERR(LNX("'maskedPaths':['/proc/kcore','proc/keys']"),
		  "linux.maskedPaths[1]: path 'proc/keys' is not absolute");
	PARSE_ERR(LNX("'readonlyPaths':['sys']"), "linux.readonlyPaths[0]: path 'sys' is not absolute");
	PARSE_ERR(LNX("'namespaces':[{'type':'network','path':'run/netns/x'}]"),
		  "linux.namespaces[0].path: path 'run/netns/x' is not absolute");
	PARSE_ERR(CFG(",'hooks':{'createRuntime':[{'path':'hook'}]}"),
		  "hooks.createRuntime[0].path: path 'hook' is not absolute");
	PARSE_ERR(CFG(",'process':{'cwd':'tmp','user':{}}"), "process.cwd: path 'tmp' is not absolute");
	/* relative mount destinations are accepted, like runc */
	spec_free(PARSE_OK(CFG(",'mounts':[{'destination':'data','type':'tmpfs'}]")));
}

/* ---- semantics ------------------------------------------------------------------ */

static void test_optional_fields(void)
{
	struct spec *s = PARSE_OK(LNX("'resources':{'memory':{'limit':0,'swap':-1},'cpu':{}}"));
	if (s) {
		struct spec_resources *r = s->linux_->resources;
		CHECK(r && r->has_memory && r->memory.limit.set && r->memory.limit.v == 0,
		      "memory.limit 0 must be set");
		CHECK(r->memory.swap.set && r->memory.swap.v == -1, "swap -1");
		CHECK(!r->memory.reservation.set, "absent reservation must be unset");
		CHECK(!r->memory.swappiness.set && !r->memory.disable_oom_killer.set, "unset");
		CHECK(r->has_cpu && !r->cpu.shares.set && !r->cpu.cpus, "cpu present, empty");
		CHECK(!r->has_pids && !r->has_block_io && !r->has_network, "absent sections");
		CHECK(s->linux_->seccomp == NULL && s->process == NULL, "absent seccomp/process");
		spec_free(s);
	}
	/* null is absent, as in Go */
	s = PARSE_OK(LNX("'resources':{'memory':{'limit':null}},'seccomp':null"));
	if (s) {
		CHECK(!s->linux_->resources->memory.limit.set && !s->linux_->seccomp, "null = absent");
		spec_free(s);
	}
	s = PARSE_OK(PROC(",'oomScoreAdj':0,'capabilities':{},'user':{'uid':5,'gid':6,'umask':0}"));
	if (s) {
		struct spec_process *p = s->process;
		CHECK(p->oom_score_adj.set && p->oom_score_adj.v == 0, "oomScoreAdj 0 set");
		CHECK(p->has_capabilities && p->capabilities.bounding == 0, "empty caps present");
		CHECK(p->user.uid == 5 && p->user.gid == 6 && p->user.has_umask && p->user.umask == 0,
		      "user");
		CHECK(!p->args && p->n_args == 0 && !p->scheduler && !p->io_priority, "absent");
		spec_free(s);
	}
	s = PARSE_OK(PROC(",'args':[]"));
	if (s) {
		CHECK(s->process->args && s->process->args[0] == NULL && s->process->n_args == 0,
		      "empty args is a non-NULL empty vector");
		CHECK(!s->process->has_capabilities && !s->process->oom_score_adj.set, "absent");
		spec_free(s);
	}
	/* the last duplicate key wins, as in runc */
	s = PARSE_OK("{\"ociVersion\":\"1\",\"hostname\":\"a\",\"hostname\":\"b\"}");
	if (s) {
		CHECK(s->hostname && strcmp(s->hostname, "b") == 0, "last duplicate wins");
		spec_free(s);
	}
	/* unknown properties are ignored, whatever their type */
	s = PARSE_OK(CFG(",'windows':{'layerFolders':[1]},'x-vendor':[{}],'linux':{'futureThing':7}"));
	spec_free(s);
}

static const char full_config[] =
	"{'ociVersion':'1.3.0','root':{'path':'/r','readonly':true},'hostname':'h','domainname':'d',"
	"'annotations':{'k1':'v1','k2':'v2'},"
	"'mounts':[{'destination':'/proc','type':'proc','source':'proc','options':['nosuid','ro'],"
	"  'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}]}],"
	"'process':{'terminal':true,'consoleSize':{'height':24,'width':80},"
	"  'user':{'uid':1,'gid':2,'additionalGids':[3,4],'umask':18},'args':['sh','-c','x'],"
	"  'env':['A=1'],'cwd':'/w','capabilities':{'bounding':['CAP_CHOWN','CAP_CHECKPOINT_RESTORE'],"
	"  'effective':['CAP_KILL'],'inheritable':[],'permitted':['CAP_SYS_ADMIN'],'ambient':['CAP_BPF']},"
	"  'rlimits':[{'type':'RLIMIT_NOFILE','soft':1024,'hard':18446744073709551615},"
	"             {'type':'RLIMIT_RTTIME','soft':1,'hard':2}],"
	"  'noNewPrivileges':true,'apparmorProfile':'ap','selinuxLabel':'sl','oomScoreAdj':-500,"
	"  'scheduler':{'policy':'SCHED_DEADLINE','flags':['SCHED_FLAG_RESET_ON_FORK','SCHED_FLAG_UTIL_CLAMP_MAX'],"
	"     'runtime':10,'deadline':20,'period':30,'nice':-2},"
	"  'ioPriority':{'class':'IOPRIO_CLASS_IDLE','priority':7},"
	"  'execCPUAffinity':{'initial':'0-1','final':'2, 3'}},"
	"'hooks':{'prestart':[{'path':'/p'}],'createRuntime':[{'path':'/cr','args':['cr','x'],"
	"  'env':['E=1'],'timeout':5}],'poststop':[{'path':'/ps1'},{'path':'/ps2'}]},"
	"'linux':{'namespaces':[{'type':'pid'},{'type':'network','path':'/run/netns/n'},{'type':'mount'},"
	"  {'type':'ipc'},{'type':'uts'},{'type':'user'},{'type':'cgroup'},{'type':'time'}],"
	"  'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
	"  'gidMappings':[{'containerID':0,'hostID':1000,'size':1},{'containerID':1,'hostID':100000,'size':65536}],"
	"  'timeOffsets':{'monotonic':{'secs':-5,'nanosecs':7},'boottime':{'secs':9}},"
	"  'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':438,'uid':0,'gid':0},"
	"             {'path':'/dev/fifo','type':'p'}],"
	"  'cgroupsPath':'/a/b','sysctl':{'net.ipv4.ip_forward':'1'},"
	"  'resources':{'devices':[{'allow':false,'access':'rwm'},{'allow':true,'type':'c','major':1,'minor':3,'access':'rw'}],"
	"    'memory':{'limit':1073741824,'swappiness':60,'disableOOMKiller':true},"
	"    'cpu':{'shares':1024,'quota':-1,'period':100000,'cpus':'0-1','mems':'0','idle':1,'burst':5},"
	"    'pids':{'limit':-1},"
	"    'blockIO':{'weight':500,'weightDevice':[{'major':8,'minor':0,'weight':10}],"
	"      'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1000}],'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':9}]},"
	"    'hugepageLimits':[{'pageSize':'2MB','limit':0}],"
	"    'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500}]},"
	"    'rdma':{'mlx5_1':{'hcaHandles':3}},'unified':{'memory.high':'max'}},"
	"  'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64'],"
	"    'flags':['SECCOMP_FILTER_FLAG_LOG'],'listenerPath':'/run/l.sock','listenerMetadata':'m',"
	"    'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
	"      {'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':38,"
	"       'args':[{'index':0,'value':8,'valueTwo':18446744073709551615,'op':'SCMP_CMP_MASKED_EQ'}]}]},"
	"  'maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/sys'],'rootfsPropagation':'rslave',"
	"  'mountLabel':'ml','personality':{'domain':'LINUX32','flags':['f']},"
	"  'netDevices':{'eth1':{'name':'c1'},'eth2':{}},"
	"  'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':'0-1','flags':['MPOL_F_STATIC_NODES']},"
	"  'intelRdt':{'closID':'c','l3CacheSchema':'L3:0=f','memBwSchema':'MB:0=70','schemata':['L2:0=1'],"
	"    'enableMonitoring':true}}}";

static void test_full_config(void)
{
	struct spec *s = PARSE_OK(full_config);
	if (!s)
		return;
	CHECK(!strcmp(s->oci_version, "1.3.0") && s->root->readonly && !strcmp(s->root->path, "/r"),
	      "root");
	CHECK(!strcmp(s->hostname, "h") && !strcmp(s->domainname, "d"), "names");
	CHECK(s->n_annotations == 2 && !strcmp(spec_annotation(s, "k2"), "v2") &&
		      !spec_annotation(s, "k3"),
	      "annotations");
	CHECK(s->n_mounts == 1 && s->mounts[0].n_options == 2 && !s->mounts[0].options[2] &&
		      s->mounts[0].n_uid_mappings == 1 && s->mounts[0].uid_mappings[0].size == 65536,
	      "mounts");
	struct spec_process *p = s->process;
	CHECK(p->terminal && p->has_console_size && p->console_height == 24 && p->console_width == 80,
	      "console");
	CHECK(p->user.uid == 1 && p->user.gid == 2 && p->user.n_additional_gids == 2 &&
		      p->user.additional_gids[1] == 4 && p->user.umask == 18,
	      "user");
	CHECK(p->n_args == 3 && !strcmp(p->args[2], "x") && !p->args[3] && p->n_env == 1, "args");
	CHECK(p->capabilities.bounding == ((1ULL << 0) | (1ULL << 40)), "bounding %llx",
	      (unsigned long long)p->capabilities.bounding);
	CHECK(p->capabilities.effective == 1ULL << 5 && p->capabilities.permitted == 1ULL << 21 &&
		      p->capabilities.ambient == 1ULL << 39 && p->capabilities.inheritable == 0,
	      "capability sets");
	CHECK(p->n_rlimits == 2 && p->rlimits[0].resource == RLIMIT_NOFILE &&
		      p->rlimits[0].hard == UINT64_MAX && p->rlimits[1].resource == RLIMIT_RTTIME,
	      "rlimits");
	CHECK(p->no_new_privileges && !strcmp(p->apparmor_profile, "ap") &&
		      !strcmp(p->selinux_label, "sl") && p->oom_score_adj.v == -500,
	      "process misc");
	CHECK(p->scheduler && p->scheduler->policy == 6 && p->scheduler->flags == 0x41 &&
		      p->scheduler->runtime.v == 10 && p->scheduler->period.set &&
		      p->scheduler->nice.v == -2 && !p->scheduler->priority.set,
	      "scheduler");
	CHECK(p->io_priority->ioclass == 3 && p->io_priority->priority == 7, "ioPriority");
	CHECK(!strcmp(p->exec_cpu_affinity->final, "2, 3"), "affinity");
	CHECK(s->hooks.n[SPEC_HOOK_PRESTART] == 1 && s->hooks.n[SPEC_HOOK_POSTSTOP] == 2 &&
		      s->hooks.n[SPEC_HOOK_POSTSTART] == 0 && !s->hooks.list[SPEC_HOOK_POSTSTART],
	      "hooks");
	struct spec_hook *h = &s->hooks.list[SPEC_HOOK_CREATE_RUNTIME][0];
	CHECK(h->has_timeout && h->timeout == 5 && h->n_args == 2 && !strcmp(h->env[0], "E=1") &&
		      !s->hooks.list[SPEC_HOOK_PRESTART][0].has_timeout,
	      "hook fields");

	struct spec_linux *l = s->linux_;
	CHECK(l->n_namespaces == 8 && spec_namespace(s, SPEC_NS_TIME) &&
		      !strcmp(spec_namespace(s, SPEC_NS_NETWORK)->path, "/run/netns/n") &&
		      !spec_namespace(s, SPEC_NS_PID)->path,
	      "namespaces");
	CHECK(l->n_uid_mappings == 1 && l->n_gid_mappings == 2 && l->gid_mappings[1].host_id == 100000,
	      "mappings");
	CHECK(l->n_time_offsets == 2 && !strcmp(l->time_offsets[0].clock, "monotonic") &&
		      l->time_offsets[0].secs == -5 && l->time_offsets[0].nanosecs == 7,
	      "time offsets");
	CHECK(l->n_devices == 2 && l->devices[0].type == 'c' && l->devices[0].minor == 229 &&
		      l->devices[0].has_file_mode && l->devices[0].file_mode == 438 &&
		      l->devices[1].type == 'p' && !l->devices[1].has_uid,
	      "devices");
	CHECK(!strcmp(l->cgroups_path, "/a/b") && l->n_sysctl == 1, "cgroupsPath/sysctl");
	struct spec_resources *r = l->resources;
	CHECK(r->n_devices == 2 && r->devices[0].type == 'a' && r->devices[0].major == -1 &&
		      !r->devices[0].allow && r->devices[1].allow && r->devices[1].minor == 3,
	      "device rules");
	CHECK(r->memory.limit.v == 1073741824 && r->memory.swappiness.v == 60 &&
		      r->memory.disable_oom_killer.set && r->memory.disable_oom_killer.v,
	      "memory");
	CHECK(r->cpu.quota.v == -1 && r->cpu.idle.v == 1 && r->cpu.burst.v == 5 &&
		      !strcmp(r->cpu.cpus, "0-1"),
	      "cpu");
	CHECK(r->has_pids && r->pids_limit.set && r->pids_limit.v == -1, "pids");
	CHECK(r->block_io.weight.v == 500 && r->block_io.n_weight_device == 1 &&
		      !r->block_io.weight_device[0].leaf_weight.set &&
		      r->block_io.throttle_write_iops[0].rate == 9 && r->block_io.n_throttle_read_iops == 0,
	      "blockIO");
	CHECK(r->n_hugepage_limits == 1 && !strcmp(r->hugepage_limits[0].page_size, "2MB"), "hugetlb");
	CHECK(r->network.class_id.v == 1048577 && r->network.priorities[0].priority == 500, "net");
	CHECK(r->n_rdma == 1 && !strcmp(r->rdma[0].device, "mlx5_1") && r->rdma[0].hca_handles.v == 3 &&
		      !r->rdma[0].hca_objects.set,
	      "rdma");
	CHECK(r->n_unified == 1 && !strcmp(r->unified[0].value, "max"), "unified");
	struct spec_seccomp *sc = l->seccomp;
	CHECK(sc->default_action == SPEC_SCMP_ERRNO && sc->default_errno_ret.v == 1 &&
		      sc->n_architectures == 1 && sc->n_flags == 1 && !strcmp(sc->listener_metadata, "m"),
	      "seccomp");
	CHECK(sc->n_syscalls == 2 && sc->syscalls[0].n_names == 2 && !sc->syscalls[0].errno_ret.set &&
		      sc->syscalls[1].errno_ret.v == 38 && sc->syscalls[1].n_args == 1 &&
		      sc->syscalls[1].args[0].op == SPEC_SCMP_CMP_MASKED_EQ &&
		      sc->syscalls[1].args[0].value_two == UINT64_MAX,
	      "syscalls");
	CHECK(!strcmp(l->rootfs_propagation, "rslave") && !strcmp(l->personality->domain, "LINUX32"),
	      "propagation/personality");
	CHECK(l->n_net_devices == 2 && !strcmp(l->net_devices[0].host_name, "eth1") &&
		      !strcmp(l->net_devices[0].name, "c1") && !l->net_devices[1].name,
	      "netDevices");
	CHECK(!strcmp(l->memory_policy->nodes, "0-1") && l->memory_policy->n_flags == 1, "mpol");
	CHECK(l->intel_rdt->enable_monitoring && l->intel_rdt->n_schemata == 1, "intelRdt");
	spec_free(s);
}

static void test_process_and_resources(void)
{
	char *j = J("{'cwd':'/','user':{'uid':7},'args':['ls'],'env':['X=1']}"), *err = NULL;
	struct spec_process *p = NULL;
	CHECK(spec_parse_process(j, strlen(j), &p, &err) == 0 && p && p->user.uid == 7 &&
		      p->n_args == 1,
	      "spec_parse_process: %s", err);
	spec_process_free(p);
	free(j);
	free(err);
	err = NULL;
	j = J("{'cwd':'/','user':{},'rlimits':[{'type':'RLIMIT_BAD','soft':1,'hard':1}]}");
	CHECK(spec_parse_process(j, strlen(j), &p, &err) < 0 && err &&
		      !strcmp(err, "rlimits[0].type: unknown rlimit \"RLIMIT_BAD\""),
	      "process error: %s", err);
	free(j);
	free(err);
	err = NULL;

	struct spec_resources *r = NULL;
	j = J("{'memory':{'limit':1048576},'pids':{'limit':10},'cpu':{'cpus':'0'}}");
	CHECK(spec_parse_resources(j, strlen(j), &r, &err) == 0 && r && r->memory.limit.v == 1048576 &&
		      r->pids_limit.v == 10 && !r->has_block_io,
	      "spec_parse_resources: %s", err);
	spec_resources_free(r);
	free(j);
	free(err);
	err = NULL;
	j = J("{'memory':{'swap':'x'}}");
	CHECK(spec_parse_resources(j, strlen(j), &r, &err) < 0 && err &&
		      !strcmp(err, "memory.swap: expected an integer, got string"),
	      "resources error: %s", err);
	free(j);
	free(err);
}

/* ---- names ------------------------------------------------------------------------ */

static void test_names(void)
{
	CHECK(spec_cap_last() == 40, "cap_last %d", spec_cap_last());
	CHECK(spec_cap_from_name("CAP_CHECKPOINT_RESTORE") == 40 && spec_cap_from_name("CAP_CHOWN") == 0 &&
		      spec_cap_from_name("CAP_SYS_ADMIN") == 21 && spec_cap_from_name("SYS_ADMIN") == -1,
	      "cap numbers");
	for (int c = 0; c <= spec_cap_last(); c++)
		CHECK(spec_cap_name(c) && spec_cap_from_name(spec_cap_name(c)) == c, "cap %d", c);
	CHECK(!spec_cap_name(41) && !spec_cap_name(-1), "cap out of range");
	static const char *rl[] = { "AS",	"CORE",	  "CPU",    "DATA",	  "FSIZE",  "LOCKS",
				    "MEMLOCK",	"MSGQUEUE", "NICE",  "NOFILE",	  "NPROC",  "RSS",
				    "RTPRIO",	"RTTIME", "SIGPENDING", "STACK" };
	for (size_t i = 0; i < sizeof(rl) / sizeof(rl[0]); i++) {
		char n[32];
		snprintf(n, sizeof(n), "RLIMIT_%s", rl[i]);
		CHECK(spec_rlimit_from_name(n) >= 0, "rlimit %s", n);
	}
	CHECK(spec_rlimit_from_name("RLIMIT_NOFILE") == RLIMIT_NOFILE &&
		      spec_rlimit_from_name("RLIMIT_STACK") == RLIMIT_STACK,
	      "rlimit numbers");
	CHECK(!strcmp(spec_ns_name(SPEC_NS_NETWORK), "network") &&
		      spec_ns_clone_flag(SPEC_NS_TIME) == 0x80 && spec_ns_clone_flag(SPEC_NS_USER) == 0x10000000,
	      "namespaces");
	CHECK(!strcmp(spec_hook_kind_name(SPEC_HOOK_CREATE_CONTAINER), "createContainer"), "hook name");
	CHECK(!strcmp(spec_seccomp_action_name(SPEC_SCMP_NOTIFY), "SCMP_ACT_NOTIFY") &&
		      !strcmp(spec_seccomp_op_name(SPEC_SCMP_CMP_GE), "SCMP_CMP_GE"),
	      "seccomp names");
}

/* ---- generators ---------------------------------------------------------------------- */

static yajl_val tree(const char *s)
{
	char eb[256];
	return s ? yajl_tree_parse(s, eb, sizeof(eb)) : NULL;
}

static void test_generators(void)
{
	char *d = spec_generate_default(false, 0, 0), *err = NULL;
	struct spec *s = NULL;
	CHECK(d && spec_parse(d, strlen(d), &s, &err) == 0, "default spec parses back: %s", err);
	if (s) {
		CHECK(s->process->terminal && !strcmp(s->process->args[0], "sh") &&
			      !strcmp(s->root->path, "rootfs") && s->root->readonly,
		      "default spec fields");
		CHECK(spec_namespace(s, SPEC_NS_NETWORK) && !spec_namespace(s, SPEC_NS_USER) &&
			      s->linux_->resources && s->linux_->resources->n_devices == 1,
		      "default namespaces");
		CHECK(s->n_mounts == 7 && !strcmp(s->mounts[5].type, "sysfs"), "default mounts");
	}
	CHECK(d && strstr(d, "\n\t\"process\": {\n\t\t\"terminal\": true"), "runc's tab indent");
	spec_free(s);
	free(d);
	free(err);
	err = NULL;
	s = NULL;

	d = spec_generate_default(true, 1234, 5678);
	CHECK(d && spec_parse(d, strlen(d), &s, &err) == 0, "rootless spec parses back: %s", err);
	if (s) {
		CHECK(spec_namespace(s, SPEC_NS_USER) && !spec_namespace(s, SPEC_NS_NETWORK) &&
			      !s->linux_->resources,
		      "rootless namespaces/resources");
		CHECK(s->linux_->n_uid_mappings == 1 && s->linux_->uid_mappings[0].host_id == 1234 &&
			      s->linux_->gid_mappings[0].host_id == 5678 &&
			      s->linux_->uid_mappings[0].container_id == 0,
		      "rootless mappings");
		CHECK(!strcmp(s->mounts[5].type, "none") && !strcmp(s->mounts[5].options[0], "rbind"),
		      "rootless /sys bind");
		for (size_t i = 0; i < s->n_mounts; i++)
			for (size_t k = 0; k < s->mounts[i].n_options; k++)
				CHECK(strncmp(s->mounts[i].options[k], "gid=", 4), "gid= dropped");
	}
	spec_free(s);
	free(d);
	free(err);

	d = spec_generate_features("9.9.9", 7);
	yajl_val t = tree(d);
	CHECK(t, "features is JSON");
	if (t) {
		const char *vp[] = { "annotations", "io.github.leeward.version", NULL };
		yajl_val v = yajl_tree_get(t, vp, yajl_t_string);
		CHECK(v && !strcmp(v->u.string, "9.9.9"), "features version");
		const char *cp[] = { "linux", "capabilities", NULL };
		v = yajl_tree_get(t, cp, yajl_t_array);
		CHECK(v && v->u.array.len == 41, "features capabilities");
		const char *mp[] = { "ociVersionMax", NULL };
		CHECK(yajl_tree_get(t, mp, yajl_t_string), "ociVersionMax");
		yajl_tree_free(t);
	}
	free(d);

	struct spec_kv ann[] = { { "a\"b", "c\nd" } };
	struct spec_state st = { .oci_version = "1.3.0", .id = "c1", .status = "created", .pid = 42,
				 .bundle = "/b", .rootfs = "/b/rootfs", .created = "2024-01-01T00:00:00Z",
				 .owner = "", .annotations = ann, .n_annotations = 1 };
	d = spec_generate_state(&st, true);
	CHECK(d && !strncmp(d, "{\n  \"ociVersion\": \"1.3.0\",\n  \"id\": \"c1\",\n  \"pid\": 42,", 50),
	      "pretty state: %s", d ? d : "(null)");
	t = tree(d);
	CHECK(t, "state is JSON");
	if (t) {
		const char *ap[] = { "annotations", "a\"b", NULL };
		yajl_val v = yajl_tree_get(t, ap, yajl_t_string);
		CHECK(v && !strcmp(v->u.string, "c\nd"), "state annotations round trip");
		yajl_tree_free(t);
	}
	free(d);
	st.pid = 0;
	st.annotations = NULL;
	d = spec_generate_state(&st, false);
	CHECK(d && !strcmp(d, "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"created\","
			      "\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\",\"created\":"
			      "\"2024-01-01T00:00:00Z\",\"owner\":\"\"}"),
	      "compact state without pid: %s", d ? d : "(null)");
	free(d);

	d = spec_json_quote("a\"b\\c\n\x01/é");
	CHECK(d && !strcmp(d, "\"a\\\"b\\\\c\\u000a\\u0001/é\""), "quote: %s", d ? d : "(null)");
	free(d);
}

/* ---- generated JSON against the runtime-spec schemas (python3-jsonschema) ---- */

static bool find_repo_root(char *out, size_t n)
{
	if (access("tests/unit/validate-schema.py", R_OK) == 0)
		return getcwd(out, n) != NULL;
	char exe[PATH_MAX - 64];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return false;
	exe[len] = '\0';
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			return false;
		*slash = '\0';
		snprintf(out, n, "%s/tests/unit/validate-schema.py", exe);
		if (access(out, R_OK) == 0) {
			snprintf(out, n, "%s", exe);
			return true;
		}
	}
	return false;
}

static void validate(const char *root, const char *schema, const char *what, char *doc)
{
	char path[] = "/tmp/lw-spec-test-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || !doc) {
		CHECK(0, "%s: cannot write a temp file", what);
		free(doc);
		return;
	}
	FILE *f = fdopen(fd, "w");
	fputs(doc, f);
	fclose(f);
	char cmd[PATH_MAX * 2];
	snprintf(cmd, sizeof(cmd), "python3 '%s/tests/unit/validate-schema.py' %s %s", root, schema,
		 path);
	int r = system(cmd);
	CHECK(r == 0, "%s does not validate against %s-schema.json", what, schema);
	unlink(path);
	free(doc);
}

static void test_schema_validation(void)
{
	char root[PATH_MAX];
	if (system("python3 -c 'import jsonschema' 2>/dev/null") != 0) {
		printf("SKIP schema validation: python3-jsonschema not installed\n");
		return;
	}
	if (!find_repo_root(root, sizeof(root))) {
		CHECK(0, "tests/unit/validate-schema.py not found");
		return;
	}
	validate(root, "config", "spec_generate_default(false)", spec_generate_default(false, 0, 0));
	validate(root, "config", "spec_generate_default(true)",
		 spec_generate_default(true, 1000, 1000));
	validate(root, "features", "spec_generate_features", spec_generate_features("0.1.0", 6));
	struct spec_kv ann[] = { { "k", "v" } };
	struct spec_state st = { .oci_version = "1.3.0", .id = "c1", .status = "running", .pid = 7,
				 .bundle = "/b", .rootfs = "/b/rootfs", .created = "2024-01-01T00:00:00Z",
				 .owner = "", .annotations = ann, .n_annotations = 1 };
	validate(root, "state", "spec_generate_state", spec_generate_state(&st, true));
}

/* ---- leaks on error paths: every prefix of a big config must fail cleanly ---- */

static void test_truncated(void)
{
	char *j = J(full_config);
	size_t len = strlen(j);
	int ok = 0;
	for (size_t n = 0; n < len; n += 7) {
		struct spec *s = NULL;
		char *err = NULL;
		if (spec_parse(j, n, &s, &err) == 0)
			ok++;
		spec_free(s);
		free(err);
	}
	CHECK(ok == 0, "%d truncated documents parsed", ok);
	/* mutate values to hit each error path after partial allocation */
	int errors = 0;
	for (size_t i = 0; i < len; i++) {
		if (j[i] != '"' || i + 1 >= len || j[i + 1] == ':' )
			continue;
		char saved = j[i + 1];
		j[i + 1] = '!';
		struct spec *s = NULL;
		char *err = NULL;
		if (spec_parse(j, len, &s, &err) < 0)
			errors++;
		spec_free(s);
		free(err);
		j[i + 1] = saved;
	}
	CHECK(errors > 20, "mutations caught: %d", errors);
	free(j);
}

int main(void)
{
	test_schema_examples();
	test_errors();
	test_optional_fields();
	test_full_config();
	test_process_and_resources();
	test_names();
	test_generators();
	test_schema_validation();
	test_truncated();
	printf("unit spec: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
