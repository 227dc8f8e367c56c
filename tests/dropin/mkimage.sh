#!/bin/sh
# mkimage.sh rootfs OUT.tar
#     a tar of a busybox root filesystem (contrib/mkrootfs.sh), for
#     `podman import OUT.tar NAME`
# mkimage.sh oci OUT.tar NAME
#     an OCI image layout archive of the same rootfs (one uncompressed layer),
#     for `ctr images import OUT.tar`; the image is called NAME
#     (e.g. docker.io/library/busybox:leeward)
#
# No registry, no network: tar, sha256sum and a few JSON files.  Set
# ROOTFS=DIR to use an existing rootfs instead of making one.
set -eu

usage() {
	echo "usage: $0 rootfs OUT.tar | oci OUT.tar NAME" >&2
	exit 2
}
[ $# -ge 2 ] || usage
mode=$1 out=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
case $out in /*) ;; *) out=$(pwd)/$out ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/leeward-mkimage.XXXXXX")
trap 'rm -rf "$work"' EXIT

rootfs=${ROOTFS:-}
if [ -z "$rootfs" ]; then
	rootfs=$work/rootfs
	"$here/contrib/mkrootfs.sh" "$rootfs" >&2
fi
rm -f "$rootfs/.done"

# a reproducible layer: sorted names, root-owned, fixed mtime
layer_tar() {
	tar -C "$rootfs" --sort=name --numeric-owner --owner=0 --group=0 \
		--mtime='2024-01-01 00:00:00' -cf "$1" .
}

case $mode in
rootfs)
	[ $# -eq 2 ] || usage
	layer_tar "$out.tmp"
	mv "$out.tmp" "$out"
	;;
oci)
	[ $# -eq 3 ] || usage
	name=$3
	case $(dpkg --print-architecture 2>/dev/null || uname -m) in
	amd64 | x86_64) arch=amd64 ;;
	arm64 | aarch64) arch=arm64 ;;
	armhf | armel | arm*) arch=arm ;;
	i386 | i686) arch=386 ;;
	ppc64el | ppc64le) arch=ppc64le ;;
	s390x) arch=s390x ;;
	riscv64) arch=riscv64 ;;
	*) arch=$(uname -m) ;;
	esac
	img=$work/image
	mkdir -p "$img/blobs/sha256"
	layer_tar "$work/layer.tar"
	lsum=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
	lsize=$(stat -c %s "$work/layer.tar")
	mv "$work/layer.tar" "$img/blobs/sha256/$lsum"

	cat >"$work/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"2024-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$lsum"]},"history":[{"created":"2024-01-01T00:00:00Z","created_by":"tests/dropin/mkimage.sh"}]}
EOF
	csum=$(sha256sum "$work/config.json" | cut -d' ' -f1)
	csize=$(stat -c %s "$work/config.json")
	mv "$work/config.json" "$img/blobs/sha256/$csum"

	cat >"$work/manifest.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$csum","size":$csize},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:$lsum","size":$lsize}]}
EOF
	msum=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
	msize=$(stat -c %s "$work/manifest.json")
	mv "$work/manifest.json" "$img/blobs/sha256/$msum"

	tag=${name##*:}
	[ "$tag" != "$name" ] && [ "${tag#*/}" = "$tag" ] || tag=latest
	cat >"$img/index.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$msum","size":$msize,"platform":{"architecture":"$arch","os":"linux"},"annotations":{"io.containerd.image.name":"$name","org.opencontainers.image.ref.name":"$tag"}}]}
EOF
	echo '{"imageLayoutVersion":"1.0.0"}' >"$img/oci-layout"
	tar -C "$img" --numeric-owner --owner=0 --group=0 -cf "$out.tmp" oci-layout index.json blobs
	mv "$out.tmp" "$out"
	;;
*)
	usage
	;;
esac
