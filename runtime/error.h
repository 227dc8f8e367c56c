/* The one error type of leeward.
 *
 * A function that can fail returns a negative value and fills *err; the
 * caller either handles it, adds context with lw_wrap() and returns, or (in
 * main only) prints it.  Messages read outermost-first:
 *   "creating cgroup /a/b: writing memory.max: Device or resource busy"
 *
 * This header and error.c, log.h/log.c and cleanup.h are leaf utilities
 * (libc only) shared by every module; they are not "runtime/" logic.
 */
#ifndef LW_ERROR_H
#define LW_ERROR_H

#include <stdarg.h>

struct lw_error {
	int errno_; /* 0 when the failure is not a syscall's */
	char *msg;  /* full message, context first */
};
typedef struct lw_error *lw_err;

/* strerror(e), in glibc's words whatever the C library. */
const char *lw_strerror(int e);

/* Set *err to fmt (+ ": strerror(errno_)" when errno_ != 0). Returns -1.
 * If *err is already set it is replaced. */
int lw_fail(lw_err *err, int errno_, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int lw_failv(lw_err *err, int errno_, const char *fmt, va_list ap);

/* Prefix context: "ctx: <old message>". Returns -1. */
int lw_wrap(lw_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void lw_err_free(lw_err *err);

static inline void lw_err_cleanup(lw_err *err)
{
	lw_err_free(err);
}
#define cleanup_err __attribute__((cleanup(lw_err_cleanup)))

#endif
