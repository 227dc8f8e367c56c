/* With musl (see the Makefile): the glibc-only symbols that Debian's
 * libseccomp.a and libyajl_s.a call.  They were built with
 * _FORTIFY_SOURCE, which turns some calls into checked variants that take
 * the destination's size; the checks are kept (a failed one aborts, as in
 * glibc).  Empty with glibc, which has them. */
#ifndef __GLIBC__
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...);
int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...);
void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen);

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	va_start(ap, fmt);
	r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	va_start(ap, fmt);
	/* (size_t)-1: the compiler did not know the size; musl's vsnprintf
	 * refuses sizes past INT_MAX */
	if (slen > INT_MAX)
		r = vsprintf(s, fmt, ap);
	else
		r = vsnprintf(s, slen, fmt, ap);
	va_end(ap);
	if (slen <= INT_MAX && r >= 0 && (size_t)r >= slen)
		abort(); /* glibc: "buffer overflow detected" */
	return r;
}

int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	if (maxlen > slen)
		abort();
	va_start(ap, fmt);
	r = vsnprintf(s, maxlen, fmt, ap);
	va_end(ap);
	return r;
}

void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen)
{
	if (len > dstlen)
		abort();
	return memcpy(dst, src, len);
}
#endif
