#!/usr/bin/env bats
# Landlock: process.landlock (the shape of runtime-spec PR #1111/#1241 plus
# handledAccessNet, scoped and netPort) and the io.github.leeward.landlock
# annotation.  Filesystem rules, TCP port rules, signal and abstract-socket
# scopes; with and without noNewPrivileges; create+start and run; exec'd
# processes under the container's policy; stacking; bad policies refused
# with the field's path and nothing left behind.
#
# lwtest (tests/helper/lwtest.c) is copied into the rootfs: `lwtest write
# PATH TEXT` prints ok or the errno's name, `lwtest net bind|connect PORT`
# and `lwtest net unix-connect NAME` the same for sockets, `lwtest signal
# PID` for kill(PID, 0).

load helpers

setup_file() {
	# runc and crun have no Landlock: these tests are leeward's own
	if ! "$LEEWARD" features 2>/dev/null | grep -q '"io.github.leeward.landlock.abi"'; then
		export LL_SKIP="$LEEWARD_NAME does not support process.landlock"
	elif [ "$("$LEEWARD" features | jq -r '.annotations["io.github.leeward.landlock.abi"]')" = 0 ]; then
		export LL_SKIP="the kernel has no Landlock"
	fi
}

setup() {
	[ -z "${LL_SKIP:-}" ] || skip "$LL_SKIP"
	requires lwtest
	setup_bundle
	cp "$LWTEST" "$BUNDLE/rootfs/bin/lwtest"
	LISTENER= DEMO_DIR=
}

teardown() {
	[ -z "${DEMO_DIR:-}" ] || rm -rf --one-file-system "$DEMO_DIR"
	if [ -n "${LISTENER:-}" ]; then
		kill "$LISTENER" 2>/dev/null
		wait "$LISTENER" 2>/dev/null
	fi
	teardown_bundle
}

# The filesystem rights of Landlock ABI 1..5, as the proposal spells them.
FS_ALL='["execute","write_file","read_file","read_dir","remove_dir","remove_file","make_char",
	"make_dir","make_reg","make_sock","make_fifo","make_block","make_sym","refer","truncate","ioctl_dev"]'
RX='["execute","read_file","read_dir"]'
RW='["write_file","read_file","read_dir","remove_dir","remove_file","make_dir","make_reg","truncate"]'

# landlock JQ: process.landlock = JQ
landlock() {
	update_config ".process.landlock = ($1)"
}

# The usual sandbox: read and execute everywhere, write only beneath /tmp
# (and to /dev/null).
landlock_rx_tmp() {
	landlock '{ruleset: {handledAccessFS: '"$FS_ALL"'},
		rules: {pathBeneath: [{allowedAccess: '"$RX"', paths: ["/"]},
			{allowedAccess: '"$RW"', paths: ["/tmp", "/dev/null"]}]}}'
}

FS_PROBE='lwtest write /tmp/ok yes; lwtest write /etc/denied no; lwtest mkdir /newdir;
	cat /etc/passwd >/dev/null && echo read-ok; rm /etc/passwd 2>/dev/null || echo rm-denied'

assert_fs_confined() {
	assert_status 0
	[ "${lines[0]}" = ok ] || fail "write beneath /tmp: ${lines[0]}"
	[ "${lines[1]}" = EACCES ] || fail "write to /etc: ${lines[1]}"
	[ "${lines[2]}" = EACCES ] || fail "mkdir /newdir: ${lines[2]}"
	assert_line_is read-ok
	assert_line_is rm-denied
	[ -f rootfs/tmp/ok ] || fail "rootfs/tmp/ok was not written"
	[ ! -e rootfs/etc/denied ] || fail "rootfs/etc/denied was written"
	[ ! -e rootfs/newdir ] || fail "rootfs/newdir was made"
	[ -f rootfs/etc/passwd ] || fail "rootfs/etc/passwd was removed"
}

@test "landlock: writes only beneath the allowed path, reads and execs everywhere" {
	landlock_rx_tmp
	set_args sh -c "$FS_PROBE"
	run lw run test_ll
	assert_fs_confined
}

@test "landlock: the same without noNewPrivileges, as a user without capabilities" {
	# the kernel takes restrict_self without no_new_privs only from a
	# process with CAP_SYS_ADMIN: leeward restricts before the switch
	landlock_rx_tmp
	chmod 1777 rootfs/tmp
	update_config '.process.noNewPrivileges = false | .process.user = {uid: 1000, gid: 1000}
		| .process.capabilities = {}'
	set_args sh -c "$FS_PROBE; lwtest nnp; id -u"
	run lw run test_ll
	assert_fs_confined
	# leeward does not set no_new_privs behind the config's back
	[ "${lines[-2]}" = 0 ] || fail "no_new_privs: ${lines[-2]}"
	[ "${lines[-1]}" = 1000 ] || fail "uid: ${lines[-1]}"
}

@test "landlock: create, then start: enforced in the started process" {
	landlock_rx_tmp
	set_args sh -c 'lwtest write /tmp/a x >/tmp/a.out; lwtest write /etc/a x >/tmp/b.out; sleep 300'
	run lw create test_ll
	assert_status 0
	[ ! -e rootfs/tmp/a ] || fail "ran before start"
	run lw start test_ll
	assert_status 0
	wait_for_file rootfs/tmp/b.out
	sleep 0.1
	[ "$(cat rootfs/tmp/a.out)" = ok ] || fail "write beneath /tmp: $(cat rootfs/tmp/a.out)"
	[ "$(cat rootfs/tmp/b.out)" = EACCES ] || fail "write to /etc: $(cat rootfs/tmp/b.out)"
}

@test "landlock: execute only where allowed" {
	mkdir -p rootfs/opt
	cp "$LWTEST" rootfs/opt/lwtest
	landlock '{ruleset: {handledAccessFS: '"$FS_ALL"'},
		rules: {pathBeneath: [{allowedAccess: ["read_file","read_dir"], paths: ["/"]},
			{allowedAccess: '"$RX"', paths: ["/bin"]}]}}'
	set_args sh -c '/opt/lwtest exit 0; echo "opt=$?"; lwtest exit 0; echo "bin=$?"'
	run lw run test_ll
	assert_status 0
	assert_line_is "opt=126"
	assert_line_is "bin=0"
	# the container's own program: execve fails and says so
	set_args /opt/lwtest ids
	run lw run test_ll2
	assert_failed
	assert_output_has "/opt/lwtest"
	assert_output_has "ermission denied"
	assert_no_leftovers test_ll2
}

@test "landlock: a rule on a file keeps only the rights a file can have" {
	# read_dir, make_reg... mean nothing on /dev/null; the kernel refuses
	# them there, leeward leaves them out for that path
	landlock '{ruleset: {handledAccessFS: '"$FS_ALL"'},
		rules: {pathBeneath: [{allowedAccess: '"$RX"', paths: ["/"]},
			{allowedAccess: '"$RW"', paths: ["/dev/null", "/tmp"]}]}}'
	set_args sh -c 'echo x >/dev/null && echo null-ok; lwtest write /dev/zero x'
	run lw run test_ll
	assert_line_is null-ok
	assert_line_is EACCES
}

@test "landlock: TCP bind and connect only on the allowed ports" {
	landlock '{ruleset: {handledAccessNet: ["bind_tcp","connect_tcp"]},
		rules: {netPort: [{allowedAccess: ["connect_tcp"], ports: [8080, 8443]},
			{allowedAccess: ["bind_tcp"], ports: [9000]}]}}'
	# connect to a closed port: ECONNREFUSED means Landlock let it through
	set_args sh -c 'lwtest net connect 8080; lwtest net connect 8443; lwtest net connect 8081;
		lwtest net bind 9000; lwtest net bind 9001; lwtest write /etc/x y'
	run lw run test_ll
	[ "${lines[0]}" = ECONNREFUSED ] || fail "connect 8080: $output"
	[ "${lines[1]}" = ECONNREFUSED ] || fail "connect 8443: $output"
	[ "${lines[2]}" = EACCES ] || fail "connect 8081: $output"
	[ "${lines[3]}" = ok ] || fail "bind 9000: $output"
	[ "${lines[4]}" = EACCES ] || fail "bind 9001: $output"
	# the filesystem is not handled by this ruleset
	[ "${lines[5]}" = ok ] || fail "write /etc/x: $output"
}

@test "landlock: scoped signals: no signal leaves the sandbox" {
	# without a pid namespace the host's pid 1 is visible; root with
	# CAP_KILL could signal it, the scope says no
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	set_args sh -c 'lwtest signal 1; lwtest signal $$'
	run lw run test_ll
	[ "${lines[0]}" = ok ] || fail "without Landlock: $output"
	landlock '{ruleset: {scoped: ["signal"]}}'
	run lw run test_ll
	[ "${lines[0]}" = EPERM ] || fail "signal to the host's pid 1: $output"
	[ "${lines[1]}" = ok ] || fail "signal within the sandbox: $output"
}

@test "landlock: scoped abstract unix sockets: no connection out of the sandbox" {
	# the host network namespace, so a host listener is reachable at all
	update_config '.linux.namespaces -= [{"type": "network"}]'
	local name=leeward-ll-$$-$BATS_TEST_NUMBER
	"$LWTEST" net unix-listen "$name" "$BATS_TEST_TMPDIR/ready" 3>&- &
	LISTENER=$!
	wait_for_file "$BATS_TEST_TMPDIR/ready"
	set_args lwtest net unix-connect "$name"
	run lw run test_ll
	assert_line_is ok
	landlock '{ruleset: {scoped: ["abstract_unix_socket"]}}'
	run lw run test_ll
	assert_line_is EPERM
}

@test "landlock: exec'd processes get the container's policy, with or without --process" {
	landlock_rx_tmp
	set_args sleep 300
	run lw run -d test_ll
	assert_status 0
	run lw exec test_ll sh -c "$FS_PROBE"
	assert_fs_confined
	# podman and containerd always pass --process, with no landlock in it
	jq '.process | del(.landlock) | .args = ["lwtest", "write", "/etc/p", "x"]' config.json >p.json
	run lw exec --process p.json test_ll
	assert_line_is EACCES
	[ ! -e rootfs/etc/p ] || fail "exec --process escaped the container's policy"
	# a process's own policy stacks: it can only narrow
	jq '.process | .args = ["sh", "-c", "lwtest write /tmp/q x; lwtest write /etc/q x"]
		| .landlock = {ruleset: {handledAccessFS: ["write_file","make_reg"]}}' config.json >q.json
	run lw exec --process q.json test_ll
	[ "${lines[0]}" = EACCES ] || fail "/tmp with the narrower own policy: $output"
	[ "${lines[1]}" = EACCES ] || fail "/etc: $output"
}

@test "landlock: an exec'd process does not follow a symlink put on a rule's path since create" {
	# /box: the sandbox may swap entries; /box/data: it may write there
	mkdir -p rootfs/box/data
	landlock '{ruleset: {handledAccessFS: '"$FS_ALL"'},
		rules: {pathBeneath: [{allowedAccess: '"$RX"', paths: ["/"]},
			{allowedAccess: ["read_dir","remove_dir","remove_file","make_dir","make_sym"],
			 paths: ["/box"]},
			{allowedAccess: '"$RW"', paths: ["/box/data"]}]}}'
	set_args sleep 300
	run lw run -d test_ll
	assert_status 0
	run lw exec test_ll sh -c 'lwtest write /box/data/a x; lwtest write /etc/a x'
	[ "${lines[0]}" = ok ] && [ "${lines[1]}" = EACCES ] || fail "before the swap: $output"
	# the sandbox replaces /box/data by a symlink to /etc ...
	run lw exec test_ll sh -c 'rm /box/data/a && rmdir /box/data && ln -s /etc /box/data && echo swapped'
	assert_line_is swapped
	[ -L rootfs/box/data ] || fail "the swap did not happen"
	# ... which must not carry the rule for /box/data over to /etc
	run lw exec test_ll lwtest write /etc/escaped x
	[ "$status" -ne 0 ] || fail "exec ran after the swap: $output"
	assert_output_has "/box/data led to /box/data when the container was created, and a symlink is on that way now"
	[ ! -e rootfs/etc/escaped ] || fail "the rule followed the symlink: /etc/escaped was written"
	# every exec is refused so, until a directory is there again (made here
	# from outside: the sandbox cannot exec to do it); that one is the
	# rule's path
	rm rootfs/box/data && mkdir rootfs/box/data
	run lw exec test_ll sh -c 'lwtest write /box/data/b x; lwtest write /etc/b x'
	[ "${lines[0]}" = ok ] && [ "${lines[1]}" = EACCES ] || fail "after making it again: $output"
}

@test "landlock: rule paths through the image's own symlinks work for create and exec" {
	mkdir -p rootfs/box/real
	ln -s box/real rootfs/lnk
	landlock '{ruleset: {handledAccessFS: '"$FS_ALL"'},
		rules: {pathBeneath: [{allowedAccess: '"$RX"', paths: ["/"]},
			{allowedAccess: '"$RW"', paths: ["/lnk"]}]}}'
	set_args sh -c 'lwtest write /lnk/a x; sleep 300'
	run lw run -d test_ll
	assert_status 0
	wait_for_file rootfs/box/real/a 5
	# what exec uses: where the rule led at create
	grep -q '^0 1 /box/real$' "$ROOT/test_ll/landlock.pins" ||
		fail "landlock.pins: $(cat "$ROOT/test_ll/landlock.pins" 2>&1)"
	run lw exec test_ll sh -c 'lwtest write /lnk/b x; lwtest write /box/c x'
	[ "${lines[0]}" = ok ] && [ "${lines[1]}" = EACCES ] || fail "exec: $output"
	[ -f rootfs/box/real/b ] || fail "exec's write did not land in /box/real"
}

@test "landlock: the annotation applies, and stacks with process.landlock" {
	local ann
	ann=$(jq -cn '{ruleset: {handledAccessFS: ["write_file","make_reg"]},
		rules: {pathBeneath: [{allowedAccess: ["write_file","make_reg"], paths: ["/etc"]}]}}')
	update_config ".annotations[\"io.github.leeward.landlock\"] = $(jq -n --arg a "$ann" '$a')"
	set_args sh -c 'lwtest write /etc/a x; lwtest write /tmp/a x'
	run lw run test_ll
	[ "${lines[0]}" = ok ] || fail "annotation alone, /etc: $output"
	[ "${lines[1]}" = EACCES ] || fail "annotation alone, /tmp: $output"
	# with process.landlock (writes beneath /tmp only) nothing is writable
	landlock_rx_tmp
	run lw run test_ll
	[ "${lines[0]}" = EACCES ] || fail "stacked, /etc: $output"
	[ "${lines[1]}" = EACCES ] || fail "stacked, /tmp: $output"
}

@test "landlock: disableBestEffort with rights this kernel has" {
	landlock '{ruleset: {handledAccessFS: '"$FS_ALL"', scoped: ["signal"]},
		rules: {pathBeneath: [{allowedAccess: '"$RX"', paths: ["/"]},
			{allowedAccess: '"$RW"', paths: ["/tmp", "/dev/null"]}]}, disableBestEffort: true}'
	set_args sh -c "$FS_PROBE"
	run lw run test_ll
	assert_fs_confined
}

# create_fails ID MESSAGE: `create ID` fails naming MESSAGE, leaves nothing.
create_fails() {
	run lw create "$1"
	assert_failed
	assert_output_has "$2"
	assert_no_leftovers "$1"
}

@test "landlock: bad policies are refused with the field's path, and leave nothing" {
	cp config.json base.json
	local cases=(
		'.process.landlock = {ruleset: {handledAccessFS: ["read_file", "fly"]}}'
		'process.landlock.ruleset.handledAccessFS[1]: unknown filesystem access right "fly"'
		'.process.landlock = {ruleset: {handledAccessFS: ["read_file"]},
			rules: {pathBeneath: [{allowedAccess: ["write_file"], paths: ["/"]}]}}'
		'process.landlock.rules.pathBeneath[0].allowedAccess: "write_file" is not handled by ruleset.handledAccessFS'
		'.process.landlock = {ruleset: {handledAccessFS: ["read_file"]},
			rules: {pathBeneath: [{allowedAccess: ["read_file"], paths: ["etc"]}]}}'
		'process.landlock.rules.pathBeneath[0].paths[0]: path "etc" is not absolute'
		'.process.landlock = {ruleset: {}}'
		'process.landlock.ruleset: restricts nothing'
		'.process.landlock = {ruleset: {handledAccessNet: ["connect_tcp"]},
			rules: {netPort: [{allowedAccess: ["connect_tcp"], ports: [65536]}]}}'
		'process.landlock.rules.netPort[0].ports[0]: 65536 is out of range'
		'.process.landlock = {ruleset: {scoped: ["ptrace"]}}'
		'process.landlock.ruleset.scoped[0]: unknown scope "ptrace"'
		'.process.landlock = "all"'
		'process.landlock: expected an object, got string'
		'.annotations["io.github.leeward.landlock"] = "{not json"'
		'annotations["io.github.leeward.landlock"]: invalid JSON'
		# found only inside the container: the path does not exist there
		'.process.landlock = {ruleset: {handledAccessFS: ["read_file"]},
			rules: {pathBeneath: [{allowedAccess: ["read_file"], paths: ["/", "/no/such/dir"]}]}}'
		'process.landlock.rules.pathBeneath[0].paths[1]: opening /no/such/dir: No such file or directory'
	)
	local i
	for ((i = 0; i < ${#cases[@]}; i += 2)); do
		jq "${cases[i]}" base.json >config.json
		create_fails "test_ll$i" "${cases[i + 1]}"
	done
}

@test "landlock: features reports the kernel's Landlock ABI" {
	run lw features
	assert_status 0
	local abi
	abi=$(jq -r '.annotations["io.github.leeward.landlock.abi"]' <<<"$output")
	[[ $abi =~ ^[1-9][0-9]*$ ]] || fail "abi: $abi"
	if [ "${LEEWARD_VM:-0}" = 1 ]; then
		[ "$abi" -ge 6 ] || fail "VM lane kernel 6.12 has ABI 6, features says $abi"
	fi
}

@test "landlock: the policy in contrib/kubernetes/pod-example.yaml works as its comment says" {
	local py ann
	for py in /usr/bin/python3 python3; do
		"$py" -c 'import yaml' 2>/dev/null && break
		py=
	done
	[ -n "$py" ] || skip "needs python3-yaml"
	ann=$("$py" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["metadata"]["annotations"]["io.github.leeward.landlock"])' \
		"$REPO/contrib/kubernetes/pod-example.yaml")
	update_config ".annotations[\"io.github.leeward.landlock\"] = $(jq -n --arg a "$ann" '$a')"
	set_args sh -c 'lwtest write /tmp/a x; lwtest write /etc/a x; lwtest net connect 443; lwtest net connect 80'
	run lw run test_ll
	[ "${lines[0]}" = ok ] || fail "/tmp: $output"
	[ "${lines[1]}" = EACCES ] || fail "/etc: $output"
	[ "${lines[2]}" = ECONNREFUSED ] || fail "connect 443: $output"
	[ "${lines[3]}" = EACCES ] || fail "connect 80: $output"
}

@test "landlock: the demo sandbox (contrib/sandbox.sh, make demo) is confined" {
	requires root userns
	# the sandbox's root is host uid 100000: its bundle must be reachable
	# for it (bats' temp dirs are not)
	DEMO_DIR=$(mktemp -d /tmp/lw-demo.XXXXXX)
	chmod 755 "$DEMO_DIR"
	export SANDBOX_BUNDLE=$DEMO_DIR/bundle SANDBOX_ROOT=$DEMO_DIR/state LEEWARD
	run timeout 60 "$REPO/contrib/sandbox.sh" sh -c 'echo "uid=$(id -u)"; echo x >/dev/null && echo null-ok
		nc 127.0.0.1 80 </dev/null; echo "nc=$?"'
	assert_status 0
	assert_line_is uid=0
	assert_line_is null-ok
	# no TCP out of the sandbox: Landlock says no before the connect is tried
	assert_output_has "Permission denied"
	jq -e '.process.landlock.ruleset.handledAccessNet | index("connect_tcp")' \
		"$SANDBOX_BUNDLE/config.json" >/dev/null || fail "the demo config has no Landlock"
	[ -z "$(ls "$SANDBOX_ROOT")" ] || fail "the demo left state: $(ls "$SANDBOX_ROOT")"
}
