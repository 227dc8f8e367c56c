/* uid/gid maps of a new user namespace, written by the parent. */
#ifndef LW_USERNS_H
#define LW_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct spec_linux;

/* Write linux.uidMappings/gidMappings for the user namespace of pid.  As
 * root the maps are written directly; unprivileged, a single mapping of
 * the caller's own ids is written directly (after setgroups "deny"), and
 * anything else goes through newuidmap/newgidmap (shadow's setuid helpers,
 * which check /etc/subuid and /etc/subgid). */
int userns_write_maps(pid_t pid, const struct spec_linux *l, bool rootless, lw_err *err);

/* A user namespace holding the given maps (for idmapped mounts): made by
 * a short-lived child, returned as an O_CLOEXEC fd of its ns file. */
struct spec_id_mapping;
int userns_fd_for_maps(const struct spec_id_mapping *uid, size_t n_uid,
		       const struct spec_id_mapping *gid, size_t n_gid, lw_err *err);

#endif
