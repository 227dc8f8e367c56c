/* Helpers of the spec/ unit tests (test_spec.c, test_spec_landlock.c):
 * parse a config written with ' for " and expect success or an exact
 * error message.  Include after unit.h. */
#ifndef LW_SPEC_CASES_H
#define LW_SPEC_CASES_H

#include <string.h>

#include "spec/spec.h"

/* JSON written with ' for " so the cases stay readable. */
static char *J(const char *s)
{
	char *d = strdup(s);
	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

static struct spec *parse_ok(const char *json_q, int line)
{
	char *json = J(json_q), *err = NULL;
	struct spec *s = NULL;
	int r = spec_parse(json, strlen(json), &s, &err);
	if (r != 0) {
		failed++;
		printf("FAIL %s:%d: expected success, got: %s\n", __FILE__, line, err);
	} else {
		passed++;
	}
	free(err);
	free(json);
	return s;
}
#define PARSE_OK(j) parse_ok(j, __LINE__)

static void parse_err(const char *json_q, const char *want, int line)
{
	char *json = J(json_q), *err = NULL, *w = J(want);
	struct spec *s = NULL;
	int r = spec_parse(json, strlen(json), &s, &err);
	if (r == 0) {
		failed++;
		printf("FAIL %s:%d: expected error \"%s\", parse succeeded\n", __FILE__, line, w);
		spec_free(s);
	} else if (!err || strcmp(err, w) != 0) {
		failed++;
		printf("FAIL %s:%d: expected error\n  \"%s\"\ngot\n  \"%s\"\n", __FILE__, line, w,
		       err ? err : "(null)");
	} else {
		passed++;
	}
	if (r != 0)
		CHECK(s == NULL, "out must be NULL on error");
	free(err);
	free(json);
	free(w);
}
#define PARSE_ERR(j, want) parse_err(j, want, __LINE__)

/* A config around a linux/process fragment. */
#define CFG(extra) "{'ociVersion':'1.3.0','root':{'path':'rootfs'}" extra "}"
#define PROC(extra) CFG(",'process':{'cwd':'/','user':{'uid':0,'gid':0}" extra "}")
#define LNX(extra) CFG(",'linux':{" extra "}")

#endif
