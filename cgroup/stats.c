/* `events --stats`: runc's types.Stats ("data" of a stats event) as JSON,
 * field names, units (ns, bytes) and omissions as runc's Go encoder
 * writes them; and the OOM kill counter.  Missing files are zeros: a
 * controller that is not there has nothing to report. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by the Makefile */
#endif
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../runtime/cleanup.h"
#include "internal.h"

static uint64_t rd(int fd, const char *file)
{
	uint64_t v = 0;
	if (fd < 0 || cg_read_u64(fd, file, &v, NULL) < 0)
		return 0;
	return v;
}

static char *rds(int fd, const char *file)
{
	char *s = NULL;
	if (fd < 0 || cg_read(fd, file, &s, NULL) < 0)
		return NULL;
	return s;
}

static uint64_t keyed(const char *text, const char *key)
{
	uint64_t v = 0;
	if (text)
		cg_keyed_u64(text, key, &v);
	return v;
}

/* "name":N, left out when 0 (Go's omitempty) */
static void opt(FILE *f, bool *first, const char *name, uint64_t v)
{
	if (!v)
		return;
	fprintf(f, "%s\"%s\":%" PRIu64, *first ? "" : ",", name, v);
	*first = false;
}

static void req(FILE *f, bool *first, const char *name, uint64_t v)
{
	fprintf(f, "%s\"%s\":%" PRIu64, *first ? "" : ",", name, v);
	*first = false;
}

/* "a b c" -> [a,b,c]; empty -> nothing (omitempty) */
static void u64_list(FILE *f, bool *first, const char *name, const char *text)
{
	if (!text || !*text || *text == '\n')
		return;
	fprintf(f, "%s\"%s\":[", *first ? "" : ",", name);
	*first = false;
	const char *p = text;
	bool one = true;
	while (*p) {
		char *e;
		uint64_t v = strtoull(p, &e, 10);
		if (e == p)
			break;
		fprintf(f, "%s%" PRIu64, one ? "" : ",", v);
		one = false;
		p = e;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	fputc(']', f);
}

static void mem_entry(FILE *f, const char *name, uint64_t limit, uint64_t usage, uint64_t max,
		      uint64_t failcnt, bool comma)
{
	bool first = true;
	fprintf(f, "%s\"%s\":{", comma ? "," : "", name);
	req(f, &first, "limit", limit);
	opt(f, &first, "usage", usage);
	opt(f, &first, "max", max);
	req(f, &first, "failcnt", failcnt);
	fputc('}', f);
}

static void raw_map(FILE *f, const char *text)
{
	if (!text || !*text)
		return;
	fputs(",\"raw\":{", f);
	bool first = true;
	for (const char *p = text; *p;) {
		const char *sp = strchr(p, ' '), *nl = strchrnul(p, '\n');
		if (sp && sp < nl) {
			fprintf(f, "%s\"%.*s\":%" PRIu64, first ? "" : ",", (int)(sp - p), p,
				(uint64_t)strtoull(sp + 1, NULL, 10));
			first = false;
		}
		p = *nl ? nl + 1 : nl;
	}
	fputc('}', f);
}

struct blk_entry {
	uint64_t major, minor, value;
	const char *op;
};

static void blk_list(FILE *f, bool *first, const char *name, const struct blk_entry *e, size_t n)
{
	if (!n)
		return;
	fprintf(f, "%s\"%s\":[", *first ? "" : ",", name);
	*first = false;
	for (size_t i = 0; i < n; i++) {
		bool one = true;
		fputs(i ? ",{" : "{", f);
		opt(f, &one, "major", e[i].major);
		opt(f, &one, "minor", e[i].minor);
		if (e[i].op && *e[i].op) {
			fprintf(f, "%s\"op\":\"%s\"", one ? "" : ",", e[i].op);
			one = false;
		}
		opt(f, &one, "value", e[i].value);
		fputc('}', f);
	}
	fputc(']', f);
}

/* v1 blkio.*_recursive: "8:0 Read 4096" lines (and "Total N") */
static size_t parse_v1_blkio(const char *text, struct blk_entry *out, size_t cap)
{
	static const char *const ops[] = { "Read", "Write", "Sync", "Async", "Discard", "Total" };
	size_t n = 0;
	for (const char *p = text; p && *p && n < cap;) {
		unsigned long long ma, mi, v;
		char op[16];
		if (sscanf(p, "%llu:%llu %15s %llu", &ma, &mi, op, &v) == 4) {
			for (size_t i = 0; i < LW_ARRAY_SIZE(ops); i++)
				if (strcmp(op, ops[i]) == 0)
					out[n++] = (struct blk_entry){ ma, mi, v, ops[i] };
		}
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

/* v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" */
static void parse_v2_io(const char *text, struct blk_entry *bytes, size_t *nb,
			struct blk_entry *ios, size_t *ni, size_t cap)
{
	*nb = *ni = 0;
	for (const char *p = text; p && *p && *nb + 2 <= cap && *ni + 2 <= cap;) {
		unsigned long long ma, mi;
		const char *nl = strchrnul(p, '\n');
		if (sscanf(p, "%llu:%llu", &ma, &mi) == 2) {
			cleanup_free char *line = strndup(p, nl - p);
			uint64_t rb = 0, wb = 0, ri = 0, wi = 0;
			for (char *t = line ? strchr(line, ' ') : NULL; t; t = strchr(t + 1, ' ')) {
				unsigned long long v;
				if (sscanf(t + 1, "rbytes=%llu", &v) == 1)
					rb = v;
				else if (sscanf(t + 1, "wbytes=%llu", &v) == 1)
					wb = v;
				else if (sscanf(t + 1, "rios=%llu", &v) == 1)
					ri = v;
				else if (sscanf(t + 1, "wios=%llu", &v) == 1)
					wi = v;
			}
			bytes[(*nb)++] = (struct blk_entry){ ma, mi, rb, "Read" };
			bytes[(*nb)++] = (struct blk_entry){ ma, mi, wb, "Write" };
			ios[(*ni)++] = (struct blk_entry){ ma, mi, ri, "Read" };
			ios[(*ni)++] = (struct blk_entry){ ma, mi, wi, "Write" };
		}
		p = *nl ? nl + 1 : nl;
	}
}

/* Hugepage sizes of the host as cgroup file names use them ("2MB", "1GB"). */
static size_t hugepage_sizes(char out[][24], size_t cap)
{
	cleanup_dir DIR *d = opendir("/sys/kernel/mm/hugepages");
	size_t n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) && n < cap) {
		unsigned kb;
		if (sscanf(de->d_name, "hugepages-%ukB", &kb) != 1)
			continue;
		if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
			snprintf(out[n++], 24, "%uGB", kb / (1024 * 1024));
		else if (kb >= 1024 && kb % 1024 == 0)
			snprintf(out[n++], 24, "%uMB", kb / 1024);
		else
			snprintf(out[n++], 24, "%uKB", kb);
	}
	return n;
}

static int hfd(struct cgroup *cg, enum cg_ctrl c)
{
	if (cg->mode == CGROUP_MODE_V2)
		return cg->uni && cg->uni->fd >= 0 ? cg->uni->fd : -1;
	struct cg_hier *h = cg_v1_find(cg, c);
	return h ? h->fd : -1;
}

static void stats_cpu(FILE *f, struct cgroup *cg)
{
	bool v2 = cg->mode == CGROUP_MODE_V2, first = true;
	fputs("\"cpu\":{\"usage\":{", f);
	if (v2) {
		cleanup_free char *st = rds(hfd(cg, CG_CPU), "cpu.stat");
		opt(f, &first, "total", keyed(st, "usage_usec") * 1000);
		req(f, &first, "kernel", keyed(st, "system_usec") * 1000);
		req(f, &first, "user", keyed(st, "user_usec") * 1000);
		fputs("},\"throttling\":{", f);
		first = true;
		opt(f, &first, "periods", keyed(st, "nr_periods"));
		opt(f, &first, "throttledPeriods", keyed(st, "nr_throttled"));
		opt(f, &first, "throttledTime", keyed(st, "throttled_usec") * 1000);
		fputs("}}", f);
		return;
	}
	int fd = hfd(cg, CG_CPUACCT);
	cleanup_free char *pc = rds(fd, "cpuacct.usage_percpu");
	cleanup_free char *pk = rds(fd, "cpuacct.usage_percpu_sys");
	cleanup_free char *pu = rds(fd, "cpuacct.usage_percpu_user");
	cleanup_free char *st = rds(fd, "cpuacct.stat");
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t tick = hz > 0 ? 1000000000ull / (uint64_t)hz : 10000000ull;
	opt(f, &first, "total", rd(fd, "cpuacct.usage"));
	u64_list(f, &first, "percpu", pc);
	u64_list(f, &first, "percpu_kernel", pk);
	u64_list(f, &first, "percpu_user", pu);
	req(f, &first, "kernel", keyed(st, "system") * tick);
	req(f, &first, "user", keyed(st, "user") * tick);
	fputs("},\"throttling\":{", f);
	cleanup_free char *cs = rds(hfd(cg, CG_CPU), "cpu.stat");
	first = true;
	opt(f, &first, "periods", keyed(cs, "nr_periods"));
	opt(f, &first, "throttledPeriods", keyed(cs, "nr_throttled"));
	opt(f, &first, "throttledTime", keyed(cs, "throttled_time"));
	fputs("}}", f);
}

static void stats_memory(FILE *f, struct cgroup *cg)
{
	int fd = hfd(cg, CG_MEMORY);
	cleanup_free char *raw = rds(fd, "memory.stat");
	bool first = true;
	fputs(",\"memory\":{", f);
	if (cg->mode == CGROUP_MODE_V2) {
		uint64_t usage = rd(fd, "memory.current"), limit = rd(fd, "memory.max");
		uint64_t swap = rd(fd, "memory.swap.current"), slimit = rd(fd, "memory.swap.max");
		opt(f, &first, "cache", keyed(raw, "file"));
		fputs(first ? "" : ",", f);
		mem_entry(f, "usage", limit, usage, rd(fd, "memory.peak"), 0, false);
		/* v1 reported memory+swap; runc keeps that on v2 */
		mem_entry(f, "swap", slimit == UINT64_MAX ? slimit : slimit + limit, swap + usage, 0,
			  0, true);
		mem_entry(f, "kernel", 0, 0, 0, 0, true);
		mem_entry(f, "kernelTCP", 0, 0, 0, 0, true);
	} else {
		opt(f, &first, "cache", keyed(raw, "cache"));
		fputs(first ? "" : ",", f);
		mem_entry(f, "usage", rd(fd, "memory.limit_in_bytes"), rd(fd, "memory.usage_in_bytes"),
			  rd(fd, "memory.max_usage_in_bytes"), rd(fd, "memory.failcnt"), false);
		mem_entry(f, "swap", rd(fd, "memory.memsw.limit_in_bytes"),
			  rd(fd, "memory.memsw.usage_in_bytes"), rd(fd, "memory.memsw.max_usage_in_bytes"),
			  rd(fd, "memory.memsw.failcnt"), true);
		mem_entry(f, "kernel", rd(fd, "memory.kmem.limit_in_bytes"),
			  rd(fd, "memory.kmem.usage_in_bytes"), rd(fd, "memory.kmem.max_usage_in_bytes"),
			  rd(fd, "memory.kmem.failcnt"), true);
		mem_entry(f, "kernelTCP", rd(fd, "memory.kmem.tcp.limit_in_bytes"),
			  rd(fd, "memory.kmem.tcp.usage_in_bytes"),
			  rd(fd, "memory.kmem.tcp.max_usage_in_bytes"), rd(fd, "memory.kmem.tcp.failcnt"),
			  true);
	}
	raw_map(f, raw);
	fputc('}', f);
}

static void stats_blkio(FILE *f, struct cgroup *cg)
{
	struct blk_entry a[256], b[256];
	size_t na = 0, nb = 0;
	bool first = true;
	int fd = hfd(cg, CG_BLKIO);
	if (cg->mode == CGROUP_MODE_V2) {
		cleanup_free char *st = rds(fd, "io.stat");
		parse_v2_io(st, a, &na, b, &nb, LW_ARRAY_SIZE(a));
	} else {
		cleanup_free char *sb = rds(fd, "blkio.throttle.io_service_bytes_recursive");
		cleanup_free char *si = rds(fd, "blkio.throttle.io_serviced_recursive");
		na = parse_v1_blkio(sb, a, LW_ARRAY_SIZE(a));
		nb = parse_v1_blkio(si, b, LW_ARRAY_SIZE(b));
	}
	fputs(",\"blkio\":{", f);
	blk_list(f, &first, "ioServiceBytesRecursive", a, na);
	blk_list(f, &first, "ioServicedRecursive", b, nb);
	fputc('}', f);
}

static void stats_hugetlb(FILE *f, struct cgroup *cg)
{
	char sizes[8][24];
	size_t n = hugepage_sizes(sizes, LW_ARRAY_SIZE(sizes));
	bool v2 = cg->mode == CGROUP_MODE_V2;
	int fd = hfd(cg, CG_HUGETLB);
	if (fd < 0 && cg->uni && cg->uni->fd >= 0) { /* hybrid, cgroup2-only hugetlb */
		fd = cg->uni->fd;
		v2 = true;
	}
	fputs(",\"hugetlb\":{", f);
	for (size_t i = 0; i < n; i++) {
		char file[256];
		uint64_t usage, max, failcnt;
		if (v2) {
			snprintf(file, sizeof(file), "hugetlb.%s.current", sizes[i]);
			usage = rd(fd, file);
			snprintf(file, sizeof(file), "hugetlb.%s.events", sizes[i]);
			cleanup_free char *ev = rds(fd, file);
			failcnt = keyed(ev, "max");
			max = 0; /* v2 keeps no high-water mark */
		} else {
			snprintf(file, sizeof(file), "hugetlb.%s.usage_in_bytes", sizes[i]);
			usage = rd(fd, file);
			snprintf(file, sizeof(file), "hugetlb.%s.max_usage_in_bytes", sizes[i]);
			max = rd(fd, file);
			snprintf(file, sizeof(file), "hugetlb.%s.failcnt", sizes[i]);
			failcnt = rd(fd, file);
		}
		bool first = true;
		fprintf(f, "%s\"%s\":{", i ? "," : "", sizes[i]);
		opt(f, &first, "usage", usage);
		opt(f, &first, "max", max);
		req(f, &first, "failcnt", failcnt);
		fputc('}', f);
	}
	fputc('}', f);
}

int cgroup_stats_json(struct cgroup *cg, char **json, lw_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return lw_fail(err, errno, "stats");
	fputc('{', f);
	stats_cpu(f, cg);
	fputs(",\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
	      "\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
	      "\"memory_pressure\":0,\"sched_load_balance\":0,\"sched_relax_domain_level\":0}",
	      f);
	stats_memory(f, cg);
	int pfd = hfd(cg, CG_PIDS);
	uint64_t plimit = rd(pfd, "pids.max");
	bool first = true;
	fputs(",\"pids\":{", f);
	opt(f, &first, "current", rd(pfd, "pids.current"));
	opt(f, &first, "limit", plimit == UINT64_MAX ? 0 : plimit);
	fputc('}', f);
	stats_blkio(f, cg);
	stats_hugetlb(f, cg);
	fputs(",\"intel_rdt\":{},\"network_interfaces\":null}", f);
	if (fclose(f) != 0) {
		free(buf);
		return lw_fail(err, ENOMEM, "stats");
	}
	*json = buf;
	return 0;
}

int cgroup_oom_kills(struct cgroup *cg, unsigned long long *count, lw_err *err)
{
	*count = 0;
	int fd = hfd(cg, CG_MEMORY);
	const char *file = cg->mode == CGROUP_MODE_V2 ? "memory.events" : "memory.oom_control";
	if (fd < 0)
		return 0;
	cleanup_free char *s = NULL;
	if (!cg_file_exists(fd, file))
		return 0; /* no memory controller there: no OOM kills to count */
	if (cg_read(fd, file, &s, err) < 0)
		return lw_wrap(err, "cgroup oom kills");
	uint64_t v = 0;
	cg_keyed_u64(s, "oom_kill", &v);
	*count = v;
	return 0;
}
