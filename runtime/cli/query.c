/* state, list */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../cgroup/cgroup.h"
#include "../../spec/spec.h"
#include "../cleanup.h"
#include "../state.h"
#include "cli.h"

/* Status including "paused" (a frozen cgroup). */
static enum lw_status full_status(const struct lw_state *st)
{
	enum lw_status s = state_status(st);
	if (s == LW_RUNNING && st->cgroup) {
		struct cgroup *cg = NULL;
		if (cgroup_open(st->cgroup, &cg, NULL) == 0 && cg) {
			if (cgroup_is_frozen(cg) == 1)
				s = LW_PAUSED;
			cgroup_free(cg);
		}
	}
	return s;
}

int cli_state(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	const struct cli_flag flags[] = { { NULL, NULL, 0, NULL } };
	struct lw_state *st = NULL;
	struct spec *spec = NULL;
	int i = 1;

	if (cli_parse(flags, argc, argv, &i, &err) < 0 || cli_nargs("state", argc - i, 1, 1, &err) < 0)
		return cli_fail(&err);
	if (state_load(g->root, argv[i], &st, &err) < 0)
		return cli_fail(&err);
	/* (a state.json written without the annotations: from the config) */
	if (!st->has_annotations && state_load_config(st, &spec, &err) < 0) {
		state_free(st);
		return cli_fail(&err);
	}
	char *json = state_json(st, full_status(st), spec, true);
	if (json)
		printf("%s\n", json);
	free(json);
	spec_free(spec);
	state_free(st);
	return 0;
}

int cli_list(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	const char *format = "table";
	bool quiet = false;
	const struct cli_flag flags[] = {
		{ "format", "f", CLI_STR, &format },
		{ "quiet", "q", CLI_BOOL, &quiet },
		{ NULL, NULL, 0, NULL },
	};
	int i = 1;
	bool json = false, first = true;

	if (cli_parse(flags, argc, argv, &i, &err) < 0 || cli_nargs("list", argc - i, 0, 0, &err) < 0)
		return cli_fail(&err);
	if (!strcmp(format, "json"))
		json = true;
	else if (strcmp(format, "table")) {
		lw_fail(&err, 0, "invalid format option");
		return cli_fail(&err);
	}
	cleanup_strv char **ids = state_list(g->root);
	if (json)
		fputc('[', stdout);
	else if (!quiet)
		printf("%-12s %-10s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	for (size_t k = 0; ids && ids[k]; k++) {
		struct lw_state *st = NULL;
		struct spec *spec = NULL;
		if (state_load(g->root, ids[k], &st, NULL) < 0)
			continue;
		enum lw_status s = full_status(st);
		if (quiet) {
			printf("%s\n", st->id);
		} else if (json) {
			if (!st->has_annotations)
				state_load_config(st, &spec, NULL);
			char *j = state_json(st, s, spec, false);
			printf("%s%s", first ? "" : ",", j ? j : "{}");
			free(j);
			spec_free(spec);
		} else {
			printf("%-12s %-10d %-10s %-40s %-31s %s\n", st->id,
			       s == LW_STOPPED ? 0 : (int)st->pid, state_status_name(s),
			       st->bundle ? st->bundle : "", st->created ? st->created : "",
			       st->owner ? st->owner : "");
		}
		first = false;
		state_free(st);
	}
	if (json)
		fputs("]\n", stdout);
	return 0;
}
