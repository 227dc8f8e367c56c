/* spec, features */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../spec/spec.h"
#include "../landlock.h"
#include "../util.h"
#include "cli.h"

int cli_spec(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	const char *bundle = NULL;
	bool rootless = false;
	const struct cli_flag flags[] = {
		{ "bundle", "b", CLI_STR, &bundle },
		{ "rootless", NULL, CLI_BOOL, &rootless },
		{ NULL, NULL, 0, NULL },
	};
	int i = 1, dirfd, fd;

	if (cli_parse(flags, argc, argv, &i, &err) < 0 || cli_nargs("spec", argc - i, 0, 0, &err) < 0)
		return cli_fail(&err);
	char *json = spec_generate_default(rootless, geteuid(), getegid());
	if (!json) {
		lw_fail(&err, ENOMEM, "generating config.json");
		return cli_fail(&err);
	}
	dirfd = open(bundle ? bundle : ".", O_DIRECTORY | O_PATH | O_CLOEXEC);
	if (dirfd < 0) {
		lw_fail(&err, errno, "--bundle %s", bundle ? bundle : ".");
		free(json);
		return cli_fail(&err);
	}
	fd = openat(dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == EEXIST)
			lw_fail(&err, 0, "File config.json exists. Remove it first");
		else
			lw_fail(&err, errno, "creating config.json");
	} else if (write_all(fd, json, strlen(json)) < 0 || write_all(fd, "\n", 1) < 0) {
		lw_fail(&err, errno, "writing config.json");
	}
	if (fd >= 0)
		close(fd);
	close(dirfd);
	free(json);
	return err ? cli_fail(&err) : 0;
}

int cli_features(struct cli_global *g, int argc, char **argv)
{
	lw_err err = NULL;
	const struct cli_flag flags[] = { { NULL, NULL, 0, NULL } };
	int i = 1;

	if (cli_parse(flags, argc, argv, &i, &err) < 0 ||
	    cli_nargs("features", argc - i, 0, 0, &err) < 0)
		return cli_fail(&err);
	char *json = spec_generate_features(LW_VERSION, lw_landlock_abi());
	if (!json) {
		lw_fail(&err, ENOMEM, "features");
		return cli_fail(&err);
	}
	printf("%s\n", json);
	free(json);
	return 0;
}
