/* Terminals: the pty made inside the container and handed over a console
 * socket exactly as runc does (SCM_RIGHTS, the pty's path as the message
 * data), and the foreground side of `run` (signal forwarding, tty proxy). */
#ifndef LW_CONSOLE_H
#define LW_CONSOLE_H

#include <sys/types.h>

#include "error.h"

struct spec_process;

/* In the container, after /dev/pts is mounted and the root pivoted: make a
 * pty, send its master over console_fd, bind the slave over /dev/console
 * (bind_console), make it the controlling terminal and stdio. */
int console_setup(int console_fd, const struct spec_process *p, int bind_console, lw_err *err);

/* Receive a pty master sent by console_setup(). */
int console_receive_master(int sock, int *master, lw_err *err);

struct run_io {
	pid_t pid;        /* the container init, our child */
	int master;       /* pty master to proxy, -1 if none */
	int console_peer; /* our end of the console socketpair, -1 if none */
};

/* Foreground `run`/`exec`: every signal is blocked by the caller; forward
 * them to io->pid (SIGWINCH resizes the pty), proxy stdin/stdout to the
 * master when there is one, reap, and return the wait status. */
int console_wait_foreground(struct run_io *io, int *wstatus);

#endif
