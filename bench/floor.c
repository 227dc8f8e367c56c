/* floor: the kernel's floor for starting a container, for the benchmark.
 *
 *   floor [-c] ROOTFS [CMD ARGS...]      (CMD defaults to /bin/true)
 *
 * The least a runtime has to do: clone3 with new user, pid, mount, net, ipc
 * and uts namespaces (-c: also CLONE_INTO_CGROUP into a fresh cgroup made
 * and removed around the run), uid/gid maps written by the parent, and in the
 * child: rootfs made private, bind-mounted, /proc mounted, pivot_root, then
 * execve. The parent waits and exits with the child's status. No config
 * parsing, no state, no security setup: whatever a runtime costs above this
 * is its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die(path);
	close(fd);
}

static int child(const char *rootfs, char **argv, int syncfd)
{
	char c;
	/* Wait for the uid/gid maps. */
	if (read(syncfd, &c, 1) != 1)
		die("sync read");
	close(syncfd);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind rootfs");
	if (chdir(rootfs) < 0)
		die("chdir rootfs");
	/* proc before pivot_root: in a user namespace the kernel only allows a
	 * new proc mount while a fully visible one exists in the namespace. */
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("mount proc");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("umount old root");
	if (chdir("/") < 0)
		die("chdir /");
	char *envp[] = { "PATH=/bin:/usr/bin:/sbin:/usr/sbin", NULL };
	execve(argv[0], argv, envp);
	die(argv[0]);
	return 125;
}

int main(int argc, char **argv)
{
	int use_cgroup = 0, opt;
	while ((opt = getopt(argc, argv, "+c")) != -1) {
		if (opt == 'c')
			use_cgroup = 1;
		else {
			fprintf(stderr, "usage: floor [-c] ROOTFS [CMD ARGS...]\n");
			return 125;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: floor [-c] ROOTFS [CMD ARGS...]\n");
		return 125;
	}
	const char *rootfs = argv[optind];
	char *deflt[] = { "/bin/true", NULL };
	char **cmd = optind + 1 < argc ? argv + optind + 1 : deflt;

	char cgpath[128] = "";
	int cgfd = -1;
	if (use_cgroup) {
		struct statfs sf;
		const char *root = "/sys/fs/cgroup";
		if (statfs(root, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
			root = "/sys/fs/cgroup/unified";
		snprintf(cgpath, sizeof cgpath, "%s/leeward-floor-%d", root, getpid());
		if (mkdir(cgpath, 0755) < 0)
			die(cgpath);
		cgfd = open(cgpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cgfd < 0)
			die(cgpath);
	}

	int sp[2];
	if (pipe2(sp, O_CLOEXEC) < 0)
		die("pipe2");

	struct clone_args ca;
	memset(&ca, 0, sizeof ca);
	ca.flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC |
		   CLONE_NEWUTS;
	ca.exit_signal = SIGCHLD;
	if (cgfd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgfd;
	}
	long pid = syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0)
		die("clone3");
	if (pid == 0) {
		close(sp[1]);
		_exit(child(rootfs, cmd, sp[0]));
	}
	close(sp[0]);

	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/uid_map", pid);
	write_file(path, "0 0 65536\n");
	snprintf(path, sizeof path, "/proc/%ld/gid_map", pid);
	write_file(path, "0 0 65536\n");
	if (write(sp[1], "x", 1) != 1)
		die("sync write");
	close(sp[1]);

	int st;
	while (waitpid((pid_t)pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (cgfd >= 0) {
		close(cgfd);
		if (rmdir(cgpath) < 0)
			die(cgpath);
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}
