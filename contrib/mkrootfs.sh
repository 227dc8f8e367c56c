#!/bin/sh
# mkrootfs.sh DIR: make a minimal busybox root filesystem in DIR.
#
#   DIR/bin/busybox      the static busybox, every applet linked in /bin and /sbin
#   DIR/bin/lwtest       the test helper, if build/lwtest exists (or $LWTEST)
#   DIR/etc/passwd       root and nobody (65534)
#   DIR/etc/group
#   DIR/{proc,sys,dev,tmp,root,run,mnt}
#
# Used once per test run by tests/integration/helpers.bash (which then copies
# the result per test), and usable by hand to make a bundle's rootfs.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1
here=$(cd "$(dirname "$0")/.." && pwd)
busybox=${BUSYBOX:-$(command -v busybox || true)}
lwtest=${LWTEST:-$here/build/lwtest}

if [ -z "$busybox" ] || ! "$busybox" true 2>/dev/null; then
	echo "mkrootfs: busybox not found (apt-get install busybox-static)" >&2
	exit 1
fi
# The rootfs has no libc: a dynamically linked busybox would not run there.
if command -v file >/dev/null && file -L "$busybox" | grep -q 'dynamically linked'; then
	echo "mkrootfs: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

mkdir -p "$dir"
cd "$dir"
mkdir -p bin sbin etc proc sys dev tmp root run mnt var/tmp usr
chmod 1777 tmp var/tmp
chmod 0700 root
cp "$busybox" bin/busybox
chmod 0755 bin/busybox
for applet in $(bin/busybox --list-full 2>/dev/null || "$busybox" --list-full); do
	case $applet in
	bin/busybox | linuxrc) continue ;;
	usr/*) applet=${applet#usr/} ;;
	esac
	[ -e "$applet" ] || [ -L "$applet" ] || ln -s /bin/busybox "$applet"
done
if [ -x "$lwtest" ]; then
	cp "$lwtest" bin/lwtest
	chmod 0755 bin/lwtest
fi

cat >etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >etc/group <<'GROUP'
root:x:0:
daemon:x:1:
users:x:100:
nogroup:x:65534:
GROUP
echo 'leeward-test' >etc/hostname
: >etc/resolv.conf
: >etc/hosts
