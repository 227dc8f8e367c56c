#define _GNU_SOURCE
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = 2;
static bool log_json;
static bool log_debug;
static bool log_stderr = true;

int lw_log_init(const char *path, bool json, bool debug)
{
	log_json = json;
	log_debug = debug;
	if (path && *path) {
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		log_fd = fd;
		log_stderr = false;
	}
	return 0;
}

void lw_log_set_fd(int fd, bool json, bool debug)
{
	log_fd = fd;
	log_json = json;
	log_debug = debug;
	log_stderr = fd == 2;
}

int lw_log_fd(void)
{
	return log_fd;
}
bool lw_log_is_json(void)
{
	return log_json;
}
bool lw_log_to_stderr(void)
{
	return log_stderr;
}

static const char *level_name[] = { "error", "warning", "info", "debug" };

/* JSON-escape s into a malloc'd string. */
static char *json_escape(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n * 6 + 1), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': *o++ = '\\'; *o++ = '"'; break;
		case '\\': *o++ = '\\'; *o++ = '\\'; break;
		case '\n': *o++ = '\\'; *o++ = 'n'; break;
		case '\r': *o++ = '\\'; *o++ = 'r'; break;
		case '\t': *o++ = '\\'; *o++ = 't'; break;
		default:
			if (*p < 0x20)
				o += sprintf(o, "\\u%04x", *p);
			else
				*o++ = (char)*p;
		}
	}
	*o = 0;
	return out;
}

void lw_log(enum lw_log_level level, const char *fmt, ...)
{
	char *msg = NULL, *line = NULL;
	va_list ap;
	int n;

	if (level == LW_LOG_DEBUG && !log_debug)
		return;
	if (level == LW_LOG_INFO && !log_debug && log_stderr)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;

	struct timespec ts;
	struct tm tm;
	char when[64];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);

	if (log_json) {
		char *esc = json_escape(msg);
		n = asprintf(&line, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s.%09ldZ\"}\n",
			     level_name[level], esc ? esc : "", when, ts.tv_nsec);
		free(esc);
	} else if (log_stderr) {
		n = asprintf(&line, "%s%s\n", level == LW_LOG_ERROR ? "leeward: " : level == LW_LOG_WARN ? "leeward: warning: " : "leeward: ", msg);
	} else {
		n = asprintf(&line, "time=\"%s.%09ldZ\" level=%s msg=\"%s\"\n", when, ts.tv_nsec,
			     level_name[level], msg);
	}
	if (n >= 0) {
		ssize_t r = write(log_fd, line, (size_t)n);
		(void)r;
	}
	free(line);
	free(msg);
}
