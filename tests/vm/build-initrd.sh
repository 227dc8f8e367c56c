#!/bin/bash
# Build the VM lane's initramfs for a prepared kernel dir (fetch-kernel.sh):
# an UNCOMPRESSED newc cpio (the gzip'ed one failed to unpack on this kernel)
# with busybox-static, /init (initrd-init), stage 2 (guest-init), /dev/console
# and the .ko files of fuse/virtiofs/overlay that are not built in.
#
#   build-initrd.sh KDIR     prints the initrd's path; reuses a cached one
#                            whose inputs (scripts, busybox, kernel) match
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kdir=${1:?usage: build-initrd.sh KERNEL_DIR}
kdir=$(cd "$kdir" && pwd)
BB=${BUSYBOX:-/bin/busybox}

log() { echo "build-initrd: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ -x "$BB" ] || die "no busybox at $BB (apt-get install busybox-static)"
case $("$BB" --help 2>&1 || true) in *BusyBox*) ;; *) die "$BB is not busybox" ;; esac
command -v cpio >/dev/null || die "no cpio (apt-get install cpio)"

ver=$(basename "$(ls -d "$kdir"/modroot/lib/modules/* | head -n1)")
mdir=$kdir/modroot/lib/modules/$ver
[ -f "$mdir/modules.builtin" ] || die "no $mdir/modules.builtin (run fetch-kernel.sh)"

# Modules needed for the host root share and the overlay, with dependencies,
# dependencies first; built-in ones need nothing.
need=(fuse virtiofs overlay)
order=()
add_mod() { # module name
	local name=$1 path dep
	if grep -qE "/$name\.ko$" "$mdir/modules.builtin" ||
		grep -qE "/${name//_/-}\.ko$" "$mdir/modules.builtin"; then
		return 0
	fi
	path=$(grep -E "^(kernel/)?[^:]*/($name|${name//_/-})\.ko:" "$mdir/modules.dep" | head -n1 | cut -d: -f1) ||
		true
	[ -n "$path" ] || die "module $name neither built in nor in modules.dep"
	for dep in $(grep -E "^$path:" "$mdir/modules.dep" | cut -d: -f2-); do
		add_mod "$(basename "$dep" .ko)"
	done
	local p
	for p in "${order[@]}"; do [ "$p" = "$path" ] && return 0; done
	order+=("$path")
}
for m in "${need[@]}"; do add_mod "$m"; done

sum=$(
	{
		cat "$here/initrd-init" "$here/guest-init" "$here/build-initrd.sh" "$BB"
		echo "$ver ${order[*]}"
	} | sha256sum | cut -c1-16
)
out=$kdir/initrd-$sum.cpio
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,dev,proc,sys,lib/modules,newroot}
cp "$BB" "$root/bin/busybox"
for a in $("$BB" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3
install -m 755 "$here/initrd-init" "$root/init"
install -m 755 "$here/guest-init" "$root/guest-init"
: >"$root/lib/modules/load"
for p in "${order[@]}"; do
	cp "$mdir/$p" "$root/lib/modules/"
	basename "$p" >>"$root/lib/modules/load"
done
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initrd.cpio"
# Old ones go once no run can still be about to boot them.
find "$kdir" -maxdepth 1 -name "initrd-*.cpio" -mmin +60 -delete 2>/dev/null || true
mv "$tmp/initrd.cpio" "$out"
log "built $out ($(du -h "$out" | cut -f1); modules: ${order[*]:-none})"
echo "$out"
