#!/bin/bash
# Sanity checks of the VM lane, run INSIDE the guest:
#   tests/vm/run.sh -- tests/vm/guest-check.sh
# Prints one line per check and a final "N passed, N failed" line.
set -u
pass=0 fail=0
ok() { echo "ok   - $*"; pass=$((pass + 1)); }
ko() { echo "FAIL - $*"; fail=$((fail + 1)); }
check() { # description command...
	local d=$1; shift
	if out=$("$@" 2>&1); then ok "$d${out:+: $(echo "$out" | head -n3 | tr '\n' ' ')}"; else ko "$d: $(echo "$out" | tail -n3 | tr '\n' ' ')"; fi
}

[ "${LEEWARD_VM:-}" = 1 ] || { echo "not in the VM lane (LEEWARD_VM!=1)"; exit 2; }
echo "# kernel $(uname -r), $(nproc) cpu(s), hostname $(hostname)"

# Pure cgroup v2 with every controller.
want="cpuset cpu io memory hugetlb pids rdma misc"
have=$(cat /sys/fs/cgroup/cgroup.controllers)
check "cgroup2 at /sys/fs/cgroup" sh -c '[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]'
check "controllers: $have" sh -c "for c in $want; do echo ' $have ' | grep -q \" \$c \" || { echo missing \$c; exit 1; }; done"
check "root subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)" \
	sh -c '[ "$(cat /sys/fs/cgroup/cgroup.subtree_control)" = "$(cat /sys/fs/cgroup/cgroup.controllers)" ]'
check "no cgroup v1 mounts" sh -c '! grep -q " cgroup " /proc/mounts'
check "cgroup create/remove" sh -c 'mkdir /sys/fs/cgroup/vmcheck && echo 10 >/sys/fs/cgroup/vmcheck/pids.max && rmdir /sys/fs/cgroup/vmcheck'

# Landlock ABI version (landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)).
abi=$(python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); print(l.syscall(444, None, 0, 1))' 2>/dev/null)
if [ -n "$abi" ] && [ "$abi" -ge 6 ] 2>/dev/null; then ok "Landlock ABI $abi"; else ko "Landlock ABI ${abi:-unknown} (want >= 6)"; fi

# Nothing of the initramfs is left mounted (hidden) under the root: the only
# proc/sysfs/devtmpfs mounts are the guest's own.
check "one proc, one sysfs, one devtmpfs" sh -c '
	set -- $(awk "\$3==\"proc\"||\$3==\"sysfs\"||\$3==\"devtmpfs\"{print \$3\":\"\$2}" /proc/mounts | sort)
	echo "$*"; [ "$*" = "devtmpfs:/dev proc:/proc sysfs:/sys" ]'
check "root is the overlay" sh -c '[ "$(stat -f -c %T /)" = overlayfs ]'
check "root (overlay) is writable" sh -c 'touch /.vm-write-test && rm /.vm-write-test'
check "/ is shared (like a systemd host)" sh -c 'grep -q "^[0-9]* [0-9]* [^ ]* / / .* shared:" /proc/self/mountinfo'
check "nested userns procfs on the guest's own root works" unshare -Urpf --mount-proc true
check "lo is up" sh -c 'ip -o link show lo | grep -q "UP"'
check "modprobe works (dummy)" sh -c 'modprobe dummy && ip link add vmchk0 type dummy && ip link del vmchk0'

check "runc --version" sh -c 'runc --version | head -n1'
check "crun --version" sh -c 'crun --version | head -n1'

# crun (refuses hybrid hosts) runs a busybox bundle. A nested user namespace
# in it may mount a fresh procfs only while some procfs in the container's
# mount namespace is fully visible: with /proc unmasked it works, with the
# default masked paths it must be refused. (Were the initramfs's /proc left
# hidden under the root, it would count as fully visible and the masked case
# would work too.)
b=/tmp/vmcheck-bundle
rm -rf $b && mkdir -p $b/rootfs/bin && cp /bin/busybox $b/rootfs/bin/ &&
	for a in sh cat echo unshare mount; do ln -s busybox $b/rootfs/bin/$a; done
(cd $b && runc spec && jq '.process.terminal=false | .root.readonly=false' config.json >c && mv c config.json)
set_args() {
	local a
	a=$(for x in "$@"; do printf '%s' "$x" | jq -Rs .; done | jq -s .)
	jq --argjson a "$a" '.process.args=$a' $b/config.json >$b/c && mv $b/c $b/config.json
}
set_args /bin/sh -c 'echo hello from $(cat /proc/self/cgroup)'
check "crun run busybox bundle" sh -c "cd $b && crun run vmcheck-crun"
check "runc run busybox bundle" sh -c "cd $b && runc run vmcheck-runc"
set_args /bin/sh -c 'unshare -Upfm --mount-proc=/proc true && echo MOUNTED'
out=$(cd $b && crun run vmcheck-crun2 2>&1)
if echo "$out" | grep -qx MOUNTED; then
	ko "nested procfs in a container with masked /proc must be refused: $out"
else
	ok "nested procfs in a container with masked /proc refused: $(echo "$out" | tail -n1)"
fi
jq '.linux.maskedPaths=[] | .linux.readonlyPaths=[]' $b/config.json >$b/c && mv $b/c $b/config.json
out=$(cd $b && crun run vmcheck-crun3 2>&1)
if echo "$out" | grep -qx MOUNTED; then
	ok "nested procfs in a container with unmasked /proc works"
else
	ko "nested procfs in a container with unmasked /proc should work: $out"
fi
if [ -n "${LEEWARD:-}" ] && [ -x "${LEEWARD:-}" ]; then
	(cd $b && runc spec && jq '.process.terminal=false | .root.readonly=false' config.json >c && mv c config.json)
	set_args /bin/sh -c 'echo hello from $(cat /proc/self/cgroup)'
	check "leeward run busybox bundle" sh -c "cd $b && $LEEWARD run vmcheck-leeward"
fi
rm -rf $b

echo "$pass passed, $fail failed"
[ $fail = 0 ]
