#!/bin/bash
# Shared helpers of the integration suite (bats-core).
#
#   LEEWARD     the runtime under test (default: build/leeward of this repo;
#               LEEWARD=runc runs the suite against runc to check the tests)
#   LEEWARD_VM  1 in the VM lane (pure cgroup v2 kernel)
#
# Each test gets its own state dir ($ROOT, passed as --root), its own bundle
# ($BUNDLE, the cwd of the test) and its own cgroup path ($CGROUP_PATH,
# set as linux.cgroupsPath).  teardown force-deletes what the test left and
# fails the test if the runtime left anything behind.

bats_require_minimum_version 1.5.0

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LEEWARD=${LEEWARD:-$REPO/build/leeward}
if [[ $LEEWARD != */* ]]; then
	LEEWARD=$(command -v "$LEEWARD")
fi
LWTEST=${LWTEST:-$REPO/build/lwtest}
SCHEMA_DIR=${SCHEMA_DIR:-}
# How long any single runtime command may take before the test fails.
LW_TIMEOUT=${LW_TIMEOUT:-30}

# The runtime's name, for the few messages that differ (runc|leeward).
LEEWARD_NAME=$(basename "$LEEWARD")

# --- the runtime -----------------------------------------------------------

# lw ARGS...: run the runtime with the test's --root.  fd 3 (bats' own
# output) is closed so a leaked descriptor cannot hang the suite.
#
# A created or detached container keeps the stdio it was given; if that is
# the pipe of bats' `run`, `run` would wait for it forever.  So when stdout
# is a pipe, `create` and `run -d` get a file as stdio (stdin /dev/null),
# and the file is printed when the runtime returns.
lw() {
	local a detached=0
	for a in "$@"; do
		case $a in
		create | -d | --detach) detached=1 ;;
		esac
	done
	if [ "$detached" = 1 ] && [ -p /dev/stdout ]; then
		local out rc=0
		out=$(mktemp "$BATS_TEST_TMPDIR/lw-out.XXXXXX")
		timeout --foreground --kill-after=5 "$LW_TIMEOUT" "$LEEWARD" --root "$ROOT" "$@" \
			</dev/null >"$out" 2>&1 3>&- || rc=$?
		cat "$out"
		return $rc
	fi
	timeout --foreground --kill-after=5 "$LW_TIMEOUT" "$LEEWARD" --root "$ROOT" "$@" 3>&-
}

# lw_bg ARGS...: the same, in the background, for tests that signal the
# runtime process itself ($! is the runtime's pid, no wrapper in between).
lw_bg() {
	"$LEEWARD" --root "$ROOT" "$@" 3>&- &
}

# --- the root filesystem and the bundle --------------------------------------

# The busybox rootfs is made once per bats run and copied per test.
rootfs_cache() {
	local cache=${LW_ROOTFS_CACHE:-$BATS_RUN_TMPDIR/rootfs-cache}
	if [ ! -e "$cache/.done" ]; then
		(
			flock 9
			if [ ! -e "$cache/.done" ]; then
				rm -rf "$cache"
				"$REPO/contrib/mkrootfs.sh" "$cache" >&2 || exit 1
				touch "$cache/.done"
			fi
		) 9>"$cache.lock" || fail "contrib/mkrootfs.sh failed"
	fi
	echo "$cache"
}

# The config every test starts from: what `runc spec` writes, with args that
# keep the container alive, no terminal, and the test's own cgroup path.
default_config() {
	cat <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ "sleep", "3600" ],
    "env": [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm" ],
    "cwd": "/",
    "capabilities": {
      "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "ambient": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
    },
    "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": false },
  "hostname": "leeward",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
      "options": [ "nosuid", "noexec", "nodev" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": [ "nosuid", "noexec", "nodev", "ro" ] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
      "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] }
  ],
  "linux": {
    "cgroupsPath": "$CGROUP_PATH",
    "resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
    "namespaces": [
      { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
      { "type": "uts" }, { "type": "mount" }
    ],
    "maskedPaths": [
      "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
      "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
      "/proc/scsi"
    ],
    "readonlyPaths": [
      "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"
    ]
  }
}
EOF
}

# setup_bundle: a fresh bundle in $BUNDLE (the test's cwd) with the rootfs
# and the default config; sets ROOT, BUNDLE, CGROUP_PATH.
setup_bundle() {
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	ROOT=$BATS_TEST_TMPDIR/state
	CGROUP_PATH=/leeward-test-${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}-$$
	mkdir -p "$BUNDLE" "$ROOT"
	cp -a "$(rootfs_cache)" "$BUNDLE/rootfs"
	rm -f "$BUNDLE/rootfs/.done"
	default_config >"$BUNDLE/config.json"
	cd "$BUNDLE" || fail "cd $BUNDLE"
	record_host_state
}

# update_config JQ [BUNDLE]: rewrite config.json through a jq filter.
update_config() {
	local cfg=${2:-$BUNDLE}/config.json
	jq "$1" "$cfg" >"$cfg.new" || fail "update_config: jq '$1' failed"
	mv "$cfg.new" "$cfg"
}

# set_args ARG...: process.args = the given words.
set_args() {
	local cfg=$BUNDLE/config.json args a
	# (jq --args would parse words like -c as its own options)
	args=$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -s -c .)
	jq --argjson a "$args" '.process.args = $a' "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
}

# Make the config the one `runc spec --rootless` would write.
rootless_config() {
	local uid=${1:-$(id -u)} gid=${2:-$(id -g)}
	update_config '
	  .linux.namespaces = [{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"user"}]
	  | .linux.uidMappings = [{"hostID":'"$uid"',"containerID":0,"size":1}]
	  | .linux.gidMappings = [{"hostID":'"$gid"',"containerID":0,"size":1}]
	  | del(.linux.resources) | del(.linux.cgroupsPath)
	  | .mounts |= map(select(.type != "cgroup" and .destination != "/sys"))
	  | .mounts += [{"destination":"/sys","type":"none","source":"/sys","options":["rbind","nosuid","noexec","nodev","ro"]}]
	  | .mounts |= map(if .destination == "/dev/pts" then .options -= ["gid=5"] else . end)
	  | .mounts |= map(if .destination == "/dev/mqueue" then .type = "tmpfs" | .source = "tmpfs" else . end)'
}

# userns_config [HOSTID]: a new user namespace mapping 0..65535 to
# HOSTID.. (default 100000); the rootfs is chowned to match and the path
# to the bundle made traversable for the mapped ids.
userns_config() {
	local h=${1:-100000}
	update_config '.linux.namespaces += [{"type":"user"}]
	  | .linux.uidMappings = [{"containerID":0,"hostID":'"$h"',"size":65536}]
	  | .linux.gidMappings = [{"containerID":0,"hostID":'"$h"',"size":65536}]
	  | .mounts |= map(select(.type != "cgroup"))'
	chown -R "$h:$h" "$BUNDLE/rootfs"
	chmod a+x "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR/test" "$BATS_TEST_TMPDIR" "$BUNDLE"
}

# --- container state ------------------------------------------------------

# Ids the test created (for teardown): the runtime's own list, plus any id
# with a state dir.
known_ids() {
	{
		lw list -q 2>/dev/null
		[ -d "$ROOT" ] && ls -1 "$ROOT" 2>/dev/null
	} | sort -u
}

# state_field ID JQ: one field of `state ID`.
state_field() {
	lw state "$1" 2>/dev/null | jq -r "$2"
}

container_pid() {
	state_field "$1" .pid
}

# testcontainer ID STATUS: `state ID` works and says STATUS.
testcontainer() {
	run lw state "$1"
	if [ "$2" = "stopped" ] && [ "$status" -ne 0 ]; then
		echo "state $1 failed: $output" >&2
	fi
	[ "$status" -eq 0 ] || fail "state $1 failed ($status): $output"
	local st
	st=$(jq -r .status <<<"$output") || fail "state $1 printed no JSON: $output"
	[ "$st" = "$2" ] || fail "container $1 is '$st', expected '$2'"
}

# wait_for_container ATTEMPTS DELAY ID [STATUS]: until `state ID` works
# (and says STATUS, if given).
wait_for_container() {
	local attempts=$1 delay=$2 id=$3 want=${4:-} i st
	for ((i = 0; i < attempts; i++)); do
		st=$(state_field "$id" .status)
		if [ -n "$st" ] && { [ -z "$want" ] || [ "$st" = "$want" ]; }; then
			return 0
		fi
		sleep "$delay"
	done
	fail "container $id did not reach '${want:-any}' (last: '${st:-none}')"
}

# wait_for_file PATH [SECONDS]
wait_for_file() {
	local i
	for ((i = 0; i < ${2:-10} * 20; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	fail "timed out waiting for $1"
}

# assert_pid_gone PID: the process dies within ~3 s (a zombie counts as dead).
assert_pid_gone() {
	local i st
	for ((i = 0; i < 30; i++)); do
		st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
		[ -z "$st" ] || [ "$st" = Z ] && return 0
		sleep 0.1
	done
	fail "process $1 is still alive ($(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null))"
}

# --- assertions -------------------------------------------------------------

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# assert_status N: $status (of the last `run`) is N.
assert_status() {
	[ "$status" -eq "$1" ] || fail "exit status $status, expected $1; output: $output"
}

# assert_failed: $status is non-zero and $output says something.
assert_failed() {
	[ "$status" -ne 0 ] || fail "expected failure, got status 0; output: $output"
	[ -n "$output" ] || fail "failed (status $status) without any message"
}

# assert_output_has STRING / REGEX
assert_output_has() {
	[[ $output == *"$1"* ]] || fail "output does not contain '$1': $output"
}
assert_output_matches() {
	[[ $output =~ $1 ]] || fail "output does not match /$1/: $output"
}
assert_output_has_i() {
	[[ ${output,,} == *"${1,,}"* ]] || fail "output does not contain '$1' (any case): $output"
}
assert_output_lacks() {
	[[ $output != *"$1"* ]] || fail "output contains '$1': $output"
}

# assert_line_matches ERE: some line of $output matches.
assert_line_matches() {
	grep -qE -- "$1" <<<"$output" || fail "no line matches /$1/ in output: $output"
}

# assert_line_is KEY=VALUE: a whole line of $output.
assert_line_is() {
	grep -qxF -- "$1" <<<"$output" || fail "no line '$1' in output: $output"
}

# value KEY: the value of KEY=... in $output.
value() {
	sed -n "s/^$1=//p" <<<"$output" | head -n1
}

# The cgroup dirs that belong to $CGROUP_PATH on this host.
cgroup_dirs() {
	local d
	[ -n "${CGROUP_PATH:-}" ] || return 0
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		echo "/sys/fs/cgroup$CGROUP_PATH"
		return
	fi
	for d in /sys/fs/cgroup/*/; do
		echo "${d%/}$CGROUP_PATH"
	done
}

# container_procs: "PID(cmdline)" of every host process whose root is the
# bundle's rootfs directory or that sits in $CGROUP_PATH (one find, one grep: a
# per-process loop of external commands costs seconds).
container_procs() {
	local f p
	{
		# same inode as the rootfs (readlink says "/" after pivot_root);
		# LW_SHARED_ROOTFS=1 when another live container uses the same one
		[ "${LW_SHARED_ROOTFS:-0}" != 1 ] && [ -d "$BUNDLE/rootfs" ] && find -L /proc/[0-9]*/root -maxdepth 0 -samefile "$BUNDLE/rootfs" 2>/dev/null
		[ -n "${CGROUP_PATH:-}" ] && grep -lE -- ":${CGROUP_PATH//./\\.}(/|\$)" /proc/[0-9]*/cgroup 2>/dev/null
	} | while read -r f; do
		p=${f#/proc/}
		p=${p%%/*}
		[ "$p" = "$BASHPID" ] && continue
		echo "$p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null))"
	done | sort -u
}

# assert_no_leftovers ID: the runtime left nothing of container ID: no state
# dir, no process in the container's rootfs (unless LW_SHARED_ROOTFS=1) or
# cgroup, no mount under the
# rootfs in our mount namespace, no cgroup dir.  Processes get ~3 s to die.
assert_no_leftovers() {
	local id=$1 i p left d
	for ((i = 0; i < 30; i++)); do
		left=""
		[ -e "$ROOT/$id" ] && left+=" state-dir:$ROOT/$id"
		for p in $(container_procs | tr ' ' '_'); do
			left+=" process:$p"
		done
		while read -r _ _ _ _ mp _; do
			[[ $mp == "$BUNDLE/rootfs" || $mp == "$BUNDLE/rootfs/"* ]] && left+=" mount:$mp"
		done </proc/self/mountinfo
		for d in $(cgroup_dirs); do
			[ -d "$d" ] && left+=" cgroup:$d"
		done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	fail "container $id left behind:$left"
}

# Facts of the host that no container may change: the device nodes it
# bind-mounts (runc 1.1.5 once chowned /dev/null in a user namespace) and
# the host's names.
host_state() {
	stat -c '%n %u:%g %a %t:%T %F' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty
	uname -n
	echo "domain=$(cat /proc/sys/kernel/domainname)"
}
record_host_state() {
	HOST_STATE_BEFORE=$(host_state)
}

# teardown_bundle: force-delete everything the test made, check that nothing
# is left (state, processes, mounts, cgroups, host files), clean up.
teardown_bundle() {
	[ -n "${ROOT:-}" ] || return 0
	local id ids rc=0 p d
	cd "$BATS_TEST_TMPDIR" || true
	ids=$(known_ids)
	for id in $ids; do
		lw delete --force "$id" >/dev/null 2>&1
	done
	for id in $ids; do
		assert_no_leftovers "$id" || rc=1
	done
	if [ -n "${HOST_STATE_BEFORE:-}" ] && [ "$(host_state)" != "$HOST_STATE_BEFORE" ]; then
		echo "FAIL: a host file or name changed:" >&2
		diff <(echo "$HOST_STATE_BEFORE") <(host_state) >&2
		rc=1
	fi
	# Clean up by force what the runtime did not, so one failure does not
	# cascade: kill processes in the rootfs or cgroup, detach mounts, rmdir
	# cgroups.  Never `rm -rf` across a mount (it could be a host dir).
	for p in $(container_procs | sed 's/(.*//'); do
		kill -9 "$p" 2>/dev/null
	done
	awk -v b="$BATS_TEST_TMPDIR" '$5 == b || index($5, b "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	for d in $(cgroup_dirs); do
		[ -d "$d" ] && { sleep 0.2; find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; }
	done
	rm -rf --one-file-system "$BATS_TEST_TMPDIR/bundle" "$BATS_TEST_TMPDIR/state" 2>/dev/null
	return $rc
}

# --- requirements -----------------------------------------------------------

cgroup_mode() {
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		echo v2
	elif [ -d /sys/fs/cgroup/unified ]; then
		echo hybrid
	else
		echo v1
	fi
}

# requires WHAT...: skip the test (with the reason) unless this environment
# has each WHAT: root, rootless, v1 (v1 controllers: v1 or hybrid), hybrid,
# v2, vm, host (not the VM lane), userns, timens, setpriv, script, cgroup_CTRL
# (a v1 controller or a v2 one), leeward (runtime-specific, not runc).
requires() {
	local r
	for r in "$@"; do
		case $r in
		root) [ "$(id -u)" -eq 0 ] || skip "needs root" ;;
		rootless) [ "$(id -u)" -ne 0 ] || skip "needs to run as a non-root user" ;;
		v1) [[ $(cgroup_mode) == v1 || $(cgroup_mode) == hybrid ]] || skip "needs cgroup v1 controllers (host is $(cgroup_mode))" ;;
		hybrid) [ "$(cgroup_mode)" = hybrid ] || skip "needs a hybrid cgroup host (host is $(cgroup_mode))" ;;
		v2) [ "$(cgroup_mode)" = v2 ] || skip "needs a pure cgroup v2 host (host is $(cgroup_mode))" ;;
		vm) [ "${LEEWARD_VM:-0}" = 1 ] || skip "only in the VM lane (LEEWARD_VM=1)" ;;
		host) [ "${LEEWARD_VM:-0}" != 1 ] || skip "not in the VM lane" ;;
		userns) [ -e /proc/self/ns/user ] && [ "$(cat /proc/sys/user/max_user_namespaces)" -gt 0 ] ||
			skip "user namespaces are disabled" ;;
		timens) [ -e /proc/self/ns/time ] || skip "kernel has no time namespaces" ;;
		setpriv) command -v setpriv >/dev/null || skip "needs setpriv (util-linux)" ;;
		script) command -v script >/dev/null || skip "needs script (util-linux)" ;;
		lwtest) [ -x "$LWTEST" ] || skip "needs $LWTEST (make build/lwtest)" ;;
		leeward) case $LEEWARD_NAME in runc | crun) skip "leeward's own behaviour, not $LEEWARD_NAME's" ;; esac ;;
		cgroup_*)
			local c=${r#cgroup_}
			if [ "$(cgroup_mode)" = v2 ] && [ "$c" = freezer ]; then
				# v2 freezes with cgroup.freeze, there is no controller
				[ -e /sys/fs/cgroup/cgroup.freeze ] || [ -n "$(ls /sys/fs/cgroup/*/cgroup.freeze 2>/dev/null | head -1)" ] ||
					skip "needs cgroup.freeze (cgroup v2 >= 5.2)"
			elif [ "$(cgroup_mode)" = v2 ]; then
				grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || skip "needs the $c cgroup controller"
			else
				[ -d "/sys/fs/cgroup/$c" ] || skip "needs the $c cgroup controller"
			fi
			;;
		*) fail "requires: unknown requirement '$r'" ;;
		esac
	done
}

# --- JSON schemas -----------------------------------------------------------

# The runtime-spec schema folder: $SCHEMA_DIR, or a copy in the repo, or the
# project's shared copy.
schema_dir() {
	local d
	for d in "$SCHEMA_DIR" "$REPO/tests/unit/schema" "$REPO/tests/schema" \
		"$REPO/spec/schema" /work/shared/oci-runtime-spec/schema; do
		[ -n "$d" ] && [ -e "$d/config-schema.json" ] && { echo "$d"; return 0; }
	done
	return 1
}

# validate_schema SCHEMA FILE: FILE conforms to the runtime-spec SCHEMA
# (config-schema.json, state-schema.json, features-schema.json).  Uses
# tests/unit/validate-schema.py when it exists, else python3-jsonschema.
validate_schema() {
	local schema=$1 file=$2 dir
	dir=$(schema_dir) || skip "no runtime-spec JSON schema found (set SCHEMA_DIR)"
	if [ -x "$REPO/tests/unit/validate-schema.py" ] || [ -f "$REPO/tests/unit/validate-schema.py" ]; then
		OCI_SPEC_DIR=$dir run python3 "$REPO/tests/unit/validate-schema.py" "$schema" "$file"
	else
		/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed"
		run /usr/bin/python3 - "$dir" "$schema" "$file" <<'PY'
import json, os, sys, warnings
warnings.simplefilter("ignore")
import jsonschema
d, name, f = sys.argv[1:]
schema = json.load(open(os.path.join(d, name)))
resolver = jsonschema.RefResolver("file://" + os.path.abspath(d) + "/", schema)
errs = list(jsonschema.Draft4Validator(schema, resolver=resolver).iter_errors(json.load(open(f))))
for e in errs:
    print("/".join(str(p) for p in e.absolute_path) + ": " + e.message)
sys.exit(1 if errs else 0)
PY
	fi
	[ "$status" -eq 0 ] || fail "$file does not conform to $schema: $output"
}
