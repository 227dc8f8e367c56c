#!/bin/bash
# Fetch Debian's linux-image-6.12.*-cloud-amd64 into the VM lane's cache and
# prepare it for booting:
#
#   $CACHE/kernel/<ver>/pkg/          the package, dpkg -x'ed (never /boot)
#   $CACHE/kernel/<ver>/vmlinux       uncompressed ELF, booted via PVH entry
#   $CACHE/kernel/<ver>/modroot/lib/modules/<ver>
#                                     the package's modules, uncompressed,
#                                     with modules.dep (busybox depmod)
#   $CACHE/kernel/current             symlink to the newest prepared <ver>
#
# Idempotent: a prepared version is reused. Prints the kernel directory.
#   LEEWARD_VM_CACHE   cache dir (default tests/vm/.cache)
#   LEEWARD_VM_KERNEL  exact package name to use instead of the newest
#   VM_OFFLINE=1       do not run apt-get update / download, use the cache
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${LEEWARD_VM_CACHE:-$here/.cache}
mkdir -p "$cache/kernel"
cache=$(cd "$cache" && pwd)
BB=${BUSYBOX:-/bin/busybox}

log() { echo "fetch-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

newest_pkg() {
	apt-cache pkgnames linux-image-6.12 2>/dev/null |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64$' |
		sort -V | tail -n1
}

pkg=${LEEWARD_VM_KERNEL:-}
if [ -z "$pkg" ] && [ "${VM_OFFLINE:-0}" != 1 ]; then
	pkg=$(newest_pkg)
	if [ -z "$pkg" ]; then
		log "no linux-image-6.12.*-cloud-amd64 in apt-cache; running apt-get update"
		apt-get update -qq >&2 || true
		pkg=$(newest_pkg)
	fi
fi
if [ -z "$pkg" ]; then
	# Offline, or apt knows nothing: use what the cache has.
	if [ -e "$cache/kernel/current/vmlinuz" ]; then
		readlink -f "$cache/kernel/current"
		exit 0
	fi
	die "no linux-image-6.12.*-cloud-amd64 package found and nothing cached"
fi

ver=${pkg#linux-image-}
kdir=$cache/kernel/$ver
if [ -e "$kdir/.done" ]; then
	ln -sfn "$ver" "$cache/kernel/current"
	echo "$kdir"
	exit 0
fi

log "preparing $pkg in $kdir"
rm -rf "$kdir"
mkdir -p "$kdir/dl"
# apt-get download drops privileges to _apt: let it write the directory.
chown _apt "$kdir/dl" 2>/dev/null || chmod 777 "$kdir/dl"
(cd "$kdir/dl" && apt-get download -q "$pkg" >&2) || die "apt-get download $pkg failed"
deb=$(ls "$kdir"/dl/*.deb)
dpkg -x "$deb" "$kdir/pkg"
rm -rf "$kdir/dl"

vmlinuz=$kdir/pkg/boot/vmlinuz-$ver
[ -f "$vmlinuz" ] || die "no $vmlinuz in $deb"
ln -sfn "pkg/boot/vmlinuz-$ver" "$kdir/vmlinuz"

# --- vmlinux out of the bzImage (the logic of scripts/extract-vmlinux) -----
is_elf() { [ "$(head -c4 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; }
has_pvh_note() {
	# ELF note XEN_ELFNOTE_PHYS32_ENTRY (type 18) in a "Xen" note; a cheap
	# check: readelf when present, otherwise trust CONFIG_PVH.
	if command -v readelf >/dev/null; then
		readelf -n "$1" 2>/dev/null | grep -qi 'PHYS32_ENTRY\|type: (0x00000012)'
	else
		grep -q '^CONFIG_PVH=y' "$kdir/pkg/boot/config-$ver"
	fi
}
try_decomp() { # magic(hex, od style) command...
	local magic=$1; shift
	local off
	# Every offset of the magic; the first one that decompresses to an ELF wins.
	for off in $(LC_ALL=C grep -obUaP "$magic" "$vmlinuz" 2>/dev/null | cut -d: -f1); do
		tail -c +$((off + 1)) "$vmlinuz" | "$@" >"$kdir/vmlinux.tmp" 2>/dev/null || true
		if is_elf "$kdir/vmlinux.tmp"; then
			mv "$kdir/vmlinux.tmp" "$kdir/vmlinux"
			return 0
		fi
	done
	rm -f "$kdir/vmlinux.tmp"
	return 1
}
comp=$(sed -n 's/^CONFIG_KERNEL_\([A-Z0-9]*\)=y$/\1/p' "$kdir/pkg/boot/config-$ver" | head -n1)
log "kernel compression: ${comp:-unknown}"
ok=0
case $comp in
ZSTD) try_decomp '\x28\xb5\x2f\xfd' zstd -dcq && ok=1 ;;
XZ) try_decomp '\xfd\x37\x7a\x58\x5a\x00' xz -dcq && ok=1 ;;
GZIP) try_decomp '\x1f\x8b\x08' gzip -dcq && ok=1 ;;
esac
if [ $ok = 0 ]; then
	# Unknown config: try them all.
	try_decomp '\x28\xb5\x2f\xfd' zstd -dcq || try_decomp '\xfd\x37\x7a\x58\x5a\x00' xz -dcq ||
		try_decomp '\x1f\x8b\x08' gzip -dcq || true
	[ -f "$kdir/vmlinux" ] && ok=1
fi
if [ $ok = 1 ] && has_pvh_note "$kdir/vmlinux"; then
	log "extracted vmlinux ($(du -h "$kdir/vmlinux" | cut -f1)), PVH entry"
else
	log "could not extract a PVH vmlinux; run.sh will boot the bzImage"
	rm -f "$kdir/vmlinux"
fi

# --- modules: uncompressed, with modules.dep, for the initrd and modprobe ---
src=$kdir/pkg/lib/modules/$ver
[ -d "$src" ] || src=$kdir/pkg/usr/lib/modules/$ver
mdir=$kdir/modroot/lib/modules/$ver
mkdir -p "$mdir"
(cd "$src" && find . -type d) | (cd "$mdir" && xargs mkdir -p)
(cd "$src" && find . -type f ! -name '*.ko*') | while read -r f; do cp "$src/$f" "$mdir/$f"; done
(cd "$src" && find . -name '*.ko.xz') | while read -r f; do
	xz -dc "$src/$f" >"$mdir/${f%.xz}"
done
(cd "$src" && find . -name '*.ko.zst') | while read -r f; do
	zstd -dcq "$src/$f" >"$mdir/${f%.zst}"
done
(cd "$src" && find . -name '*.ko') | while read -r f; do cp "$src/$f" "$mdir/$f"; done
"$BB" depmod -b "$kdir/modroot" "$ver" 2>/dev/null ||
	log "warning: busybox depmod failed; modprobe in the guest will not work"

touch "$kdir/.done"
ln -sfn "$ver" "$cache/kernel/current"
log "done: $kdir"
echo "$kdir"
