/* exec */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "../exec.h"
#include "cli.h"

int cli_exec(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	struct exec_opts o = { .root = g->root };
	struct cli_strlist env = { 0 }, gids = { 0 }, caps = { 0 };
	const char *user = NULL;
	int i = 1, status = 0;
	const struct cli_flag flags[] = {
		{ "process", "p", CLI_STR, &o.process_file },
		{ "tty", "t", CLI_BOOL, &o.tty },
		{ "console-socket", NULL, CLI_STR, &o.console_socket },
		{ "detach", "d", CLI_BOOL, &o.detach },
		{ "pid-file", NULL, CLI_STR, &o.pid_file },
		{ "env", "e", CLI_STRLIST, &env },
		{ "cwd", NULL, CLI_STR, &o.cwd },
		{ "user", "u", CLI_STR, &user },
		{ "additional-gids", "g", CLI_STRLIST, &gids },
		{ "cap", "c", CLI_STRLIST, &caps },
		{ "no-new-privs", NULL, CLI_BOOL, &o.no_new_privs },
		{ "preserve-fds", NULL, CLI_INT, &o.preserve_fds },
		{ "ignore-paused", NULL, CLI_BOOL, &o.ignore_paused },
		{ "process-label", NULL, CLI_STR, &o.process_label },
		{ "apparmor", NULL, CLI_STR, &o.apparmor },
		{ "cgroup", NULL, CLI_STR, &o.cgroup },
		{ NULL, NULL, 0, NULL },
	};

	if (cli_parse(flags, argc, argv, &i, &err) < 0 || cli_nargs("exec", argc - i, 1, -1, &err) < 0)
		goto fail;
	o.id = argv[i];
	o.args = argv + i + 1;
	o.n_args = argc - i - 1;
	o.env = env.v;
	o.additional_gids = gids.v;
	o.caps = caps.v;
	o.user = user;
	if (!o.process_file && o.n_args == 0) {
		lw_fail(&err, 0, "exec: no command given (and no --process)");
		goto fail;
	}
	if (container_exec(&o, &status, &err) < 0)
		goto fail;
	free(env.v);
	free(gids.v);
	free(caps.v);
	return o.detach ? 0 : status;
fail:
	free(env.v);
	free(gids.v);
	free(caps.v);
	/* runc exits 255 when the exec itself fails */
	cli_fail(&err);
	return 255;
}
