/* create, run, start, kill, delete */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../container.h"
#include "cli.h"

static int create_or_run(struct cli_global *g, int argc, char **argv, bool run)
{
	lw_err err = NULL;
	struct create_opts o = { .root = g->root, .run = run };
	bool no_subreaper = false;
	const char *criu_opts = NULL;
	int i = 1, status = 0;
	const struct cli_flag flags[] = {
		{ "bundle", "b", CLI_STR, &o.bundle },
		{ "console-socket", NULL, CLI_STR, &o.console_socket },
		{ "pid-file", NULL, CLI_STR, &o.pid_file },
		{ "no-pivot", NULL, CLI_BOOL, &o.no_pivot },
		{ "no-new-keyring", NULL, CLI_BOOL, &o.no_new_keyring },
		{ "preserve-fds", NULL, CLI_INT, &o.preserve_fds },
		{ "detach", "d", CLI_BOOL, &o.detach },
		{ "keep", NULL, CLI_BOOL, &o.keep },
		{ "no-subreaper", NULL, CLI_BOOL, &no_subreaper },
		{ "criu", NULL, CLI_STR, &criu_opts },
		{ NULL, NULL, 0, NULL },
	};

	if (cli_parse(flags, argc, argv, &i, &err) < 0 ||
	    cli_nargs(run ? "run" : "create", argc - i, 1, 1, &err) < 0)
		return cli_fail(&err);
	if (!run && (o.detach || o.keep)) {
		lw_fail(&err, 0, "flag provided but not defined: -%s", o.detach ? "detach" : "keep");
		return cli_fail(&err);
	}
	if (run && o.detach && o.keep) {
		lw_fail(&err, 0, "--detach and --keep cannot both be used");
		return cli_fail(&err);
	}
	o.id = argv[i];
	if (container_create(&o, &status, &err) < 0)
		return cli_fail(&err);
	return run && !o.detach ? status : 0;
}

int cli_create(struct cli_global *g, int argc, char **argv)
{
	return create_or_run(g, argc, argv, false);
}

int cli_run(struct cli_global *g, int argc, char **argv)
{
	return create_or_run(g, argc, argv, true);
}

int cli_start(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	const struct cli_flag flags[] = { { NULL, NULL, 0, NULL } };
	int i = 1;

	if (cli_parse(flags, argc, argv, &i, &err) < 0 || cli_nargs("start", argc - i, 1, 1, &err) < 0)
		return cli_fail(&err);
	if (container_start(g->root, argv[i], &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cli_kill(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	bool all = false;
	const struct cli_flag flags[] = { { "all", "a", CLI_BOOL, &all }, { NULL, NULL, 0, NULL } };
	int i = 1, sig = SIGTERM;

	if (cli_parse(flags, argc, argv, &i, &err) < 0 || cli_nargs("kill", argc - i, 1, 2, &err) < 0)
		return cli_fail(&err);
	if (argc - i == 2) {
		sig = container_parse_signal(argv[i + 1]);
		if (sig < 0) {
			lw_fail(&err, 0, "unknown signal \"%s\"", argv[i + 1]);
			return cli_fail(&err);
		}
	}
	if (container_kill(g->root, argv[i], sig, all, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cli_delete(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	bool force = false;
	const struct cli_flag flags[] = { { "force", "f", CLI_BOOL, &force }, { NULL, NULL, 0, NULL } };
	int i = 1;

	if (cli_parse(flags, argc, argv, &i, &err) < 0 || cli_nargs("delete", argc - i, 1, 1, &err) < 0)
		return cli_fail(&err);
	if (container_delete(g->root, argv[i], force, &err) < 0) {
		/* runc: --force on a container that does not exist succeeds */
		if (force && err && err->errno_ == ENOENT) {
			lw_err_free(&err);
			return 0;
		}
		return cli_fail(&err);
	}
	return 0;
}
