/* The state directory: ROOT/ID/ holds state.json (what the runtime needs to
 * find the container again), config.json (the config as it was at create),
 * and exec.fifo while the container is "created".
 *
 * The directory is locked with flock() while a command changes it; the
 * status is derived, never stored: stopped when the init process is gone
 * (checked by pid *and* start time, so a reused pid is not mistaken for
 * the container), created while exec.fifo exists, paused when the cgroup
 * is frozen, else running. */
#ifndef LW_STATE_H
#define LW_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct spec;

enum lw_status { LW_CREATING, LW_CREATED, LW_RUNNING, LW_PAUSED, LW_STOPPED };
const char *state_status_name(enum lw_status s);

struct lw_state {
	char *id;
	char *dir; /* ROOT/ID */
	int dir_fd;
	pid_t pid;
	unsigned long long pid_start; /* /proc/PID/stat field 22 */
	char *bundle;
	char *rootfs;
	char *created; /* RFC3339 */
	char *owner;
	char *cgroup; /* cgroup_saved() string, may be NULL */
	bool rootless;
	bool userns;
	/* config.json has poststart hooks: 1 yes, 0 no, -1 unknown (a state
	 * written without the field).  Lets start skip parsing the config. */
	int poststart;
	/* config.json's annotations, kept in state.json so `state` and `list`
	 * need not parse the config; has_annotations is false for a state
	 * written without them.  Owned when loaded, borrowed when saved. */
	bool has_annotations;
	struct spec_kv *annotations;
	size_t n_annotations;
};

/* Default --root: /run/leeward for root, $XDG_RUNTIME_DIR/leeward else. */
const char *state_default_root(void);

/* Validate a container ID (runc's rules: [A-Za-z0-9_+.-]+, not . or ..,
 * at most 255 bytes). */
int state_check_id(const char *id, lw_err *err);

/* Create ROOT/ID exclusively and lock it.  Fails with "container with id
 * exists" if it is there.  Returns the dir fd. */
int state_create(const char *root, const char *id, char **dir_out, lw_err *err);
/* Remove ROOT/ID and everything in it. */
int state_remove(const char *root, const char *id);

/* Write state.json atomically (tmp + rename). */
int state_save(const struct lw_state *st, lw_err *err);
/* Load and lock ROOT/ID. err says "container does not exist" (errno ENOENT)
 * when there is no such container. */
int state_load(const char *root, const char *id, struct lw_state **out, lw_err *err);
void state_free(struct lw_state *st);

/* Other files of the state dir. */
#define LW_LANDLOCK_PINS "landlock.pins" /* where Landlock rule paths led at create */
/* Write NAME in the state dir dir_fd (new, 0600; dir is its path, for
 * messages). */
int state_write_file(int dir_fd, const char *dir, const char *name, const char *buf, size_t len,
		     lw_err *err);
/* Read NAME of the state dir: 1 with *out (NUL-terminated), 0 when there is
 * no such file, -1 on an error. */
int state_read_file(const struct lw_state *st, const char *name, char **out, lw_err *err);

/* Parse the config copy kept in the state dir. */
int state_load_config(const struct lw_state *st, struct spec **out, lw_err *err);

/* Derived status (see above). */
enum lw_status state_status(const struct lw_state *st);
/* true if pid is alive and is the same process (start time matches). */
bool state_pid_alive(pid_t pid, unsigned long long start);
/* Start time of pid from /proc/PID/stat, 0 if gone. */
unsigned long long state_pid_start(pid_t pid);

/* The state JSON (runtime.md) for hooks and `state`: the annotations from
 * st when it has them, else from spec (may be NULL). */
char *state_json(const struct lw_state *st, enum lw_status status, const struct spec *spec,
		 bool pretty);

/* Names of containers under root (malloc'd NULL-terminated vector). */
char **state_list(const char *root);

/* Now as RFC3339 with nanoseconds, malloc'd. */
char *state_now_rfc3339(void);

#endif
