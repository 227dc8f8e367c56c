/* pause, resume, ps, events, update: the commands that act on the
 * container's cgroup */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../cgroup/cgroup.h"
#include "../../spec/spec.h"
#include "../cleanup.h"
#include "../state.h"
#include "../util.h"
#include "cli.h"

/* Load the container and its cgroup; the state lock is held until
 * state_free. */
static int load(struct cli_global *g, const char *id, struct lw_state **st, struct cgroup **cg,
		lw_err *err)
{
	if (state_load(g->root, id, st, err) < 0)
		return -1;
	if (!(*st)->cgroup) {
		state_free(*st);
		return lw_fail(err, 0, "container %s has no cgroup", id);
	}
	if (cgroup_open((*st)->cgroup, cg, err) < 0) {
		state_free(*st);
		return -1;
	}
	return 0;
}

static int pause_resume(struct cli_global *g, int argc, char **argv, bool pause)
{
	lw_err err = NULL;
	const struct cli_flag flags[] = { { NULL, NULL, 0, NULL } };
	struct lw_state *st = NULL;
	struct cgroup *cg = NULL;
	int i = 1, ret = 1;

	if (cli_parse(flags, argc, argv, &i, &err) < 0 ||
	    cli_nargs(pause ? "pause" : "resume", argc - i, 1, 1, &err) < 0)
		return cli_fail(&err);
	if (load(g, argv[i], &st, &cg, &err) < 0)
		return cli_fail(&err);
	enum lw_status s = state_status(st);
	int frozen = cgroup_is_frozen(cg);
	if (s == LW_STOPPED || s == LW_CREATED) {
		lw_fail(&err, 0, "container not running");
	} else if (pause && frozen == 1) {
		lw_fail(&err, 0, "container already paused");
	} else if (!pause && frozen != 1) {
		lw_fail(&err, 0, "container not paused");
	} else if (cgroup_freeze(cg, pause, &err) == 0) {
		ret = 0;
	}
	cgroup_free(cg);
	state_free(st);
	return ret ? cli_fail(&err) : 0;
}

int cli_pause(struct cli_global *g, int argc, char **argv)
{
	return pause_resume(g, argc, argv, true);
}

int cli_resume(struct cli_global *g, int argc, char **argv)
{
	return pause_resume(g, argc, argv, false);
}

int cli_ps(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	const char *format = "table";
	const struct cli_flag flags[] = { { "format", "f", CLI_STR, &format },
					  { NULL, NULL, 0, NULL } };
	struct lw_state *st = NULL;
	struct cgroup *cg = NULL;
	pid_t *pids = NULL;
	size_t n = 0;
	int i = 1;

	if (cli_parse(flags, argc, argv, &i, &err) < 0 || cli_nargs("ps", argc - i, 1, -1, &err) < 0)
		return cli_fail(&err);
	if (strcmp(format, "table") && strcmp(format, "json")) {
		lw_fail(&err, 0, "invalid format option");
		return cli_fail(&err);
	}
	if (load(g, argv[i], &st, &cg, &err) < 0)
		return cli_fail(&err);
	int r = cgroup_pids(cg, &pids, &n, &err);
	cgroup_free(cg);
	state_free(st);
	if (r < 0)
		return cli_fail(&err);
	if (!strcmp(format, "json")) {
		putchar('[');
		for (size_t k = 0; k < n; k++)
			printf("%s%d", k ? "," : "", (int)pids[k]);
		puts("]");
		free(pids);
		return 0;
	}
	/* table: ps(1) with the given options (default -ef), lines of our pids */
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(pids);
		lw_fail(&err, errno, "pipe");
		return cli_fail(&err);
	}
	pid_t child = fork();
	if (child == 0) {
		dup2(pfd[1], 1);
		char **args = calloc((size_t)(argc - i) + 2, sizeof(char *));
		args[0] = "ps";
		if (argc - i > 1)
			for (int k = i + 1; k < argc; k++)
				args[k - i] = argv[k];
		else
			args[1] = "-ef";
		execvp("ps", args);
		_exit(127);
	}
	close(pfd[1]);
	cleanup_free char *out = NULL;
	size_t len = 0;
	read_all(pfd[0], &out, &len);
	close(pfd[0]);
	int ws = 0;
	waitpid(child, &ws, 0);
	if (!out || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
		free(pids);
		lw_fail(&err, 0, "ps failed");
		return cli_fail(&err);
	}
	char *save, *line = strtok_r(out, "\n", &save);
	int pidcol = -1;
	if (line) {
		/* find the PID column in the header */
		int col = 0;
		char *hs, *hdr = strdup(line);
		for (char *t = strtok_r(hdr, " \t", &hs); t; t = strtok_r(NULL, " \t", &hs), col++)
			if (!strcmp(t, "PID"))
				pidcol = col;
		free(hdr);
		puts(line);
	}
	if (pidcol < 0) {
		free(pids);
		lw_fail(&err, 0, "couldn't find PID field in ps output");
		return cli_fail(&err);
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *copy = strdup(line), *ts, *t = strtok_r(copy, " \t", &ts);
		for (int c = 0; t && c < pidcol; c++)
			t = strtok_r(NULL, " \t", &ts);
		pid_t p = t ? (pid_t)atoi(t) : 0;
		for (size_t k = 0; k < n; k++)
			if (pids[k] == p) {
				puts(line);
				break;
			}
		free(copy);
	}
	free(pids);
	return 0;
}

static int print_stats(struct cgroup *cg, const char *id, lw_err *err)
{
	cleanup_free char *data = NULL;
	cleanup_free char *qid = spec_json_quote(id);
	if (cgroup_stats_json(cg, &data, err) < 0)
		return -1;
	printf("{\"type\":\"stats\",\"id\":%s,\"data\":%s}\n", qid, data);
	fflush(stdout);
	return 0;
}

static int parse_duration_ms(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (!strcmp(end, "ms"))
		return (int)v;
	if (!strcmp(end, "s") || !*end)
		return (int)(v * 1000);
	if (!strcmp(end, "m"))
		return (int)(v * 60000);
	return -1;
}

int cli_events(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	bool stats = false;
	const char *interval = "5s";
	const struct cli_flag flags[] = { { "stats", NULL, CLI_BOOL, &stats },
					  { "interval", NULL, CLI_STR, &interval },
					  { NULL, NULL, 0, NULL } };
	struct lw_state *st = NULL;
	struct cgroup *cg = NULL;
	int i = 1;

	if (cli_parse(flags, argc, argv, &i, &err) < 0 ||
	    cli_nargs("events", argc - i, 1, 1, &err) < 0)
		return cli_fail(&err);
	int ms = parse_duration_ms(interval);
	if (ms <= 0) {
		lw_fail(&err, 0, "--interval: invalid duration \"%s\"", interval);
		return cli_fail(&err);
	}
	if (load(g, argv[i], &st, &cg, &err) < 0)
		return cli_fail(&err);
	pid_t pid = st->pid;
	unsigned long long start = st->pid_start, ooms = 0, now;
	state_free(st); /* do not hold the lock while streaming */
	if (stats) {
		int r = print_stats(cg, argv[i], &err);
		cgroup_free(cg);
		return r < 0 ? cli_fail(&err) : 0;
	}
	cleanup_free char *qid = spec_json_quote(argv[i]);
	cgroup_oom_kills(cg, &ooms, NULL);
	int waited = 0;
	while (state_pid_alive(pid, start)) {
		poll(NULL, 0, 100);
		waited += 100;
		if (cgroup_oom_kills(cg, &now, NULL) == 0 && now > ooms) {
			printf("{\"type\":\"oom\",\"id\":%s}\n", qid);
			fflush(stdout);
			ooms = now;
		}
		if (waited >= ms) {
			waited = 0;
			if (print_stats(cg, argv[i], &err) < 0) {
				lw_err_free(&err);
				break;
			}
		}
	}
	/* a last look: the OOM kill may be what stopped it */
	if (cgroup_oom_kills(cg, &now, NULL) == 0 && now > ooms)
		printf("{\"type\":\"oom\",\"id\":%s}\n", qid);
	cgroup_free(cg);
	return 0;
}

/* "512m", "1G", "1024" -> bytes (runc's RAMInBytes); "-1" stays -1 */
static int parse_bytes(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	switch (tolower((unsigned char)*end)) {
	case 0: break;
	case 'k': v <<= 10; break;
	case 'm': v <<= 20; break;
	case 'g': v <<= 30; break;
	case 't': v <<= 40; break;
	default: return -1;
	}
	*out = v;
	return 0;
}

int cli_update(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	const char *resources = NULL, *blkio_weight = NULL, *cpu_period = NULL, *cpu_quota = NULL,
		   *cpu_share = NULL, *rt_period = NULL, *rt_runtime = NULL, *cpus = NULL,
		   *mems = NULL, *memory = NULL, *mem_res = NULL, *mem_swap = NULL,
		   *pids_limit = NULL, *cpu_idle = NULL, *cpu_burst = NULL, *l3 = NULL, *mbw = NULL;
	const struct cli_flag flags[] = {
		{ "resources", "r", CLI_STR, &resources },
		{ "blkio-weight", NULL, CLI_STR, &blkio_weight },
		{ "cpu-period", NULL, CLI_STR, &cpu_period },
		{ "cpu-quota", NULL, CLI_STR, &cpu_quota },
		{ "cpu-share", NULL, CLI_STR, &cpu_share },
		{ "cpu-rt-period", NULL, CLI_STR, &rt_period },
		{ "cpu-rt-runtime", NULL, CLI_STR, &rt_runtime },
		{ "cpuset-cpus", NULL, CLI_STR, &cpus },
		{ "cpuset-mems", NULL, CLI_STR, &mems },
		{ "memory", NULL, CLI_STR, &memory },
		{ "memory-reservation", NULL, CLI_STR, &mem_res },
		{ "memory-swap", NULL, CLI_STR, &mem_swap },
		{ "pids-limit", NULL, CLI_STR, &pids_limit },
		{ "cpu-idle", NULL, CLI_STR, &cpu_idle },
		{ "cpu-burst", NULL, CLI_STR, &cpu_burst },
		{ "l3-cache-schema", NULL, CLI_STR, &l3 },
		{ "mem-bw-schema", NULL, CLI_STR, &mbw },
		{ NULL, NULL, 0, NULL },
	};
	struct lw_state *st = NULL;
	struct cgroup *cg = NULL;
	struct spec_resources *res = NULL;
	cleanup_free char *msg = NULL;
	int i = 1, ret = 1;

	if (cli_parse(flags, argc, argv, &i, &err) < 0 ||
	    cli_nargs("update", argc - i, 1, 1, &err) < 0)
		return cli_fail(&err);
	if (l3 || mbw) {
		lw_fail(&err, ENOTSUP, "Intel RDT is not supported");
		return cli_fail(&err);
	}
	if (resources) {
		cleanup_free char *buf = NULL;
		size_t len = 0;
		int fd = strcmp(resources, "-") ? open(resources, O_RDONLY | O_CLOEXEC) : 0;
		if (fd < 0 || read_all(fd, &buf, &len) < 0) {
			lw_fail(&err, errno, "--resources %s", resources);
			if (fd > 0)
				close(fd);
			return cli_fail(&err);
		}
		if (fd > 0)
			close(fd);
		if (spec_parse_resources(buf, len, &res, &msg) < 0) {
			lw_fail(&err, 0, "--resources: %s", msg ? msg : "invalid");
			return cli_fail(&err);
		}
	} else {
		res = calloc(1, sizeof(*res));
		if (!res) {
			lw_fail(&err, ENOMEM, "update");
			return cli_fail(&err);
		}
	}
	{
		/* the flags override the file, as in runc */
		int64_t v;
		struct {
			const char *val, *name;
			struct spec_opt_i64 *i64;
			struct spec_opt_u64 *u64;
			bool *has;
			bool bytes;
		} map[] = {
			{ memory, "memory", &res->memory.limit, NULL, &res->has_memory, true },
			{ mem_res, "memory-reservation", &res->memory.reservation, NULL, &res->has_memory, true },
			{ mem_swap, "memory-swap", &res->memory.swap, NULL, &res->has_memory, true },
			{ cpu_quota, "cpu-quota", &res->cpu.quota, NULL, &res->has_cpu, false },
			{ cpu_period, "cpu-period", NULL, &res->cpu.period, &res->has_cpu, false },
			{ cpu_share, "cpu-share", NULL, &res->cpu.shares, &res->has_cpu, false },
			{ rt_period, "cpu-rt-period", NULL, &res->cpu.realtime_period, &res->has_cpu, false },
			{ rt_runtime, "cpu-rt-runtime", &res->cpu.realtime_runtime, NULL, &res->has_cpu, false },
			{ cpu_idle, "cpu-idle", &res->cpu.idle, NULL, &res->has_cpu, false },
			{ cpu_burst, "cpu-burst", NULL, &res->cpu.burst, &res->has_cpu, false },
			{ pids_limit, "pids-limit", &res->pids_limit, NULL, &res->has_pids, false },
			{ blkio_weight, "blkio-weight", NULL, &res->block_io.weight, &res->has_block_io, false },
		};
		for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
			if (!map[k].val)
				continue;
			if (parse_bytes(map[k].val, &v) < 0 || (!map[k].bytes && strpbrk(map[k].val, "kKmMgGtT")) ||
			    (map[k].u64 && v < 0)) {
				lw_fail(&err, 0, "--%s: invalid value \"%s\"", map[k].name, map[k].val);
				goto out;
			}
			*map[k].has = true;
			if (map[k].i64)
				*map[k].i64 = (struct spec_opt_i64){ true, v };
			else
				*map[k].u64 = (struct spec_opt_u64){ true, (uint64_t)v };
		}
		if (cpus) {
			free(res->cpu.cpus);
			res->cpu.cpus = strdup(cpus);
			res->has_cpu = true;
		}
		if (mems) {
			free(res->cpu.mems);
			res->cpu.mems = strdup(mems);
			res->has_cpu = true;
		}
	}
	if (load(g, argv[i], &st, &cg, &err) < 0)
		goto out;
	if (state_status(st) == LW_STOPPED)
		lw_fail(&err, 0, "container not running");
	else if (cgroup_update(cg, res, &err) == 0)
		ret = 0;
	cgroup_free(cg);
	state_free(st);
out:
	spec_resources_free(res);
	return ret ? cli_fail(&err) : 0;
}
