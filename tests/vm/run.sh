#!/bin/bash
# Run a command as root in a throwaway pure-cgroup-v2 VM whose root is the
# host's root (virtiofs, read-only) under a tmpfs overlay, cwd = $PWD.
#
#   tests/vm/run.sh [--timeout S] [--mem M] [--smp N] -- CMD ARGS...
#
# CMD's stdout+stderr stream to this script's stdout; its exit status is this
# script's. The kernel console goes to a log shown only on failure (no exit
# status from the guest) or with VM_DEBUG=1. 124 = timeout, 125 = VM failure.
#
# Environment passed to CMD: PATH, CI, LEEWARD*, BATS_*, and the variables
# named in VM_ENV (space separated); LEEWARD_VM=1 is always set.
# Knobs: LEEWARD_VM_CACHE (cache dir), VM_ACCEL (tcg,thread=single), VM_DEBUG=1, VM_MEM (2G), VM_SMP (1),
# VM_TIMEOUT (seconds, 0 = none), VM_APPEND (extra kernel args), VM_MACHINE,
# VM_CPU (max,la57=off: 5-level paging halves TCG speed), VM_KERNEL=bzimage
# (skip the PVH vmlinux), VM_DISK=0 (no null virtio disk /dev/vda), VM_VFS_CACHE (virtiofsd cache=, default always: the
# guest caches the host's files for its lifetime), VM_PROPAGATION (/ in the guest: shared|private|slave),
# QEMU, VIRTIOFSD.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${LEEWARD_VM_CACHE:-$here/.cache}
timeout=${VM_TIMEOUT:-0}
mem=${VM_MEM:-2G}
smp=${VM_SMP:-1}
QEMU=${QEMU:-qemu-system-x86_64}
VIRTIOFSD=${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}

usage() { echo "usage: $0 [--timeout S] [--mem M] [--smp N] -- CMD ARGS..." >&2; exit 2; }
die() { echo "vm/run.sh: $*" >&2; exit 125; }

while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=${2:?}; shift 2 ;;
	--timeout=*) timeout=${1#*=}; shift ;;
	--mem) mem=${2:?}; shift 2 ;;
	--mem=*) mem=${1#*=}; shift ;;
	--smp) smp=${2:?}; shift 2 ;;
	--smp=*) smp=${1#*=}; shift ;;
	--) shift; break ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || usage
[ "$(id -u)" = 0 ] || die "must run as root (virtiofsd exports / with the host's ownership)"
command -v "$QEMU" >/dev/null || die "no $QEMU (apt-get install qemu-system-x86)"
[ -x "$VIRTIOFSD" ] || die "no $VIRTIOFSD (apt-get install qemu-system-common)"

# --- kernel and initrd (cached; run-suite.sh refreshes the kernel) ----------
if [ -e "$cache/kernel/current/.done" ]; then
	kdir=$(readlink -f "$cache/kernel/current")
else
	kdir=$(LEEWARD_VM_CACHE=$cache "$here/fetch-kernel.sh") || die "fetch-kernel.sh failed"
fi
initrd=$("$here/build-initrd.sh" "$kdir") || die "build-initrd.sh failed"
kernel=$kdir/vmlinux
if [ "${VM_KERNEL:-}" = bzimage ] || [ ! -f "$kernel" ]; then
	kernel=$kdir/vmlinuz
fi
kver=$(basename "$(ls -d "$kdir"/modroot/lib/modules/* | head -n1)")

# --- the job: written where the guest sees it through the host root ---------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/leeward-vm.XXXXXX") || die "mktemp failed"
qpid= vpid= wpid= tpid=
cleanup() {
	local p
	trap - EXIT INT TERM HUP
	for p in $wpid $qpid $vpid; do kill "$p" 2>/dev/null; done
	for p in $qpid $vpid; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	[ -n "$tpid" ] && { sleep 0.2; kill "$tpid" 2>/dev/null; }
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM HUP

q() { # shell-quote for the guest's sh
	local s=$1
	printf "'%s'" "${s//\'/\'\\\'\'}"
}
job=$tmp/job
mkdir -p "$job"
{
	echo "cd $(q "$PWD") || exit 125"
	echo "export LEEWARD_VM=1 HOME=/root USER=root LOGNAME=root SHELL=/bin/sh TERM=dumb"
	while IFS= read -r name; do
		case $name in
		PATH | CI | LEEWARD* | BATS_*) ;;
		*) [[ " ${VM_ENV:-} " == *" $name "* ]] || continue ;;
		esac
		[ "$name" = LEEWARD_VM ] && continue
		echo "export $name=$(q "${!name}")"
	done < <(compgen -e)
	echo 'export PATH="${PATH:-/usr/sbin:/usr/bin:/sbin:/bin}:/run/leeward-vm/bin"'
	printf 'exec'
	for a in "$@"; do printf ' %s' "$(q "$a")"; done
	echo
} >"$job/cmd.sh"
{
	echo "VM_MODULES=$(q "$kdir/modroot/lib/modules/$kver")"
	echo "VM_PROPAGATION=$(q "${VM_PROPAGATION:-shared}")"
	echo "VM_HOSTNAME=$(q "${VM_HOSTNAME:-leeward-vm}")"
} >"$job/conf"
: >"$tmp/out"
: >"$tmp/status"
: >"$tmp/console.log"

# --- virtiofsd: the host root, read-only in the guest (the guest mounts it ro;
# this virtiofsd has no read-only option) ------------------------------------
"$VIRTIOFSD" --socket-path="$tmp/vfs.sock" -o source=/ \
	-o cache="${VM_VFS_CACHE:-always}" -o sandbox=chroot -o no_posix_lock -o no_flock \
	-f >"$tmp/virtiofsd.log" 2>&1 &
vpid=$!
for _ in $(seq 200); do
	[ -S "$tmp/vfs.sock" ] && break
	kill -0 "$vpid" 2>/dev/null || { cat "$tmp/virtiofsd.log" >&2; die "virtiofsd died"; }
	sleep 0.01
done
[ -S "$tmp/vfs.sock" ] || die "virtiofsd did not create its socket"

# --- qemu ----------------------------------------------------------------------
append="console=ttyS0 quiet loglevel=4 panic=-1 rdinit=/init leeward.job=$job"
append+=" tsc=reliable no_timer_check i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd"
append+=" ${VM_APPEND:-}"
bios=()
[ -f /usr/share/qemu/qboot.rom ] && [ -z "${VM_BIOS:-}" ] && bios=(-bios /usr/share/qemu/qboot.rom)
[ -n "${VM_BIOS:-}" ] && [ "$VM_BIOS" != seabios ] && bios=(-bios "$VM_BIOS")
# A block device for io/blkio tests: a null (zeroes) virtio disk, /dev/vda.
disk=()
[ "${VM_DISK:-1}" = 1 ] && disk=(-blockdev driver=null-co,node-name=disk0,size=268435456,read-zeroes=on
	-device virtio-blk-pci,drive=disk0,serial=leeward-null)
"$QEMU" -nodefaults -no-user-config -display none -no-reboot \
	-accel "${VM_ACCEL:-tcg,thread=single}" -machine "${VM_MACHINE:-q35}" -cpu "${VM_CPU:-max,la57=off}" \
	-smp "$smp" -m "$mem" \
	-object "memory-backend-memfd,id=mem,size=$mem,share=on" -numa node,memdev=mem \
	"${bios[@]}" -kernel "$kernel" -initrd "$initrd" -append "$append" \
	-chardev "file,id=con,path=$tmp/console.log" -serial chardev:con \
	-chardev "socket,id=vfs,path=$tmp/vfs.sock" \
	-device vhost-user-fs-pci,chardev=vfs,tag=hostroot,queue-size=1024 \
	"${disk[@]}" \
	-device virtio-serial-pci,id=vser \
	-chardev "file,id=out,path=$tmp/out" -device virtserialport,bus=vser.0,chardev=out,name=leeward.out \
	-chardev "file,id=st,path=$tmp/status" -device virtserialport,bus=vser.0,chardev=st,name=leeward.status \
	</dev/null >"$tmp/qemu.log" 2>&1 &
qpid=$!

# Stream the job's output while the VM runs; tail ends after qemu does.
tail -c +1 -s 0.05 -f --pid="$qpid" "$tmp/out" &
tpid=$!
if [ "$timeout" != 0 ]; then
	(
		trap 'kill $s 2>/dev/null; exit 0' TERM
		sleep "$timeout" &
		s=$!
		wait $s && echo timeout >"$tmp/timedout" && kill "$qpid"
	) </dev/null >/dev/null 2>&1 &
	wpid=$!
fi
wait "$qpid"
qrc=$?
qpid=
wait "$tpid"
tpid=
[ -n "$wpid" ] && kill "$wpid" 2>/dev/null

rc=$(tr -dc 0-9 <"$tmp/status")
if [ -f "$tmp/timedout" ]; then
	echo "vm/run.sh: timed out after ${timeout}s" >&2
	rc=124
fi
if [ -z "$rc" ] || [ "${VM_DEBUG:-0}" = 1 ] || [ "$rc" = 124 ]; then
	{
		echo "--- vm/run.sh: kernel console ($kernel) ---"
		cat "$tmp/console.log"
		echo "--- qemu (exit $qrc) ---"
		cat "$tmp/qemu.log"
		echo "--- virtiofsd ---"
		cat "$tmp/virtiofsd.log"
	} >&2
fi
[ -n "$rc" ] || { echo "vm/run.sh: no exit status from the guest" >&2; rc=125; }
exit "$rc"
