/* The unit tests' harness: counters, CHECK, SKIP and two helpers.  Each
 * tests/unit/test_*.c is one program that includes this once and ends with
 * `printf("NAME: %d passed, %d failed\n", passed, failed)`. */
#ifndef LW_UNIT_H
#define LW_UNIT_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/cleanup.h"
#include "runtime/error.h"

static int passed, failed;

/* CHECK(cond, fmt, ...): count cond; on failure say where, what and why. */
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			fprintf(stderr, "FAIL %s:%d: %s: ", __func__, __LINE__, #cond);            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

/* SKIP(fmt, ...): a part this host cannot run, and why. */
#define SKIP(...)                                                                                  \
	do {                                                                                       \
		printf("SKIP %s: ", __func__);                                                     \
		printf(__VA_ARGS__);                                                               \
		putchar('\n');                                                                     \
	} while (0)

static inline const char *msg_of(lw_err e)
{
	return e && e->msg ? e->msg : "(no error)";
}

/* A small file's content (up to 16 KiB), malloc'd; NULL if unreadable. */
static inline char *slurp(const char *path)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[16384];
	if (fd < 0)
		return NULL;
	ssize_t r = read(fd, buf, sizeof(buf) - 1);
	if (r < 0)
		return NULL;
	buf[r] = '\0';
	return strdup(buf);
}

#endif
