/* Entry points: text or file -> yajl tree -> struct spec / process /
 * resources, and the JSON syntax error message with its position. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "../runtime/cleanup.h"
#include "../runtime/error.h"
#include "internal.h"


/* yajl's tree parser reports errors with a snippet over several lines; find
 * the offset with a callback-less pass and say "line L, column C". */
static char *px_json_error(const char *json, size_t len)
{
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	if (!h)
		return strdup("invalid JSON");
	yajl_config(h, yajl_allow_comments, 1);
	yajl_status st = yajl_parse(h, (const unsigned char *)json, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	char *msg = NULL;
	if (st != yajl_status_ok) {
		/* the count includes the offending byte */
		size_t off = yajl_get_bytes_consumed(h);
		if (off > len)
			off = len;
		if (off > 0)
			off--;
		size_t line = 1, col = 1;
		for (size_t i = 0; i < off; i++) {
			if (json[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		unsigned char *e = yajl_get_error(h, 0, (const unsigned char *)json, len);
		char *nl = e ? strchr((char *)e, '\n') : NULL;
		if (nl)
			*nl = '\0';
		if (asprintf(&msg, "invalid JSON: %s (line %zu, column %zu, offset %zu)",
			     e ? (char *)e : "parse error", line, col, off) < 0)
			msg = NULL;
		if (e)
			yajl_free_error(h, e);
	}
	yajl_free(h);
	return msg;
}

yajl_val px_tree(const char *json, size_t len, char **errmsg)
{
	char ebuf[256];
	ebuf[0] = '\0';
	yajl_val t = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	if (t)
		return t;
	*errmsg = px_json_error(json, len);
	if (!*errmsg) {
		/* yajl_tree saw an error the plain parser does not (e.g. depth) */
		char *nl = strchr(ebuf, '\n');
		if (nl)
			*nl = '\0';
		if (asprintf(errmsg, "invalid JSON: %s", ebuf[0] ? ebuf : "parse error") < 0)
			*errmsg = NULL;
	}
	return NULL;
}

/* yajl_tree_parse wants a NUL-terminated text; copy only when needed. */
static yajl_val px_tree_n(const char *json, size_t len, char **errmsg)
{
	if (memchr(json, '\0', len)) {
		*errmsg = strdup("invalid JSON: NUL byte in input");
		return NULL;
	}
	cleanup_free char *copy = malloc(len + 1);
	if (!copy) {
		*errmsg = strdup("out of memory");
		return NULL;
	}
	memcpy(copy, json, len);
	copy[len] = '\0';
	return px_tree(copy, len, errmsg);
}

typedef int (*px_top_fn)(struct pctx *c, yajl_val v, void *out);

static int px_run(yajl_val t, px_top_fn fn, void *out, char **errmsg)
{
	struct pctx c = { .len = 0 };
	c.path[0] = '\0';
	int r;
	if (t->type != yajl_t_object)
		r = px_fail(&c, "expected a JSON object, got %s", px_type_name(t));
	else
		r = fn(&c, t, out);
	yajl_tree_free(t);
	for (size_t i = 0; i < c.n_warnings; i++)
		free(c.warnings[i]);
	free(c.warnings);
	if (r < 0) {
		*errmsg = c.err ? c.err : strdup("out of memory");
		return -1;
	}
	free(c.err);
	return 0;
}

static int top_spec(struct pctx *c, yajl_val v, void *out)
{
	struct spec *s = px_calloc(c, 1, sizeof(*s));
	if (!s)
		return -1;
	*(struct spec **)out = s;
	int r = px_spec(c, v, s);
	/* the warnings travel with the spec */
	s->warnings = c->warnings;
	s->n_warnings = c->n_warnings;
	c->warnings = NULL;
	c->n_warnings = 0;
	return r;
}

static int top_process(struct pctx *c, yajl_val v, void *out)
{
	return px_process(c, v, out);
}

static int top_resources(struct pctx *c, yajl_val v, void *out)
{
	return px_resources(c, v, out);
}

static int parse_spec_tree(yajl_val t, struct spec **out, char **errmsg)
{
	struct spec *s = NULL;
	*out = NULL;
	if (px_run(t, top_spec, &s, errmsg) < 0) {
		spec_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int spec_parse(const char *json, size_t len, struct spec **out, char **errmsg)
{
	*out = NULL;
	yajl_val t = px_tree_n(json, len, errmsg);
	if (!t)
		return -1;
	return parse_spec_tree(t, out, errmsg);
}

int spec_parse_process(const char *json, size_t len, struct spec_process **out, char **errmsg)
{
	*out = NULL;
	yajl_val t = px_tree_n(json, len, errmsg);
	if (!t)
		return -1;
	struct spec_process *p = NULL;
	if (px_run(t, top_process, &p, errmsg) < 0) {
		spec_process_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int spec_parse_resources(const char *json, size_t len, struct spec_resources **out,
			 char **errmsg)
{
	*out = NULL;
	yajl_val t = px_tree_n(json, len, errmsg);
	if (!t)
		return -1;
	struct spec_resources *r = NULL;
	if (px_run(t, top_resources, &r, errmsg) < 0) {
		spec_resources_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

/* Read a whole file into a NUL-terminated buffer. */
static char *read_file(const char *path, size_t *len, char **errmsg)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (asprintf(errmsg, "open %s: %s", path, lw_strerror(errno)) < 0)
			*errmsg = NULL;
		return NULL;
	}
	size_t cap = st.st_size > 0 ? (size_t)st.st_size + 2 : 4096, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			*errmsg = strdup("out of memory");
			return NULL;
		}
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				*errmsg = strdup("out of memory");
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			if (asprintf(errmsg, "read %s: %s", path, lw_strerror(errno)) < 0)
				*errmsg = NULL;
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static yajl_val load_tree(const char *path, char **errmsg)
{
	size_t len = 0;
	cleanup_free char *buf = read_file(path, &len, errmsg);
	if (!buf)
		return NULL;
	if (strlen(buf) != len) {
		*errmsg = strdup("invalid JSON: NUL byte in input");
		return NULL;
	}
	return px_tree(buf, len, errmsg);
}

int spec_load(const char *path, struct spec **out, char **errmsg)
{
	*out = NULL;
	yajl_val t = load_tree(path, errmsg);
	if (!t)
		return -1;
	return parse_spec_tree(t, out, errmsg);
}

int spec_load_process(const char *path, struct spec_process **out, char **errmsg)
{
	*out = NULL;
	yajl_val t = load_tree(path, errmsg);
	if (!t)
		return -1;
	struct spec_process *p = NULL;
	if (px_run(t, top_process, &p, errmsg) < 0) {
		spec_process_free(p);
		return -1;
	}
	*out = p;
	return 0;
}
