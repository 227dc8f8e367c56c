/* One file per command: parse flags (Go flag style, as runc's CLI takes
 * them: -flag, --flag, --flag=value, --flag value; parsing stops at the
 * first argument that is not a flag), call the lifecycle API, print, and
 * return the exit status. */
#ifndef LW_CLI_H
#define LW_CLI_H

#include <stdbool.h>

#include "../error.h"

struct cli_global {
	const char *root;
	const char *log;
	const char *log_format;
	bool debug;
	bool systemd_cgroup;
	const char *rootless;
	const char *criu;
};

enum cli_flag_kind { CLI_BOOL, CLI_STR, CLI_INT, CLI_STRLIST, CLI_UINT_LIST };

struct cli_flag {
	const char *name;  /* "bundle" */
	const char *alias; /* "b", may be NULL */
	enum cli_flag_kind kind;
	void *dst; /* bool*, const char**, int*, struct cli_strlist* */
};

struct cli_strlist {
	const char **v;
	int n;
};

/* Parse flags from argv[*i] on; *i ends at the first positional argument.
 * Returns -1 with err on an unknown flag or a missing/bad value. */
int cli_parse(const struct cli_flag *flags, int argc, char **argv, int *i, lw_err *err);
/* runc's argument-count messages: `"create" requires exactly 1 argument(s)` */
int cli_nargs(const char *cmd, int have, int min, int max, lw_err *err);

/* Print err (to the log, and to stderr when logging elsewhere) and return 1. */
int cli_fail(lw_err *err);

typedef int (*cli_cmd_fn)(struct cli_global *g, int argc, char **argv);

int cli_create(struct cli_global *g, int argc, char **argv);
int cli_run(struct cli_global *g, int argc, char **argv);
int cli_start(struct cli_global *g, int argc, char **argv);
int cli_state(struct cli_global *g, int argc, char **argv);
int cli_kill(struct cli_global *g, int argc, char **argv);
int cli_delete(struct cli_global *g, int argc, char **argv);
int cli_list(struct cli_global *g, int argc, char **argv);
int cli_spec(struct cli_global *g, int argc, char **argv);
int cli_features(struct cli_global *g, int argc, char **argv);
int cli_exec(struct cli_global *g, int argc, char **argv);
int cli_pause(struct cli_global *g, int argc, char **argv);
int cli_resume(struct cli_global *g, int argc, char **argv);
int cli_ps(struct cli_global *g, int argc, char **argv);
int cli_events(struct cli_global *g, int argc, char **argv);
int cli_update(struct cli_global *g, int argc, char **argv);

#endif
