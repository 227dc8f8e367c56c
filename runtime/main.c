/* leeward: global flags and the command table (runc's command line). */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "log.h"
#include "../spec/spec.h"
#include "state.h"

/* checkpoint and restore need CRIU: say so instead of "no such command" */
static int cli_criu(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	lw_fail(&err, ENOTSUP, "%s: checkpoint/restore (CRIU) is not supported by leeward", argv[0]);
	return cli_fail(&err);
}

static const struct {
	const char *name;
	cli_cmd_fn fn;
	const char *help;
} commands[] = {
	{ "checkpoint", cli_criu, "checkpoint a running container (not supported: needs CRIU)" },
	{ "create", cli_create, "create a container" },
	{ "delete", cli_delete, "delete any resources held by the container" },
	{ "events", cli_events, "display container events such as OOM notifications and stats" },
	{ "exec", cli_exec, "execute new process inside the container" },
	{ "features", cli_features, "show the enabled features" },
	{ "kill", cli_kill, "send a signal to the container's init process" },
	{ "list", cli_list, "list containers started by leeward with the given root" },
	{ "pause", cli_pause, "pause all processes inside the container" },
	{ "ps", cli_ps, "ps displays the processes running inside a container" },
	{ "restore", cli_criu, "restore a container from a checkpoint (not supported: needs CRIU)" },
	{ "resume", cli_resume, "resume all processes that have been previously paused" },
	{ "run", cli_run, "create and run a container" },
	{ "spec", cli_spec, "create a new specification file" },
	{ "start", cli_start, "execute the user-defined process in a created container" },
	{ "state", cli_state, "output the state of a container" },
	{ "update", cli_update, "update container resource constraints" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: leeward [global options] command [command options] [arguments...]\n\n"
		   "leeward is a runc-compatible OCI runtime for sandboxes.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nglobal options:\n"
		   "  --root DIR           state directory (default /run/leeward)\n"
		   "  --log FILE           log file (default stderr)\n"
		   "  --log-format FORMAT  text or json\n"
		   "  --debug              debug logging\n"
		   "  --version, -v        print the version\n");
}

static void version(void)
{
	const struct scmp_version *v = seccomp_version();
	printf("leeward version %s\ncommit: %s\nspec: " SPEC_OCI_VERSION "\nlibseccomp: %u.%u.%u\n", LW_VERSION,
	       LW_COMMIT, v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
}

int main(int argc, char **argv)
{
	struct cli_global g = { .log_format = "text" };
	bool show_version = false, help = false;
	const struct cli_flag flags[] = {
		{ "root", NULL, CLI_STR, &g.root },
		{ "log", NULL, CLI_STR, &g.log },
		{ "log-format", NULL, CLI_STR, &g.log_format },
		{ "debug", NULL, CLI_BOOL, &g.debug },
		{ "systemd-cgroup", NULL, CLI_BOOL, &g.systemd_cgroup },
		{ "rootless", NULL, CLI_STR, &g.rootless },
		{ "criu", NULL, CLI_STR, &g.criu },
		{ "version", "v", CLI_BOOL, &show_version },
		{ "help", "h", CLI_BOOL, &help },
		{ NULL, NULL, 0, NULL },
	};
	lw_err err = NULL;
	int i = 1;

	if (cli_parse(flags, argc, argv, &i, &err) < 0)
		return cli_fail(&err);
	if (strcmp(g.log_format, "text") && strcmp(g.log_format, "json")) {
		fprintf(stderr, "leeward: unknown log-format \"%s\"\n", g.log_format);
		return 1;
	}
	if (lw_log_init(g.log, !strcmp(g.log_format, "json"), g.debug) < 0) {
		fprintf(stderr, "leeward: opening log %s: %s\n", g.log, lw_strerror(errno));
		return 1;
	}
	if (show_version) {
		version();
		return 0;
	}
	if (help || i >= argc) {
		/* as runc: no command prints the help and succeeds */
		usage(stdout);
		return 0;
	}
	if (!g.root)
		g.root = state_default_root();
	/* create works in the bundle directory: make --root absolute first */
	static char root_abs[4096];
	if (g.root[0] != '/') {
		char cwd[4096];
		if (getcwd(cwd, sizeof(cwd)) &&
		    snprintf(root_abs, sizeof(root_abs), "%s/%s", cwd, g.root) < (int)sizeof(root_abs))
			g.root = root_abs;
	}
	if (g.systemd_cgroup) {
		lw_fail(&err, 0, "--systemd-cgroup: the systemd cgroup driver is not supported; use cgroupfs");
		return cli_fail(&err);
	}
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (!strcmp(argv[i], commands[k].name))
			return commands[k].fn(&g, argc - i, argv + i);
	lw_fail(&err, 0, "No help topic for '%s'", argv[i]);
	return cli_fail(&err);
}
