#!/usr/bin/env bats
# `exec`: another process in a created or running container, with each of
# runc's exec flags, runc's exit statuses, signal forwarding, paused and
# stopped containers, and what the process inherits from the container.

load helpers

setup() {
	requires lwtest
	setup_bundle
	RECV_PID=
	BG_PID=
}

teardown() {
	[ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
	[ -n "${BG_PID:-}" ] && kill -9 "$BG_PID" 2>/dev/null
	teardown_bundle
}

# start_container [create]: test_exec running (sleep 3600), or only created.
start_container() {
	if [ "${1:-}" = create ]; then
		run lw create test_exec
		assert_status 0
		testcontainer test_exec created
	else
		run lw run -d test_exec
		assert_status 0
		testcontainer test_exec running
	fi
	INIT_PID=$(container_pid test_exec)
}

# lw_direct ARGS...: the runtime without lw's fd handling, so a test can
# pass its own descriptors (the caller's extra fds are the point).
lw_direct() {
	timeout --foreground --kill-after=5 "$LW_TIMEOUT" "$LEEWARD" --root "$ROOT" "$@"
}

# Number of processes in the container (runtime's own view).
nprocs() {
	lw ps --format json test_exec | jq length
}

# --- basics -----------------------------------------------------------------

@test "exec: into a running container" {
	start_container
	run lw exec test_exec echo hello
	assert_status 0
	[ "$output" = hello ] || fail "output: $output"
	testcontainer test_exec running
}

@test "exec: into a created container; it stays created" {
	start_container create
	run lw exec test_exec lwtest pid
	assert_status 0
	assert_line_matches '^pid=[0-9]+$'
	testcontainer test_exec created
	# and start still works after it
	run lw start test_exec
	assert_status 0
	testcontainer test_exec running
}

@test "exec: exit status of the process" {
	start_container
	run lw exec test_exec sh -c 'exit 42'
	assert_status 42
	run lw exec test_exec false
	assert_status 1
	run lw exec test_exec true
	assert_status 0
}

@test "exec: a process killed by a signal gives 128+N" {
	start_container
	run lw exec test_exec lwtest kill-self 15
	assert_status 143
	run lw exec test_exec lwtest kill-self 9
	assert_status 137
}

@test "exec: 255 when the exec itself fails" {
	start_container
	run lw exec test_exec /no/such/binary
	assert_status 255
	assert_output_has "/no/such/binary"
	run lw exec no_such_container true
	assert_status 255
	# (runc 1.1.5 says only "container does not exist")
	[ "$LEEWARD_NAME" = runc ] || assert_output_has "no_such_container"
	# nothing was left in the container
	[ "$(nprocs)" = 1 ] || fail "processes: $(lw ps test_exec)"
}

# --- flags ------------------------------------------------------------------

@test "exec --process: a process.json" {
	start_container
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'EOF'
	{
	  "terminal": false,
	  "user": { "uid": 1000, "gid": 1001, "additionalGids": [ 2000 ] },
	  "args": [ "sh", "-c", "echo foo=$FOO; lwtest cwd; lwtest ids; exit 7" ],
	  "env": [ "PATH=/bin:/sbin", "FOO=from-process-json" ],
	  "cwd": "/tmp"
	}
	EOF
	run lw exec --process "$BATS_TEST_TMPDIR/process.json" test_exec
	assert_status 7
	assert_line_is "foo=from-process-json"
	assert_line_is "/tmp"
	assert_line_is "uid=1000"
	assert_line_is "gid=1001"
	assert_line_matches '^groups=.*2000'
	# args on the command line are not needed with --process, -p works too
	run lw exec -p "$BATS_TEST_TMPDIR/process.json" test_exec
	assert_status 7
}

@test "exec --process: a missing or invalid file fails with 255" {
	start_container
	run lw exec --process "$BATS_TEST_TMPDIR/nope.json" test_exec
	assert_status 255
	echo '{ "args": ' >"$BATS_TEST_TMPDIR/bad.json"
	run lw exec --process "$BATS_TEST_TMPDIR/bad.json" test_exec
	assert_status 255
}

@test "exec --tty --console-socket: the pty master is handed over" {
	start_container
	local sock=$BATS_TEST_TMPDIR/console.sock
	"$LWTEST" recvtty "$sock" >"$BATS_TEST_TMPDIR/tty" 2>&1 3>&- &
	RECV_PID=$!
	wait_for_file "$sock"
	run lw exec --tty --detach --console-socket "$sock" test_exec lwtest tty
	assert_status 0
	# the receiver ends when the process has exited and the pty is closed
	# (up to a minute: the VM lane emulates every instruction)
	local i
	for ((i = 0; i < 600; i++)); do
		kill -0 "$RECV_PID" 2>/dev/null || break
		sleep 0.1
	done
	run cat "$BATS_TEST_TMPDIR/tty"
	assert_line_is "pty=ok"
	assert_output_matches "0=/dev/pts/[0-9]+"
	assert_output_matches "1=/dev/pts/[0-9]+"
	assert_output_matches "2=/dev/pts/[0-9]+"
	assert_output_has "pgrp_is_fg=1"
}

@test "exec -t -d without --console-socket fails" {
	start_container
	run lw exec -t -d test_exec true
	assert_failed
	[ "$(nprocs)" = 1 ] || fail "processes: $(lw ps test_exec)"
}

@test "exec --detach --pid-file: returns at once, the pid file names the process" {
	start_container
	local pf=$BATS_TEST_TMPDIR/exec.pid
	run lw exec --detach --pid-file "$pf" test_exec sleep 1234
	assert_status 0
	[ -s "$pf" ] || fail "no pid file"
	local pid
	pid=$(cat "$pf")
	[[ $pid =~ ^[0-9]+$ ]] || fail "pid file: '$pid'"
	# a host pid, of sleep 1234, in the container's pid namespace
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 1234 " ] || fail "cmdline of $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$INIT_PID/ns/pid")" ] || fail "not in the pid ns"
	# -d is the short form
	run lw exec -d test_exec sleep 1235
	assert_status 0
	[ "$(nprocs)" = 3 ] || fail "processes: $(lw ps test_exec)"
}

@test "exec: into a container with a user namespace, every namespace of its init" {
	userns_config 100000
	start_container
	run lw exec test_exec sh -c 'for n in user pid mnt net ipc uts cgroup; do
		[ "$(readlink /proc/self/ns/$n)" = "$(readlink /proc/1/ns/$n)" ] || echo "not in the $n namespace"
	done; cat /proc/self/uid_map; lwtest ids'
	assert_status 0
	assert_output_lacks "not in the"
	assert_line_matches "^ +0 +100000 +65536$"
	assert_line_is "uid=0"
	local pid
	run lw exec --detach --pid-file "$BATS_TEST_TMPDIR/p" test_exec sleep 1236
	assert_status 0
	pid=$(cat "$BATS_TEST_TMPDIR/p")
	[ "$(stat -c %u "/proc/$pid")" = 100000 ] || fail "host uid of the exec'd process: $(stat -c %u "/proc/$pid")"
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$INIT_PID/ns/pid")" ] || fail "not in the pid ns"
}

@test "exec: into a container with a time namespace, its clocks" {
	requires timens
	update_config '.linux.namespaces += [{"type":"time"}]
	  | .linux.timeOffsets = {"boottime":{"secs":172800,"nanosecs":0}}'
	start_container
	run lw exec test_exec sh -c '[ "$(readlink /proc/self/ns/time)" = "$(readlink /proc/1/ns/time)" ] &&
		[ "$(readlink /proc/self/ns/pid)" = "$(readlink /proc/1/ns/pid)" ] && echo same-ns; cat /proc/uptime'
	assert_status 0
	assert_line_is same-ns
	local up
	up=$(cut -d. -f1 <<<"${lines[1]}")
	[ "$up" -ge 172800 ] || fail "boottime offset not seen by the exec'd process: uptime $up"
}

@test "exec: into a container with a cgroup namespace, its cgroup root" {
	update_config '.linux.namespaces += [{"type":"cgroup"}]'
	start_container
	run lw exec test_exec sh -c '[ "$(readlink /proc/self/ns/cgroup)" = "$(readlink /proc/1/ns/cgroup)" ] &&
		echo same-ns; cat /proc/self/cgroup'
	assert_status 0
	assert_line_is same-ns
	# the container's own cgroup is the namespace's root
	assert_line_matches '^0::/$'
}

@test "exec --env: added to the container's environment" {
	start_container
	run lw exec --env FOO=bar --env BAZ=qux test_exec lwtest env
	assert_status 0
	assert_line_is "FOO=bar"
	assert_line_is "BAZ=qux"
	run lw exec -e FOO=short test_exec lwtest env
	assert_status 0
	assert_line_is "FOO=short"
	# the config's process.env is the base
	assert_line_is "TERM=xterm"
	# an --env that names a variable of the config replaces it
	run lw exec --env TERM=dumb test_exec lwtest env
	assert_status 0
	assert_line_is "TERM=dumb"
	assert_output_lacks "TERM=xterm"
}

@test "exec --cwd" {
	start_container
	run lw exec --cwd /tmp test_exec lwtest cwd
	assert_status 0
	[ "$output" = /tmp ] || fail "cwd: $output"
	# default: the config's process.cwd
	run lw exec test_exec lwtest cwd
	[ "$output" = / ] || fail "cwd: $output"
	run lw exec --cwd /no/such/dir test_exec true
	assert_status 255
}

@test "exec --user UID[:GID] and --additional-gids" {
	start_container
	run lw exec --user 1000:1001 test_exec lwtest ids
	assert_status 0
	assert_line_is "uid=1000"
	assert_line_is "euid=1000"
	assert_line_is "gid=1001"
	run lw exec -u 1000 test_exec lwtest ids
	assert_status 0
	assert_line_is "uid=1000"
	assert_line_is "gid=0"
	run lw exec --user 1000:1000 --additional-gids 10 --additional-gids 20 test_exec lwtest ids
	assert_status 0
	assert_line_is "groups=10,20"
	run lw exec --user 1000:1000 -g 30 test_exec lwtest ids
	assert_status 0
	assert_line_is "groups=30"
	# runc takes numbers only
	run lw exec --user nobody test_exec lwtest ids
	assert_status 255
}

# bit N of the hex capability mask in "KEY=hex" of $output
cap_bit() {
	local v
	v=$(value "$1")
	[ -n "$v" ] || fail "no $1 in: $output"
	echo $(((0x$v >> $2) & 1))
}

@test "exec --cap adds a capability" {
	start_container
	run lw exec test_exec lwtest caps
	assert_status 0
	[ "$(cap_bit eff 21)" = 0 ] || fail "CAP_SYS_ADMIN without --cap: $output"
	run lw exec --cap CAP_SYS_ADMIN test_exec lwtest caps
	assert_status 0
	[ "$(cap_bit eff 21)" = 1 ] || fail "no CAP_SYS_ADMIN in eff: $output"
	[ "$(cap_bit prm 21)" = 1 ] || fail "no CAP_SYS_ADMIN in prm: $output"
	[ "$(cap_bit bnd 21)" = 1 ] || fail "no CAP_SYS_ADMIN in bnd: $output"
	# the config's capabilities are still there (CAP_KILL = 5)
	[ "$(cap_bit eff 5)" = 1 ] || fail "lost CAP_KILL: $output"
	run lw exec -c CAP_SYS_ADMIN -c CAP_NET_ADMIN test_exec lwtest caps
	[ "$(cap_bit eff 12)" = 1 ] || fail "no CAP_NET_ADMIN: $output"
	# an unknown name is ignored with a warning that names it, as runc
	# (and as leeward does for process.capabilities in config.json)
	run lw exec --cap CAP_NO_SUCH_THING test_exec true
	assert_status 0
	assert_output_has "CAP_NO_SUCH_THING"
}

@test "exec --no-new-privs, and the config's noNewPrivileges by default" {
	update_config '.process.noNewPrivileges = false'
	start_container
	run lw exec test_exec lwtest nnp
	assert_status 0
	[ "$output" = 0 ] || fail "nnp without the flag: $output"
	run lw exec --no-new-privs test_exec lwtest nnp
	assert_status 0
	[ "$output" = 1 ] || fail "nnp with --no-new-privs: $output"
	lw delete --force test_exec
	update_config '.process.noNewPrivileges = true'
	start_container
	run lw exec test_exec lwtest nnp
	[ "$output" = 1 ] || fail "nnp from the config: $output"
}

@test "exec --preserve-fds passes the caller's fds 3.." {
	start_container
	echo data >"$BATS_TEST_TMPDIR/f3"
	echo data >"$BATS_TEST_TMPDIR/f4"
	run lw_direct exec --preserve-fds 2 test_exec sh -c 'lwtest fds; cat <&3; cat <&4' \
		3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4"
	assert_status 0
	assert_line_matches "^3=.*f3$"
	assert_line_matches "^4=.*f4$"
	# preserve 1: fd 3 only
	run lw_direct exec --preserve-fds 1 test_exec lwtest fds \
		3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4"
	assert_status 0
	assert_line_matches "^3=.*f3$"
	assert_output_lacks "f4"
}

@test "exec: no host fd leaks into the process" {
	start_container
	echo data >"$BATS_TEST_TMPDIR/secret"
	run lw_direct exec test_exec lwtest fds 3>&- 5<"$BATS_TEST_TMPDIR/secret" 7<"$BATS_TEST_TMPDIR/secret"
	assert_status 0
	[ -z "$output" ] || fail "fds beyond 0-2 in the exec'd process: $output"
	# detached too
	run lw_direct exec -d test_exec sh -c 'lwtest fds >/fds' 3>&- 5<"$BATS_TEST_TMPDIR/secret" </dev/null >/dev/null 2>&1
	assert_status 0
	wait_for_file "$BUNDLE/rootfs/fds"
	sleep 0.2
	[ ! -s "$BUNDLE/rootfs/fds" ] || fail "fds in detached exec: $(cat "$BUNDLE/rootfs/fds")"
}

@test "exec --ignore-paused: into a paused container the process waits for resume" {
	start_container
	run lw pause test_exec
	assert_status 0
	# without the flag: refused, nothing left behind
	run lw exec test_exec sh -c 'echo ran >/ran'
	assert_failed
	assert_output_has "paused"
	[ ! -e "$BUNDLE/rootfs/ran" ] || fail "the process ran"
	# with it: the process is in the frozen cgroup, and runs on resume
	lw_bg exec --ignore-paused test_exec sh -c 'echo ran >/ran' >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null
	BG_PID=$!
	sleep 1
	[ ! -e "$BUNDLE/rootfs/ran" ] || fail "ran while the container was paused"
	# resume must not wait for the pending exec (nor the exec for a lock)
	run lw resume test_exec
	assert_status 0
	local rc=0 i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$BG_PID" 2>/dev/null && fail "exec --ignore-paused still runs 10 s after resume"
	wait "$BG_PID" || rc=$?
	BG_PID=
	[ "$rc" = 0 ] || fail "exec --ignore-paused: $rc: $(cat "$BATS_TEST_TMPDIR/out")"
	[ "$(cat "$BUNDLE/rootfs/ran")" = ran ] || fail "the process did not run"
}

# --- states -----------------------------------------------------------------

@test "exec into a paused container fails and leaves no process" {
	start_container
	run lw pause test_exec
	assert_status 0
	run lw exec test_exec sleep 999
	assert_failed
	run lw exec -d test_exec sleep 999
	assert_failed
	run lw resume test_exec
	assert_status 0
	sleep 0.3
	[ "$(nprocs)" = 1 ] || fail "processes after a refused exec: $(lw ps test_exec)"
	if pgrep -x -f 'sleep 999' >/dev/null; then
		fail "a 'sleep 999' process exists: $(pgrep -a -f 'sleep 999')"
	fi
}

@test "exec into a stopped container fails and leaves no process" {
	set_args true
	run lw run -d test_exec
	assert_status 0
	wait_for_container 50 0.1 test_exec stopped
	run lw exec test_exec sleep 998
	assert_status 255
	assert_output_matches "stopped|not running"
	run lw exec -d test_exec sleep 998
	assert_status 255
	testcontainer test_exec stopped
	if pgrep -x -f 'sleep 998' >/dev/null; then
		fail "a 'sleep 998' process exists: $(pgrep -a -f 'sleep 998')"
	fi
}

# --- signals ----------------------------------------------------------------

@test "exec: a foreground exec forwards signals to the process" {
	start_container
	local sig n
	for sig in USR1:10 TERM:15 HUP:1; do
		rm -f "$BUNDLE/rootfs/ready"
		lw_bg exec test_exec lwtest wait-signal /ready >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null
		BG_PID=$!
		wait_for_file "$BUNDLE/rootfs/ready"
		sleep 0.2
		kill -"${sig%:*}" "$BG_PID"
		local rc=0
		wait "$BG_PID" || rc=$?
		BG_PID=
		n=${sig#*:}
		[ "$rc" = $((100 + n)) ] || fail "$sig: exit $rc, expected $((100 + n)): $(cat "$BATS_TEST_TMPDIR/out")"
		grep -qx "signal=${sig%:*}" "$BATS_TEST_TMPDIR/out" || fail "$sig: $(cat "$BATS_TEST_TMPDIR/out")"
	done
}

# --- what the process gets ---------------------------------------------------

@test "exec: the process is in the container's namespaces" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	start_container
	run lw exec test_exec lwtest ns
	assert_status 0
	local line n want
	[ "$(grep -c . <<<"$output")" -ge 7 ] || fail "too few namespaces: $output"
	while IFS= read -r line; do
		n=${line%%=*}
		want=$(readlink "/proc/$INIT_PID/ns/$n") || continue
		[ "${line#*=}" = "$want" ] || fail "ns $n: exec'd ${line#*=}, init $want"
	done <<<"$output"
	# in a created container too
	lw delete --force test_exec
	start_container create
	run lw exec test_exec lwtest ns
	assert_status 0
	assert_line_is "pid=$(readlink "/proc/$INIT_PID/ns/pid")"
	assert_line_is "mnt=$(readlink "/proc/$INIT_PID/ns/mnt")"
	assert_line_is "net=$(readlink "/proc/$INIT_PID/ns/net")"
}

@test "exec: the process is in the container's cgroup" {
	start_container
	local pf=$BATS_TEST_TMPDIR/exec.pid
	run lw exec -d --pid-file "$pf" test_exec sleep 1234
	assert_status 0
	local pid
	pid=$(cat "$pf")
	[ "$(cat "/proc/$pid/cgroup")" = "$(cat "/proc/$INIT_PID/cgroup")" ] ||
		fail "cgroups differ: exec'd $(cat "/proc/$pid/cgroup") init $(cat "/proc/$INIT_PID/cgroup")"
	grep -qF -- ":$CGROUP_PATH" "/proc/$pid/cgroup" || fail "not in $CGROUP_PATH: $(cat "/proc/$pid/cgroup")"
}

@test "exec: the process gets the container's capabilities, rlimits and seccomp" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1000, "hard": 1001},
	  {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]
	  | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
	      "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	start_container
	run lw exec test_exec lwtest rlimit NOFILE
	assert_status 0
	assert_line_is "soft=1000"
	assert_line_is "hard=1001"
	run lw exec test_exec lwtest rlimit CORE
	assert_line_is "soft=0"
	run lw exec test_exec lwtest seccomp
	assert_status 0
	assert_line_is "seccomp=2"
	run lw exec test_exec lwtest mkdir /newdir
	assert_line_is "EPERM"
	# the capability sets are the init's
	run lw exec test_exec lwtest caps
	assert_status 0
	local k
	for k in CapInh CapPrm CapEff CapBnd CapAmb; do
		local want got
		want=$(sed -n "s/^$k:[[:space:]]*//p" "/proc/$INIT_PID/status")
		case $k in CapInh) got=$(value inh) ;; CapPrm) got=$(value prm) ;; CapEff) got=$(value eff) ;;
		CapBnd) got=$(value bnd) ;; CapAmb) got=$(value amb) ;; esac
		[ "$got" = "$want" ] || fail "$k: exec'd $got, init $want"
	done
}

@test "exec: the runtime is not reachable through /proc/1/exe of a created container" {
	# (runc 1.1.5 fails this: its init runs from a sealed memfd copy of
	# runc, which the container can readlink and open for reading)
	start_container create
	run lw exec test_exec sh -c 'readlink /proc/1/exe && echo LINK-READABLE; lwtest open /proc/1/exe r; lwtest write-exe'
	assert_output_lacks "LINK-READABLE"
	# opening the init's executable is refused
	[ "$(sed -n 1p <<<"$output")" = EACCES ] || [ "$(sed -n 1p <<<"$output")" = EPERM ] ||
		fail "/proc/1/exe of the created init: $output"
	assert_output_lacks "writable"
}
