/* The parent<->child protocol of container creation.  See sync.c for the
 * table of messages. */
#ifndef LW_SYNC_H
#define LW_SYNC_H

#include <sys/types.h>

#include "error.h"

enum sync_type {
	SYNC_GO = 1,
	SYNC_USERMAP,
	SYNC_USERMAP_DONE,
	SYNC_INIT_PID,
	SYNC_HOOKS,
	SYNC_HOOKS_DONE,
	SYNC_SECCOMP,
	SYNC_SECCOMP_DONE,
	SYNC_READY,
	SYNC_START,
	SYNC_ERROR,
	SYNC_LANDLOCK_PIN,
};

#define SYNC_TEXT_MAX 4000

struct sync_msg {
	int type;
	int err;   /* SYNC_ERROR: errno, 0 if none */
	pid_t pid; /* SYNC_INIT_PID */
	char text[SYNC_TEXT_MAX]; /* SYNC_ERROR message, NUL-terminated */
};

/* Send a message; fd >= 0 is attached with SCM_RIGHTS. -1 with errno. */
int sync_send(int sock, int type, int err, pid_t pid, const char *text, int fd);
/* Receive one message. Returns 1 on a message, 0 on EOF, -1 with errno.
 * *fd_out (if not NULL) gets an attached fd or -1. */
int sync_recv(int sock, struct sync_msg *m, int *fd_out);
/* Receive and require `type`: a SYNC_ERROR becomes *err with the child's
 * message, EOF becomes "container init exited before <what>". */
int sync_expect(int sock, int type, const char *what, int *fd_out, lw_err *err);

/* Child side: report err over the socket (best effort). */
void sync_send_error(int sock, const struct lw_error *e);

#endif
