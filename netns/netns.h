/* Network namespace setup over rtnetlink. */
#ifndef LW_NETNS_H
#define LW_NETNS_H

#include "../runtime/error.h"

/* Bring the loopback interface of the calling thread's network namespace
 * up (IFF_UP on "lo"); the kernel adds 127.0.0.1/8 and ::1 itself. */
int netns_loopback_up(lw_err *err);

/* Set IFF_UP on the link `name` of the calling thread's network namespace. */
int netns_link_up(const char *name, lw_err *err);

/* Move the link `host_name` of the calling thread's network namespace into
 * the namespace of `netns_fd` (an open /proc/PID/ns/net or bind-mounted
 * netns file) and, when new_name is set and differs, rename it there
 * (linux.netDevices: name).  The move takes the link down; bring it up from
 * inside with netns_link_up().  The kernel keeps MTU and hardware address
 * but drops the link's IP addresses on a namespace move: saving and
 * re-adding them (as the runtime-spec asks) is the caller's job.
 * Not atomic: the kernel moves, then renames; if the rename fails (EEXIST,
 * a name taken in the target), the link is already in the target under its
 * host name, and the error says so only by the errno. */
int netns_move_link(const char *host_name, const char *new_name, int netns_fd, lw_err *err);

#endif
