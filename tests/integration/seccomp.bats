#!/usr/bin/env bats
# linux.seccomp: every action and operator, runc's special rules (same-index
# conditions ORed, -ENOSYS for syscalls newer than the profile, notify on
# write refused), podman's default profile, the listenerPath protocol with a
# real agent, exec'd processes under the same filter, and profiles that
# block what a runtime needs.
#
# Helpers: tests/helper/scmptest.c (one syscall, prints "NAME = RET" or
# "NAME = -1 errno N (text)", exits with the errno) is copied into the
# rootfs; tests/helper/scmplistener.c is the listenerPath agent.  Both are
# built by `make build/scmptest build/scmplistener`.

load helpers

SCMPTEST=${SCMPTEST:-$REPO/build/scmptest}
SCMPLISTENER=${SCMPLISTENER:-$REPO/build/scmplistener}
PODMAN_PROFILE=${PODMAN_PROFILE:-/usr/share/containers/seccomp.json}

setup() {
	[ -x "$SCMPTEST" ] || skip "needs $SCMPTEST (make build/scmptest)"
	[ "$(uname -m)" = x86_64 ] || skip "syscall numbers in these tests are x86_64's"
	setup_bundle
	cp "$SCMPTEST" "$BUNDLE/rootfs/bin/scmptest"
	update_config '.process.rlimits += [{"type":"RLIMIT_CORE","hard":0,"soft":0}]'
	AGENT_PID=
}

teardown() {
	if [ -n "${AGENT_PID:-}" ]; then
		kill "$AGENT_PID" 2>/dev/null
		wait "$AGENT_PID" 2>/dev/null
	fi
	teardown_bundle
}

# seccomp JSON: linux.seccomp = JSON (a jq expression).
seccomp() {
	update_config ".linux.seccomp = ($1)"
}

# A profile allowing everything but RULES (a jq array of syscall rules).
allow_but() {
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW",
		"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],
		"syscalls":'"$1"'}'
}

# podman's profile (containers-common's seccomp.json, in the docker format
# with includes/excludes) turned into an OCI linux.seccomp for x86_64 and
# the bundle's bounding capabilities, as podman does before calling a
# runtime.
podman_profile() {
	[ -r "$PODMAN_PROFILE" ] || skip "needs $PODMAN_PROFILE (golang-github-containers-common)"
	local caps
	caps=$(jq -c '.process.capabilities.bounding // []' "$BUNDLE/config.json")
	jq --argjson caps "$caps" '{
	  defaultAction, defaultErrnoRet,
	  architectures: ["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],
	  syscalls: [ .syscalls[]
	    | select(((.includes.arches // []) | length == 0) or ((.includes.arches // []) | index("amd64")))
	    | select(((.includes.caps // []) - $caps) | length == 0)
	    | select(((.excludes.caps // []) - ((.excludes.caps // []) - $caps)) | length == 0)
	    | {names, action}
	      + (if .errnoRet then {errnoRet} else {} end)
	      + (if (.args // []) | length > 0 then {args} else {} end) ]
	}' "$PODMAN_PROFILE" >"$BATS_TEST_TMPDIR/podman-seccomp.json" || fail "converting $PODMAN_PROFILE"
	update_config ".linux.seccomp = $(cat "$BATS_TEST_TMPDIR/podman-seccomp.json")"
}

# start_agent ARGS...: scmplistener on $AGENT_SOCK, logging to $AGENT_LOG.
start_agent() {
	[ -x "$SCMPLISTENER" ] || skip "needs $SCMPLISTENER (make build/scmplistener)"
	AGENT_SOCK=$BATS_TEST_TMPDIR/agent.sock
	AGENT_LOG=$BATS_TEST_TMPDIR/agent.log
	"$SCMPLISTENER" "$@" "$AGENT_SOCK" "$AGENT_LOG" 3>&- &
	AGENT_PID=$!
	wait_for_file "$AGENT_SOCK"
}

# The agent saw no malformed message and answered what it was asked.
assert_agent_clean() {
	! grep -q '^error' "$AGENT_LOG" || fail "agent: $(cat "$AGENT_LOG")"
}

# --- actions ----------------------------------------------------------------

@test "seccomp: SCMP_ACT_ERRNO returns EPERM by default, errnoRet otherwise" {
	allow_but '[{"names":["getppid"],"action":"SCMP_ACT_ERRNO"},
		    {"names":["getpgid"],"action":"SCMP_ACT_ERRNO","errnoRet":100}]'
	set_args sh -c 'scmptest getppid; scmptest getpgid 0; scmptest getsid 0'
	run lw run test_busybox
	assert_line_is "getppid = -1 errno 1 (Operation not permitted)"
	assert_line_is "getpgid = -1 errno 100 (Network is down)"
	assert_output_matches "getsid = [0-9]+"
	assert_status 0
}

@test "seccomp: SCMP_ACT_ERRNO from a busybox applet (mkdir)" {
	allow_but '[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]'
	set_args sh -c 'mkdir /dev/shm/foo'
	run lw run test_busybox
	assert_failed
	assert_output_has "Operation not permitted"
}

@test "seccomp: SCMP_ACT_KILL, KILL_THREAD, KILL_PROCESS kill with SIGSYS" {
	local act
	# sched_yield: a syscall the shell itself never makes (it does getppid)
	for act in SCMP_ACT_KILL SCMP_ACT_KILL_THREAD SCMP_ACT_KILL_PROCESS; do
		allow_but '[{"names":["sched_yield"],"action":"'$act'"}]'
		set_args sh -c 'scmptest sched_yield; echo "status=$?"'
		run lw run test_busybox
		assert_status 0
		# the shell saw its child die of signal 31
		assert_line_is "status=159"
		assert_output_lacks "sched_yield ="
	done
	# the container's own process: exit code 128+SIGSYS
	allow_but '[{"names":["sched_yield"],"action":"SCMP_ACT_KILL_PROCESS"}]'
	set_args scmptest sched_yield
	run lw run test_busybox
	assert_status 159
}

@test "seccomp: SCMP_ACT_TRAP delivers SIGSYS" {
	allow_but '[{"names":["getppid"],"action":"SCMP_ACT_TRAP"}]'
	set_args scmptest -t getppid
	run lw run test_busybox
	assert_status 200
	assert_line_is "getppid: SIGSYS (syscall 110)"
}

@test "seccomp: SCMP_ACT_TRACE without a tracer fails the syscall with ENOSYS" {
	allow_but '[{"names":["getppid"],"action":"SCMP_ACT_TRACE"}]'
	set_args scmptest getppid
	run lw run test_busybox
	assert_status 38
	assert_line_is "getppid = -1 errno 38 (Function not implemented)"
}

@test "seccomp: SCMP_ACT_LOG and SCMP_ACT_ALLOW let the syscall through" {
	allow_but '[{"names":["getppid"],"action":"SCMP_ACT_LOG"}]'
	set_args scmptest getppid
	run lw run test_busybox
	assert_status 0
	assert_line_is "getppid = 0"
}

@test "seccomp: defaultErrnoRet is what every unlisted syscall gets" {
	# podman's profile minus getppid, with ENXIO as the default errno
	podman_profile
	update_config '.linux.seccomp.defaultErrnoRet = 6
		| .linux.seccomp.syscalls |= map(.names -= ["getppid"])'
	set_args sh -c 'scmptest getppid; scmptest getpid'
	run lw run test_busybox
	assert_status 0
	assert_line_is "getppid = -1 errno 6 (No such device or address)"
	assert_line_is "getpid = 1"
}

@test "seccomp: flags LOG, SPEC_ALLOW, TSYNC are accepted" {
	[ "$LEEWARD_NAME" != runc ] || ! runc --version | grep -q '^runc version 1\.1\.' ||
		skip "runc 1.1 does not support seccomp flags"
	allow_but '[{"names":["getppid"],"action":"SCMP_ACT_ERRNO"}]'
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW","SECCOMP_FILTER_FLAG_TSYNC"]'
	set_args scmptest getppid
	run lw run test_busybox
	assert_status 1
	assert_line_is "getppid = -1 errno 1 (Operation not permitted)"
}

# --- operators --------------------------------------------------------------

# check_op OP VALUE VALUETWO HIT... -- MISS...: a rule on getpgid's arg 0
# returns errno 77 exactly for the HIT values.
check_op() {
	local op=$1 value=$2 value2=$3 v script="" hit=1
	shift 3
	allow_but '[{"names":["getpgid"],"action":"SCMP_ACT_ERRNO","errnoRet":77,
		     "args":[{"index":0,"value":'"$value"',"valueTwo":'"$value2"',"op":"'"$op"'"}]}]'
	for v in "$@"; do
		[ "$v" = "--" ] && continue
		script+="echo arg=$v; scmptest getpgid $v; "
	done
	script+="true"
	set_args sh -c "$script"
	run lw run test_busybox
	assert_status 0
	for v in "$@"; do
		if [ "$v" = "--" ]; then
			hit=0
			continue
		fi
		local line
		line=$(grep -A1 -x "arg=$v" <<<"$output" | tail -n1)
		if [ $hit = 1 ]; then
			[[ $line == "getpgid = -1 errno 77 "* ]] || fail "$op $value/$value2: $v should match: $line"
		else
			[[ $line != *"errno 77 "* ]] || fail "$op $value/$value2: $v should not match: $line"
		fi
	done
}

@test "seccomp: operator SCMP_CMP_EQ" {
	check_op SCMP_CMP_EQ 5 0 5 -- 6 4
}
@test "seccomp: operator SCMP_CMP_NE" {
	check_op SCMP_CMP_NE 5 0 6 4 -- 5
}
@test "seccomp: operator SCMP_CMP_LT" {
	check_op SCMP_CMP_LT 5 0 4 0 -- 5 6
}
@test "seccomp: operator SCMP_CMP_LE" {
	check_op SCMP_CMP_LE 5 0 4 5 -- 6
}
@test "seccomp: operator SCMP_CMP_GT" {
	check_op SCMP_CMP_GT 5 0 6 0x100000000 -- 5 4
}
@test "seccomp: operator SCMP_CMP_GE" {
	check_op SCMP_CMP_GE 5 0 5 6 -- 4
}
@test "seccomp: operator SCMP_CMP_MASKED_EQ (value is the mask, valueTwo the datum)" {
	check_op SCMP_CMP_MASKED_EQ 240 32 0x20 0x2f 0x12f -- 0x30 0x10 0x2
}
@test "seccomp: 64-bit argument values are compared whole" {
	check_op SCMP_CMP_EQ 4294967301 0 0x100000005 -- 5 0x200000005
}

@test "seccomp: conditions on the same argument are ORed, on different ones ANDed" {
	allow_but '[{"names":["getpgid"],"action":"SCMP_ACT_ERRNO","errnoRet":77,
		     "args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]},
		    {"names":["getsid"],"action":"SCMP_ACT_ERRNO","errnoRet":78,
		     "args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":2,"op":"SCMP_CMP_EQ"}]}]'
	set_args sh -c 'for a in 1 2 3; do scmptest getpgid $a; done; scmptest getsid 1 2; scmptest getsid 1 3; scmptest getsid 2 2; true'
	run lw run test_busybox
	assert_status 0
	[ "$(grep -c 'getpgid = -1 errno 77 ' <<<"$output")" -eq 2 ] || fail "same index: $output"
	[ "$(grep -c 'getsid = -1 errno 78 ' <<<"$output")" -eq 1 ] || fail "two indexes: $output"
}

@test "seccomp: argument index 6 is refused, naming the field" {
	allow_but '[{"names":["getpgid"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]'
	set_args true
	run lw run test_busybox
	assert_failed
	if [ "$LEEWARD_NAME" != runc ]; then
		assert_output_has "linux.seccomp.syscalls[0].args[0].index"
	fi
}

# --- profiles ---------------------------------------------------------------

@test "seccomp: unknown syscall names are skipped, the rest applies" {
	allow_but '[{"names":["no_such_syscall","getppid"],"action":"SCMP_ACT_ERRNO"}]'
	set_args scmptest getppid
	run lw run test_busybox
	assert_status 1
	assert_output_lacks "no_such_syscall"
}

@test "seccomp: a profile blocking mount, unshare and keyctl" {
	# ALLOW all but these, so the only thing between the process and
	# them is the filter (the process is root with default caps)
	allow_but '[{"names":["mount","umount2","unshare","setns","keyctl","add_key","request_key"],"action":"SCMP_ACT_ERRNO"}]'
	set_args sh -c 'scmptest unshare 0x20000; scmptest keyctl 0 -3; scmptest mount s:none s:/mnt s:tmpfs 0 0; mount -t tmpfs none /mnt; echo mount=$?'
	run lw run test_busybox
	assert_line_is "unshare = -1 errno 1 (Operation not permitted)"
	assert_line_is "keyctl = -1 errno 1 (Operation not permitted)"
	assert_line_is "mount = -1 errno 1 (Operation not permitted)"
	assert_line_is "mount=1"
}

@test "seccomp: podman's default profile runs a busybox shell" {
	podman_profile
	set_args sh -c 'echo hello; ls / >/dev/null && echo ls-ok; grep "^Seccomp:" /proc/self/status; cat /proc/self/status >/dev/null; scmptest getppid; scmptest 278 -1 0 0 0; scmptest 183; true'
	run lw run test_busybox
	assert_status 0
	assert_line_is "hello"
	assert_line_is "ls-ok"
	assert_output_matches "Seccomp:[[:space:]]+2"
	assert_line_is "getppid = 1"
	# vmsplice (278) is refused with errnoRet 1 (the kernel would say EBADF)
	assert_line_is "278 = -1 errno 1 (Operation not permitted)"
	# afs_syscall (183) is not listed: defaultErrnoRet 38
	assert_line_is "183 = -1 errno 38 (Function not implemented)"
}

@test "seccomp: syscalls newer than the profile get ENOSYS, older unlisted ones the default" {
	# podman's profile stops at process_mrelease (448); futex_waitv (449) and
	# cachestat (451) are newer.  With EPERM as the default, programs probing
	# them must still see ENOSYS to fall back (runc's -ENOSYS stub).
	podman_profile
	update_config '.linux.seccomp.defaultErrnoRet = 1'
	set_args sh -c 'scmptest 449; scmptest 451; scmptest 183; scmptest getppid'
	run lw run test_busybox
	assert_status 0
	assert_line_is "449 = -1 errno 38 (Function not implemented)"
	assert_line_is "451 = -1 errno 38 (Function not implemented)"
	# afs_syscall (183): older than the profile's newest, unlisted
	assert_line_is "183 = -1 errno 1 (Operation not permitted)"
	assert_line_is "getppid = 0"
}

@test "seccomp: a profile blocking what the runtime needs after loading still starts" {
	# The runtime must have done its setup (groups, ids, caps, prctl,
	# fds, cwd, hostname) before loading the filter; only execve is left.
	allow_but '[{"names":["setgroups","setresuid","setresgid","setuid","setgid","capset","capget","prctl",
		"close_range","chdir","fchdir","umask","sethostname","mount","umount2","pivot_root","openat2",
		"personality","setrlimit","prlimit64","dup3","faccessat2","keyctl","unshare","setns"],
		"action":"SCMP_ACT_ERRNO"}]'
	update_config '.process.noNewPrivileges = true'
	set_args scmptest getppid
	run lw run test_busybox
	assert_status 0
	assert_line_is "getppid = 0"
}

@test "seccomp: without noNewPrivileges the filter is loaded before the user switch (runc's order)" {
	# runc's order: without no_new_privs loading a filter needs
	# CAP_SYS_ADMIN, so it comes before the capabilities are dropped, and a
	# profile that blocks the user switch makes create fail, clearly
	allow_but '[{"names":["setresuid"],"action":"SCMP_ACT_ERRNO"}]'
	update_config '.process.noNewPrivileges = false'
	set_args scmptest getppid
	run lw run test_busybox
	[ "$status" -ne 0 ] || fail "run succeeded although setresuid is blocked"
	[ "$LEEWARD_NAME" = runc ] || assert_output_has "process.user.uid"
}

@test "seccomp: exec'd processes get the same filter" {
	allow_but '[{"names":["getppid"],"action":"SCMP_ACT_ERRNO","errnoRet":100}]'
	set_args sleep 3600
	lw run -d test_busybox </dev/null >/dev/null 2>&1 || fail "run -d failed"
	run lw exec test_busybox scmptest getppid
	assert_status 100
	assert_line_is "getppid = -1 errno 100 (Network is down)"
	run lw exec test_busybox sh -c 'grep "^Seccomp:" /proc/self/status'
	assert_output_matches "Seccomp:[[:space:]]+2"
	lw kill test_busybox KILL || true
}

# --- notify and listenerPath ------------------------------------------------

notify_profile() {
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW",
		"listenerPath":"'"$AGENT_SOCK"'","listenerMetadata":"meta-data",
		"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],
		"syscalls":[{"names":'"$1"',"action":"SCMP_ACT_NOTIFY"}]}'
}

@test "seccomp: listenerPath agent gets the state and the fd, answers errno and CONTINUE" {
	start_agent -e mkdirat:28 -e mkdir:28 -m meta-data
	notify_profile '["mkdir","mkdirat","getppid"]'
	set_args sh -c 'mkdir /tmp/x; echo "mkdir=$?"; scmptest getppid'
	run lw run test_busybox
	assert_status 0
	assert_output_has "No space left on device"
	assert_line_is "mkdir=1"
	assert_line_is "getppid = 0"
	run cat "$AGENT_LOG"
	assert_output_matches 'state ociVersion=[0-9.]+[^ ]* fds=\["seccompFd"\] pid=[0-9]+ metadata=meta-data id=test_busybox status=creating state.pid=[0-9]+ nfds=1'
	assert_output_matches 'notify pid=[0-9]+ syscall=mkdir(at)? -> errno 28'
	assert_output_matches 'notify pid=[0-9]+ syscall=getppid -> continue'
	assert_agent_clean
}

@test "seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV with a listener" {
	[ "$LEEWARD_NAME" != runc ] || ! runc --version | grep -q '^runc version 1\.1\.' ||
		skip "runc 1.1 does not support seccomp flags"
	start_agent -e getppid:28
	notify_profile '["getppid"]'
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
	set_args scmptest getppid
	run lw run test_busybox
	assert_status 28
	assert_line_is "getppid = -1 errno 28 (No space left on device)"
	assert_agent_clean
}

@test "seccomp: notify on the syscalls init and exec use (agent continues them)" {
	start_agent
	notify_profile '["execve","openat","open","read","close"]'
	set_args true
	run lw run test_busybox
	assert_status 0
	run cat "$AGENT_LOG"
	assert_output_has "syscall=execve -> continue"
	assert_agent_clean
}

@test "seccomp: exec'd processes hand their notify fd to the agent too" {
	start_agent -e getppid:28
	notify_profile '["getppid"]'
	set_args sleep 3600
	lw run -d test_busybox </dev/null >/dev/null 2>&1 || fail "run -d failed"
	run lw exec test_busybox scmptest getppid
	assert_status 28
	lw kill test_busybox KILL || true
	run cat "$AGENT_LOG"
	[ "$(grep -c '^state ' <<<"$output")" -eq 2 ] || fail "agent did not get 2 connections: $output"
	assert_agent_clean
}

@test "seccomp: a killed agent makes notified syscalls fail with ENOSYS" {
	start_agent
	notify_profile '["getppid"]'
	set_args sh -c 'scmptest getpid; sleep 2; scmptest getppid'
	(sleep 1 && kill "$AGENT_PID") &
	local killer=$!
	run lw run test_busybox
	wait "$killer"
	assert_line_is "getppid = -1 errno 38 (Function not implemented)"
}

@test "seccomp: no agent at listenerPath fails create with the path" {
	AGENT_SOCK=$BATS_TEST_TMPDIR/nobody-listens.sock
	notify_profile '["getppid"]'
	set_args true
	run lw run test_busybox
	assert_failed
	if [ "$LEEWARD_NAME" != runc ]; then
		assert_output_has "$AGENT_SOCK"
	fi
}

@test "seccomp: SCMP_ACT_NOTIFY on write is refused" {
	AGENT_SOCK=$BATS_TEST_TMPDIR/agent.sock
	notify_profile '["write"]'
	set_args true
	run lw run test_busybox
	assert_failed
	assert_output_has "SCMP_ACT_NOTIFY cannot be used for"
}

@test "seccomp: SCMP_ACT_NOTIFY as the default action is refused" {
	seccomp '{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/nonexistent.sock"}'
	set_args true
	run lw run test_busybox
	assert_failed
	assert_output_has "SCMP_ACT_NOTIFY"
}
