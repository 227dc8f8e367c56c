#define _GNU_SOURCE
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* glibc's wording where musl's differs (see the Makefile's LIBC): error
 * messages read the same whichever C library the binary was built with,
 * and as runc's (Go uses the same text, lower-cased). */
static const char *const glibc_text[] = {
	[EIO] = "Input/output error",
	[ECHILD] = "No child processes",
	[ENOMEM] = "Cannot allocate memory",
	[EBUSY] = "Device or resource busy",
	[EXDEV] = "Invalid cross-device link",
	[EMFILE] = "Too many open files",
	[ENOTTY] = "Inappropriate ioctl for device",
	[ESPIPE] = "Illegal seek",
	[EDOM] = "Numerical argument out of domain",
	[ERANGE] = "Numerical result out of range",
	[EDEADLK] = "Resource deadlock avoided",
	[ENAMETOOLONG] = "File name too long",
	[ELOOP] = "Too many levels of symbolic links",
	[ECHRNG] = "Channel number out of range",
	[EL2NSYNC] = "Level 2 not synchronized",
	[EL3HLT] = "Level 3 halted",
	[EL3RST] = "Level 3 reset",
	[ELNRNG] = "Link number out of range",
	[EUNATCH] = "Protocol driver not attached",
	[ENOCSI] = "No CSI structure available",
	[EL2HLT] = "Level 2 halted",
	[EBADE] = "Invalid exchange",
	[EBADR] = "Invalid request descriptor",
	[EXFULL] = "Exchange full",
	[ENOANO] = "No anode",
	[EBADRQC] = "Invalid request code",
	[EBADSLT] = "Invalid slot",
	[EBFONT] = "Bad font file format",
	[ETIME] = "Timer expired",
	[ENONET] = "Machine is not on the network",
	[ENOPKG] = "Package not installed",
	[EREMOTE] = "Object is remote",
	[EADV] = "Advertise error",
	[ESRMNT] = "Srmount error",
	[ECOMM] = "Communication error on send",
	[EDOTDOT] = "RFS specific error",
	[EOVERFLOW] = "Value too large for defined data type",
	[ENOTUNIQ] = "Name not unique on network",
	[EREMCHG] = "Remote address changed",
	[ELIBACC] = "Can not access a needed shared library",
	[ELIBBAD] = "Accessing a corrupted shared library",
	[ELIBSCN] = ".lib section in a.out corrupted",
	[ELIBMAX] = "Attempting to link in too many shared libraries",
	[ELIBEXEC] = "Cannot exec a shared library directly",
	[EILSEQ] = "Invalid or incomplete multibyte or wide character",
	[ERESTART] = "Interrupted system call should be restarted",
	[ESTRPIPE] = "Streams pipe error",
	[EUSERS] = "Too many users",
	[ENOTSOCK] = "Socket operation on non-socket",
	[EMSGSIZE] = "Message too long",
	[EOPNOTSUPP] = "Operation not supported",
	[EADDRINUSE] = "Address already in use",
	[EADDRNOTAVAIL] = "Cannot assign requested address",
	[ENETUNREACH] = "Network is unreachable",
	[ENETRESET] = "Network dropped connection on reset",
	[ECONNABORTED] = "Software caused connection abort",
	[EISCONN] = "Transport endpoint is already connected",
	[ENOTCONN] = "Transport endpoint is not connected",
	[ESHUTDOWN] = "Cannot send after transport endpoint shutdown",
	[ETOOMANYREFS] = "Too many references: cannot splice",
	[ETIMEDOUT] = "Connection timed out",
	[EHOSTUNREACH] = "No route to host",
	[EINPROGRESS] = "Operation now in progress",
	[EUCLEAN] = "Structure needs cleaning",
	[ENOTNAM] = "Not a XENIX named type file",
	[ENAVAIL] = "No XENIX semaphores available",
	[EISNAM] = "Is a named type file",
	[EDQUOT] = "Disk quota exceeded",
	[EOWNERDEAD] = "Owner died",
	[ERFKILL] = "Operation not possible due to RF-kill",
	[EHWPOISON] = "Memory page has hardware error",
};

const char *lw_strerror(int e)
{
	if (e > 0 && (size_t)e < sizeof(glibc_text) / sizeof(glibc_text[0]) && glibc_text[e])
		return glibc_text[e];
	return strerror(e);
}

int lw_failv(lw_err *err, int errno_, const char *fmt, va_list ap)
{
	char *base = NULL, *full = NULL;

	if (vasprintf(&base, fmt, ap) < 0)
		base = NULL;
	if (errno_ != 0 && base) {
		if (asprintf(&full, "%s: %s", base, lw_strerror(errno_)) < 0)
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
