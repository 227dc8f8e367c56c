#!/usr/bin/env bats
# containerd drives the runtime: leeward behind containerd's runc v2 shim,
# chosen per container with `ctr run --runc-binary` (the option a Kubernetes
# RuntimeClass handler sets as BinaryName).
#
# The test starts a containerd of its own (tests/dropin/containerd.sh: root,
# state, socket and config in a temp dir, no CRI plugin, no network) and
# stops it by pid at the end.  The image is an OCI archive of a busybox
# rootfs made by tests/dropin/mkimage.sh and `ctr images import`ed; the
# snapshotter is native.  The runtime's state (--runc-root) and the I/O fifos
# live in the temp dir too; every container goes under the cgroup
# /leeward-dropin-containerd, removed at the end.  containerd's PATH starts
# with a `runc` symlink to the runtime under test, for the one case where
# ctr loses --runc-binary (--uidmap).
#
#   DROPIN_RUNTIME=runc bats tests/integration/containerd.bats    control: runc

load helpers
load ../dropin/common

CD_IMAGE=docker.io/library/busybox:leeward
CD_CGROUP=/leeward-dropin-containerd
CD_NS=leeward-test

setup_file() {
	local t
	[ "$(id -u)" -eq 0 ] || { file_skip "needs root"; return 0; }
	for t in containerd ctr containerd-shim-runc-v2; do
		command -v $t >/dev/null || { file_skip "needs $t (make deps: containerd)"; return 0; }
	done
	CD_RUNTIME=$(dropin_runtime) || { echo "runtime '${DROPIN_RUNTIME:-$LEEWARD}' not found (make)" >&2; return 1; }
	export CD_RUNTIME
	# short paths: the containerd socket must fit in sun_path
	CD_TMP=$(mktemp -d /tmp/lw-ctrd.XXXXXX)
	export CD_TMP
	mkdir -p "$CD_TMP/runc-root" "$CD_TMP/fifo"
	cgroup_tree_remove "$CD_CGROUP" || true

	"$DROPIN_DIR/mkimage.sh" oci "$CD_TMP/busybox-oci.tar" "$CD_IMAGE" >/dev/null 2>"$CD_TMP/mkimage.log" ||
		{ cat "$CD_TMP/mkimage.log" >&2; return 1; }
	chmod 0711 "$CD_TMP"
	"$DROPIN_DIR/containerd.sh" start "$CD_TMP/d" "$CD_RUNTIME" >/dev/null || return 1
	cctr images import --snapshotter native "$CD_TMP/busybox-oci.tar" >"$CD_TMP/import.log" 2>&1 ||
		{ cat "$CD_TMP/import.log" >&2; return 1; }
	echo "# containerd $(containerd --version | awk '{print $3}'): runtime $CD_RUNTIME" >&3
}

teardown_file() {
	[ -n "${CD_TMP:-}" ] || return 0
	cleanup_containers
	"$DROPIN_DIR/containerd.sh" stop "$CD_TMP/d"
	# the shim's default runtime root of our namespace (ctr run --uidmap)
	rmdir "/run/containerd/runc/$CD_NS" 2>/dev/null || true
	# the shims' socket dir is fixed (/run/containerd/s): without a
	# containerd of the host's, remove what is left of it if empty
	if [ ! -S /run/containerd/containerd.sock ]; then
		rmdir /run/containerd/s /run/containerd/runc /run/containerd/fifo /run/containerd 2>/dev/null || true
	fi
	cgroup_tree_remove "$CD_CGROUP"
	umount_under "$CD_TMP"
	rm -rf --one-file-system "$CD_TMP"
}

setup() {
	skip_if_file_skipped
	CID=lw${BATS_TEST_NUMBER}-$RANDOM
}

teardown() {
	[ -n "${CD_TMP:-}" ] || return 0
	local ids id rc=0
	ids=$(cctr containers ls -q 2>/dev/null)
	cleanup_containers
	# the runtime removed what it made: state, cgroups
	for id in $ids; do
		wait_until 3 no_cgroup_of "$id" || {
			echo "FAIL: cgroup of $id left: $(cgroup_tree_dirs "$CD_CGROUP/$id")" >&2
			rc=1
		}
		[ ! -e "$CD_TMP/runc-root/$CD_NS/$id" ] || {
			echo "FAIL: runtime state of $id left: $CD_TMP/runc-root/$CD_NS/$id" >&2
			rc=1
		}
	done
	return $rc
}

no_cgroup_of() {
	local d
	for d in $(cgroup_tree_dirs "$CD_CGROUP/$1"); do
		[ -d "$d" ] && return 1
	done
	return 0
}

# cleanup_containers: kill and delete every task and container we made.
cleanup_containers() {
	local id
	for id in $(cctr tasks ls -q 2>/dev/null); do
		cctr tasks kill -s SIGKILL "$id" >/dev/null 2>&1
	done
	for id in $(cctr containers ls -q 2>/dev/null); do
		wait_until 5 task_stopped "$id"
		cctr tasks delete -f "$id" >/dev/null 2>&1
		cctr containers delete "$id" >/dev/null 2>&1
	done
}

# cctr ARGS...: ctr on our containerd, in our namespace.
# (ctr 1.6 loses, now and then, the output of an exec'd process that exits at
# once, with runc too: the exec'd commands whose output is checked linger a
# little, `sleep 0.1`.)
cctr() {
	timeout --foreground --kill-after=5 "${CD_TIMEOUT:-60}" \
		ctr --address "$CD_TMP/d/containerd.sock" --namespace "$CD_NS" "$@" 3>&-
}

# run_opts: RUN_OPTS = the options of `ctr run` that choose the runtime (the
# shim's BinaryName) and keep its state and fifos in our temp dir.
run_opts() {
	RUN_OPTS=(--snapshotter native --runtime io.containerd.runc.v2
		--runc-binary "$CD_RUNTIME" --runc-root "$CD_TMP/runc-root" --fifo-dir "$CD_TMP/fifo")
}

# ctr_run [RUN-OPTIONS...] ID ARGS...: ctr run with our runtime, under our
# cgroup (ID is the first word that is not an option: use --opt=value forms).
ctr_run() {
	local opts=() RUN_OPTS
	while [[ ${1:-} == -* ]]; do
		opts+=("$1")
		shift
	done
	run_opts
	cctr run "${RUN_OPTS[@]}" --cgroup "$CD_CGROUP/$1" "${opts[@]}" "$CD_IMAGE" "$@"
}

task_status() {
	cctr tasks ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}
task_is() {
	[ "$(task_status "$1")" = "$2" ]
}
task_stopped() {
	local s
	s=$(task_status "$1")
	[ -z "$s" ] || [ "$s" = STOPPED ]
}
task_pid() {
	cctr tasks ls 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'
}

# start_detached ID [OPTIONS...]: a detached task that stays up.
start_detached() {
	local id=$1
	shift
	run ctr_run -d "$@" "$id" sh -c 'trap "exit 0" TERM; while :; do sleep 0.2; done'
	assert_status 0
	wait_until 10 task_is "$id" RUNNING || fail "task $id is '$(task_status "$id")', expected RUNNING"
}

cgfile() {
	# cgfile CONTROLLER FILE: FILE of $CID's cgroup (v1; v2 name on pure v2)
	if [ "$(cgroup_mode)" = v2 ]; then
		echo "/sys/fs/cgroup$CD_CGROUP/$CID/$2"
	else
		echo "/sys/fs/cgroup/$1$CD_CGROUP/$CID/$2"
	fi
}

@test "ctr run --rm: exit status 0 and output" {
	run ctr_run --rm "$CID" echo hello from containerd
	assert_status 0
	assert_line_is "hello from containerd"
	run cctr containers ls -q
	assert_output_lacks "$CID"
}

@test "ctr run --rm: the task's non-zero exit status" {
	run ctr_run --rm "$CID" sh -c 'echo bye; exit 42'
	assert_status 42
	assert_line_is "bye"
	# (pid 1 ignores a SIGKILL from inside: kill a child, sh exits 128+9)
	run ctr_run --rm "$CID" sh -c 'sh -c "kill -9 \$\$"; exit $?'
	assert_status 137
}

@test "ctr run --rm: env, cwd and the container's cgroup" {
	run ctr_run --rm --env=FOO=bar --cwd=/tmp "$CID" sh -c 'echo "FOO=$FOO"; pwd; grep -E "(memory|pids|0:):" /proc/self/cgroup'
	assert_status 0
	assert_line_is "FOO=bar"
	assert_line_is "/tmp"
	assert_line_matches ":$CD_CGROUP/$CID\$"
}

@test "ctr run -d, task exec, task kill, task delete" {
	start_detached "$CID"
	local pid
	pid=$(task_pid "$CID")
	[ "${pid:-0}" -gt 0 ] || fail "no pid for $CID"
	run cctr tasks exec --fifo-dir "$CD_TMP/fifo" --exec-id e1 "$CID" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "; echo; sleep 0.1; exit 3'
	assert_status 3
	assert_line_is "in-exec"
	assert_output_has "trap"
	run cctr tasks exec --fifo-dir "$CD_TMP/fifo" --exec-id e2 --user 65534:65534 --cwd /tmp "$CID" sh -c 'id -u; id -g; pwd; sleep 0.1'
	assert_status 0
	assert_line_is "65534"
	assert_line_is "/tmp"
	run cctr tasks ps "$CID"
	assert_status 0
	assert_line_matches "^$pid[[:space:]]"
	run cctr tasks kill "$CID"
	assert_status 0
	wait_until 10 task_is "$CID" STOPPED || fail "task is '$(task_status "$CID")' after SIGTERM"
	run cctr tasks delete "$CID"
	assert_status 0
	! kill -0 "$pid" 2>/dev/null || fail "process $pid survived"
	run cctr containers delete "$CID"
	assert_status 0
	wait_until 3 no_cgroup_of "$CID" || fail "cgroup left: $(cgroup_tree_dirs "$CD_CGROUP/$CID")"
}

@test "ctr task kill -s SIGKILL, then delete: exit status 137" {
	start_detached "$CID"
	run cctr tasks kill -s SIGKILL "$CID"
	assert_status 0
	wait_until 10 task_is "$CID" STOPPED || fail "task is '$(task_status "$CID")' after SIGKILL"
	run cctr tasks delete "$CID"
	assert_status 0
	assert_output_has "137"
}

@test "ctr task delete -f of a running task" {
	start_detached "$CID"
	local pid
	pid=$(task_pid "$CID")
	run cctr tasks delete -f "$CID"
	assert_status 0
	wait_until 3 eval '! kill -0 '"$pid"' 2>/dev/null' || fail "process $pid survived delete -f"
}

@test "ctr task exec: 80 execs, four at a time, all succeed" {
	# leeward bug (found here): exec fails now and then with "exec: joining
	# the container failed" when the exec'd process reports SYNC_READY before
	# exec's stage 1 reports SYNC_INIT_PID on the shared sync socket.
	start_detached "$CID"
	local i j pids
	for ((i = 0; i < 20; i++)); do
		pids=()
		for j in 1 2 3 4; do
			(
				o=$(cctr tasks exec --fifo-dir "$CD_TMP/fifo" --exec-id "e$i-$j" "$CID" sh -c "echo out-$i-$j; sleep 0.1" 2>&1) && rc=0 || rc=$?
				[ "$rc" -eq 0 ] && [ "$o" = "out-$i-$j" ] || echo "exec $i-$j: status $rc: $o"
			) >>"$BATS_TEST_TMPDIR/bad" &
			pids+=($!)
		done
		# (a bare `wait` would also wait for bats' own timeout watchdog)
		wait "${pids[@]}"
	done
	[ ! -s "$BATS_TEST_TMPDIR/bad" ] || fail "$(sort "$BATS_TEST_TMPDIR/bad" | uniq -c)"
}

@test "ctr task pause and resume" {
	requires cgroup_freezer
	start_detached "$CID"
	run cctr tasks pause "$CID"
	assert_status 0
	task_is "$CID" PAUSED || fail "task is '$(task_status "$CID")' after pause"
	if [ "$(cgroup_mode)" = v2 ]; then
		[ "$(cat "$(cgfile freezer cgroup.freeze)")" = 1 ] || fail "not frozen"
	else
		[ "$(cat "$(cgfile freezer freezer.state)")" = FROZEN ] || fail "freezer: $(cat "$(cgfile freezer freezer.state)")"
	fi
	run cctr tasks resume "$CID"
	assert_status 0
	task_is "$CID" RUNNING || fail "task is '$(task_status "$CID")' after resume"
	if [ "$(cgroup_mode)" != v2 ]; then
		[ "$(cat "$(cgfile freezer freezer.state)")" = THAWED ] || fail "freezer: $(cat "$(cgfile freezer freezer.state)")"
	fi
	run cctr tasks exec --fifo-dir "$CD_TMP/fifo" --exec-id e1 "$CID" sh -c 'echo alive; sleep 0.1'
	assert_status 0
	assert_line_is "alive"
}

@test "ctr run --memory-limit: memory limit in the container's cgroup" {
	requires cgroup_memory
	start_detached "$CID" --memory-limit=67108864
	local f
	f=$(cgfile memory "$([ "$(cgroup_mode)" = v2 ] && echo memory.max || echo memory.limit_in_bytes)")
	[ "$(cat "$f")" = 67108864 ] || fail "$f: $(cat "$f")"
}

@test "ctr run -t: a terminal for the task" {
	local RUN_OPTS
	run_opts
	run "$LWTEST" ptyrun 60 "" ctr --address "$CD_TMP/d/containerd.sock" --namespace "$CD_NS" run "${RUN_OPTS[@]}" \
		--cgroup "$CD_CGROUP/$CID" --rm -t "$CD_IMAGE" "$CID" sh -c 'tty; test -t 0 && echo stdin-is-tty; exit 4'
	assert_status 4
	# (ctr writes a NUL into the terminal: its echo ^@ may precede the line)
	assert_line_matches '^(\^@)?/dev/(pts/[0-9]+|console)'
	assert_output_has "stdin-is-tty"
}

@test "ctr task exec -t: a terminal for the exec'd process" {
	start_detached "$CID"
	run "$LWTEST" ptyrun 60 "" ctr --address "$CD_TMP/d/containerd.sock" --namespace "$CD_NS" tasks exec -t --fifo-dir "$CD_TMP/fifo" \
		--exec-id e1 "$CID" sh -c 'tty; test -t 1 && echo stdout-is-tty; exit 6'
	assert_status 6
	assert_line_matches '^(\^@)?/dev/pts/[0-9]+'
	assert_output_has "stdout-is-tty"
}

@test "ctr run --seccomp --read-only --cap-drop" {
	run ctr_run --rm --seccomp --read-only --cap-drop=CAP_CHOWN "$CID" \
		sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; touch /x 2>&1; chown 1 /tmp 2>&1; echo end'
	assert_status 0
	assert_line_matches '^Seccomp:[[:space:]]+2$'
	assert_line_matches '^NoNewPrivs:[[:space:]]+1$'
	assert_output_has "Read-only file system"
	assert_output_matches "chown.*(Operation not permitted|Read-only)"
	assert_line_is "end"
}

@test "ctr run --uidmap: a user namespace" {
	requires userns
	# ctr 1.6 replaces the task's runc options (--runc-binary, --runc-root)
	# with its own when it maps ids: the shim runs `runc` from its PATH,
	# which containerd.sh made the runtime under test; its --root is then
	# the shim's default, /run/containerd/runc/NAMESPACE.
	start_detached "$CID" --uidmap=0:100000:65536 --gidmap=0:100000:65536
	run "$CD_RUNTIME" --root "/run/containerd/runc/$CD_NS" state "$CID"
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = running ] || fail "not the runtime under test: $output"
	run cctr tasks exec --fifo-dir "$CD_TMP/fifo" --exec-id e1 "$CID" \
		sh -c 'cat /proc/self/uid_map; id -u; touch /new && stat -c %u /new; sleep 0.1'
	assert_status 0
	assert_line_matches '^ +0 +100000 +65536$'
	assert_line_is "0"
}

@test "ctr run --rm: five in parallel" {
	local i pids=() rc d
	# the five create the parent cgroup at the same time (each has its
	# cgroupsPath under it): start without it, as on a fresh host.
	# leeward bug (found here, now and then): a create that finds the v1
	# cpuset parent made by another create that has not yet filled its
	# cpuset.cpus/mems copies the empty values and fails with "writing
	# cgroup.procs: No space left on device" (runc fills every level).
	for d in $(cgroup_tree_dirs "$CD_CGROUP"); do
		rmdir "$d" 2>/dev/null || true
	done
	for i in 1 2 3 4 5; do
		ctr_run --rm "$CID-$i" sh -c "echo out-$i; exit $i" >"$BATS_TEST_TMPDIR/out.$i" 2>&1 &
		pids+=($!)
	done
	for i in 1 2 3 4 5; do
		rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		[ "$rc" -eq "$i" ] || fail "container $i exited $rc: $(cat "$BATS_TEST_TMPDIR/out.$i")"
		grep -qx "out-$i" "$BATS_TEST_TMPDIR/out.$i" || fail "container $i: $(cat "$BATS_TEST_TMPDIR/out.$i")"
	done
}

@test "ctr run under a parent cgroup made beforehand (v1 cpuset left empty)" {
	requires v1 cgroup_cpuset
	# A parent made with a plain mkdir (an admin's --cgroup-parent, cgcreate)
	# has empty cpuset.cpus/mems in v1; runc fills them from the parent
	# before it moves the task there.  leeward bug (found here): it fills
	# only the levels it made itself, so the task cannot join (ENOSPC).
	local parent=$CD_CGROUP/pre-$CID d
	for d in $(cgroup_tree_dirs "$parent"); do
		mkdir -p "$d"
	done
	[ -z "$(cat "/sys/fs/cgroup/cpuset$parent/cpuset.cpus")" ] || skip "cpuset.cpus of a new cgroup is not empty here"
	local RUN_OPTS
	run_opts
	run cctr run "${RUN_OPTS[@]}" --cgroup "$parent/$CID" --rm "$CD_IMAGE" "$CID" sh -c 'echo ran; grep cpuset /proc/self/cgroup'
	local st=$status out=$output
	for d in $(cgroup_tree_dirs "$parent"); do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	status=$st output=$out
	assert_status 0
	assert_line_is "ran"
	assert_line_matches "cpuset:$parent/$CID\$"
}
