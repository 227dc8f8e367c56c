# Shared helpers of the drop-in tests (podman.bats, containerd.bats): leeward
# driven by the real tools instead of by hand.  Loaded after helpers.bash.
#
#   DROPIN_RUNTIME   the runtime the tools drive: a path or a name in $PATH
#                    (default: $LEEWARD, i.e. build/leeward).  `runc` runs the
#                    same files against runc, as a control of the tests.

DROPIN_DIR=$REPO/tests/dropin

# dropin_runtime: the absolute path of the runtime under test.
dropin_runtime() {
	local r=${DROPIN_RUNTIME:-$LEEWARD}
	[ "$r" = leeward ] && ! command -v leeward >/dev/null && r=$LEEWARD
	[[ $r == */* ]] || r=$(command -v "$r" || true)
	[ -n "$r" ] && [ -x "$r" ] || return 1
	(cd "$(dirname "$r")" && echo "$(pwd -P)/$(basename "$r")")
}

# dropin_runtime_name: "runc" or "leeward" (for messages and skips).
dropin_runtime_name() {
	basename "$(readlink -f "$(dropin_runtime)")"
}

# cgroup_tree_dirs PATH: the dirs of cgroup PATH (absolute, e.g. /leeward-dropin)
# in every hierarchy of this host.
cgroup_tree_dirs() {
	local d
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		echo "/sys/fs/cgroup$1"
		return
	fi
	for d in /sys/fs/cgroup/*/; do
		[ -e "${d}cgroup.procs" ] && echo "${d%/}$1"
	done
}

# cgroup_tree_procs PATH: pids of the processes left anywhere under PATH.
cgroup_tree_procs() {
	local d
	for d in $(cgroup_tree_dirs "$1"); do
		[ -d "$d" ] && find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
	done | sort -un
}

# cgroup_tree_remove PATH: kill what is left under PATH and remove its dirs
# (depth first) in every hierarchy.  Only ever called on our own paths.
cgroup_tree_remove() {
	local path=$1 d p i
	case $path in
	/leeward-dropin*) ;;
	*) echo "cgroup_tree_remove: refusing '$path'" >&2; return 1 ;;
	esac
	for ((i = 0; i < 20; i++)); do
		p=$(cgroup_tree_procs "$path")
		[ -z "$p" ] && break
		kill -9 $p 2>/dev/null
		sleep 0.1
	done
	for d in $(cgroup_tree_dirs "$path"); do
		[ -d "$d" ] || continue
		# a frozen v1 freezer cgroup keeps its killed tasks: thaw first
		find "$d" -name freezer.state -exec sh -c 'echo THAWED >"$1"' _ {} \; 2>/dev/null
		find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	for d in $(cgroup_tree_dirs "$path"); do
		[ -d "$d" ] && { echo "cgroup_tree_remove: $d is still there" >&2; return 1; }
	done
	return 0
}

# umount_under DIR: detach every mount at or below DIR (deepest first).
umount_under() {
	awk -v b="$1" '$5 == b || index($5, b "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
}

# wait_until SECONDS CMD...: CMD succeeds within SECONDS (polled every 0.1 s).
wait_until() {
	local n=$(($1 * 10)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# v1_cgroup_file PID CONTROLLER FILE: the host path of FILE in PID's cgroup of
# the v1 CONTROLLER (or, on a pure v2 host, in its unified cgroup).
v1_cgroup_file() {
	local pid=$1 ctrl=$2 file=$3 path
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		echo "/sys/fs/cgroup$path/$file"
		return
	fi
	path=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
	[ -n "$path" ] || return 1
	echo "/sys/fs/cgroup/$ctrl$path/$file"
}

# file_skip REASON: in setup_file, skip every test of the file (bats 1.8,
# Debian 12's, cannot skip from setup_file); setup calls skip_if_file_skipped.
file_skip() {
	export DROPIN_FILE_SKIP=$1
}
skip_if_file_skipped() {
	[ -z "${DROPIN_FILE_SKIP:-}" ] || skip "$DROPIN_FILE_SKIP"
}
