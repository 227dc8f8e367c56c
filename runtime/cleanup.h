/* Scope-bound cleanup helpers, one per kind of resource, so that error paths
 * cannot leak: `cleanup_close int fd = open(...)`.  Hand ownership out with
 * take_fd()/take_ptr(). */
#ifndef LW_CLEANUP_H
#define LW_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void lw_freep(void *p)
{
	free(*(void **)p);
}
static inline void lw_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void lw_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void lw_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
/* NULL-terminated vector of malloc'd strings */
static inline void lw_strvfreep(char ***v)
{
	if (*v) {
		for (char **p = *v; *p; p++)
			free(*p);
		free(*v);
	}
}

#define cleanup_free __attribute__((cleanup(lw_freep)))
#define cleanup_close __attribute__((cleanup(lw_closep)))
#define cleanup_fclose __attribute__((cleanup(lw_fclosep)))
#define cleanup_dir __attribute__((cleanup(lw_closedirp)))
#define cleanup_strv __attribute__((cleanup(lw_strvfreep)))

static inline int take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}
#define take_ptr(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _t = (p);                                                            \
		(p) = NULL;                                                                        \
		_t;                                                                                \
	})

#define LW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
