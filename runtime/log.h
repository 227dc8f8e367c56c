/* Logging in runc's formats.  Without --log, messages go to stderr as text;
 * with --log FILE they go to FILE as text or, with --log-format json, one
 * object per line: {"level":"error","msg":"...","time":"RFC3339"}.
 * containerd and CRI-O show the user the last "error" line, so the final
 * error of a command is always logged whole. */
#ifndef LW_LOG_H
#define LW_LOG_H

#include <stdbool.h>

enum lw_log_level { LW_LOG_ERROR = 0, LW_LOG_WARN, LW_LOG_INFO, LW_LOG_DEBUG };

/* path may be NULL (stderr); json selects the JSON line format. Returns -1
 * with errno set if the file cannot be opened. */
int lw_log_init(const char *path, bool json, bool debug);
/* Use an already open fd (e.g. one handed to a child). */
void lw_log_set_fd(int fd, bool json, bool debug);
int lw_log_fd(void);
bool lw_log_is_json(void);
bool lw_log_to_stderr(void);

void lw_log(enum lw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define lw_error(...) lw_log(LW_LOG_ERROR, __VA_ARGS__)
#define lw_warn(...) lw_log(LW_LOG_WARN, __VA_ARGS__)
#define lw_info(...) lw_log(LW_LOG_INFO, __VA_ARGS__)
#define lw_debug(...) lw_log(LW_LOG_DEBUG, __VA_ARGS__)

#endif
