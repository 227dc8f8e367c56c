#define _GNU_SOURCE
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lw_failv(lw_err *err, int errno_, const char *fmt, va_list ap)
{
	char *base = NULL, *full = NULL;

	if (vasprintf(&base, fmt, ap) < 0)
		base = NULL;
	if (errno_ != 0 && base) {
		if (asprintf(&full, "%s: %s", base, strerror(errno_)) < 0)
			full = NULL;
		free(base);
	} else {
		full = base;
	}
	if (!err)
		goto out;
	lw_err_free(err);
	*err = calloc(1, sizeof(**err));
	if (!*err)
		goto out;
	(*err)->errno_ = errno_;
	(*err)->msg = full ? full : strdup("out of memory");
	return -1;
out:
	free(full);
	return -1;
}

int lw_fail(lw_err *err, int errno_, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lw_failv(err, errno_, fmt, ap);
	va_end(ap);
	return -1;
}

int lw_wrap(lw_err *err, const char *fmt, ...)
{
	char *ctx = NULL, *full = NULL;
	va_list ap;

	if (!err || !*err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	if (ctx && asprintf(&full, "%s: %s", ctx, (*err)->msg ? (*err)->msg : "") >= 0) {
		free((*err)->msg);
		(*err)->msg = full;
	}
	free(ctx);
	return -1;
}

void lw_err_free(lw_err *err)
{
	if (err && *err) {
		free((*err)->msg);
		free(*err);
		*err = NULL;
	}
}
