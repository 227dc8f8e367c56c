#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "cli.h"

static const struct cli_flag *find(const struct cli_flag *flags, const char *name, size_t len)
{
	for (const struct cli_flag *f = flags; f->name; f++) {
		if (strlen(f->name) == len && !strncmp(f->name, name, len))
			return f;
		if (f->alias && strlen(f->alias) == len && !strncmp(f->alias, name, len))
			return f;
	}
	return NULL;
}

int cli_parse(const struct cli_flag *flags, int argc, char **argv, int *i, lw_err *err)
{
	while (*i < argc) {
		char *a = argv[*i];
		if (a[0] != '-' || a[1] == 0)
			return 0;
		if (!strcmp(a, "--")) {
			(*i)++;
			return 0;
		}
		const char *name = a + 1 + (a[1] == '-');
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct cli_flag *f = find(flags, name, len);
		if (!f && (!strcmp(name, "help") || !strcmp(name, "h"))) {
			/* `leeward CMD --help`: the command's flags, exit 0 */
			printf("usage: leeward %s [command options] [arguments...]\n\noptions:\n",
			       argv[0]);
			for (const struct cli_flag *k = flags; k->name; k++)
				printf("   --%s%s%s%s\n", k->name, k->alias ? ", -" : "",
				       k->alias ? k->alias : "", k->kind == CLI_BOOL ? "" : " value");
			exit(0);
		}
		if (!f)
			return lw_fail(err, 0, "flag provided but not defined: -%.*s", (int)len, name);
		(*i)++;
		if (f->kind == CLI_BOOL) {
			bool v = true;
			if (eq)
				v = !strcmp(eq + 1, "true") || !strcmp(eq + 1, "1");
			*(bool *)f->dst = v;
			continue;
		}
		const char *val = eq ? eq + 1 : NULL;
		if (!val) {
			if (*i >= argc)
				return lw_fail(err, 0, "flag needs an argument: -%s", f->name);
			val = argv[(*i)++];
		}
		switch (f->kind) {
		case CLI_STR:
			*(const char **)f->dst = val;
			break;
		case CLI_INT: {
			char *end;
			errno = 0;
			long n = strtol(val, &end, 10);
			if (errno || *end || n < 0 || n > 1 << 20)
				return lw_fail(err, 0, "invalid value \"%s\" for flag -%s", val, f->name);
			*(int *)f->dst = (int)n;
			break;
		}
		case CLI_STRLIST: {
			struct cli_strlist *l = f->dst;
			const char **nv = realloc(l->v, sizeof(char *) * (size_t)(l->n + 2));
			if (!nv)
				return lw_fail(err, ENOMEM, "flags");
			l->v = nv;
			l->v[l->n++] = val;
			l->v[l->n] = NULL;
			break;
		}
		default:
			break;
		}
	}
	return 0;
}

int cli_nargs(const char *cmd, int have, int min, int max, lw_err *err)
{
	if (min == max && have != min)
		return lw_fail(err, 0, "\"%s\" requires exactly %d argument(s)", cmd, min);
	if (have < min)
		return lw_fail(err, 0, "\"%s\" requires a minimum of %d argument(s)", cmd, min);
	if (max >= 0 && have > max)
		return lw_fail(err, 0, "\"%s\" requires a maximum of %d argument(s)", cmd, max);
	return 0;
}

int cli_fail(lw_err *err)
{
	const char *msg = err && *err && (*err)->msg ? (*err)->msg : "unknown error";
	lw_error("%s", msg);
	if (!lw_log_to_stderr())
		fprintf(stderr, "leeward: %s\n", msg);
	lw_err_free(err);
	return 1;
}
