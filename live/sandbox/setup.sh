#!/usr/bin/env bash
# Prepares everything the QEMU sandbox needs, idempotently: host packages, the guest kernel (Debian's
# linux-image-cloud-amd64), the guest initramfs (busybox + virtio modules + live/sandbox/guest/init)
# and the read-only guest images `busybox` and `python`. Fast when everything is present.
#
# Artifacts go to ${CROWDCLOUD_GUEST_DIR:-$HOME/.cache/crowdcloud/guest}/<recipe>/ where <recipe> is a
# hash of this script and live/sandbox/guest/*, so a changed recipe builds a new directory (the
# TypeScript side computes the same hash: see guestArtifacts.ts). The python root file system is
# cached separately under its own recipe name because debootstrap is the slow step.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
guest_root="${CROWDCLOUD_GUEST_DIR:-$HOME/.cache/crowdcloud/guest}"
suite="${CROWDCLOUD_GUEST_SUITE:-bookworm}"
mirror="${CROWDCLOUD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
python_recipe="python-${suite}-minbase-r2"

recipe="$(cd "$here" && cat setup.sh $(LC_ALL=C ls guest/* ) | sha256sum | cut -c1-12)"
out="$guest_root/$recipe"
log() { printf 'setup.sh: %s\n' "$*" >&2; }

# ---- host packages
need_cmds=(qemu-system-x86_64 mksquashfs mkfs.ext4 cpio debootstrap dpkg-deb zstd)
need_pkgs=(qemu-system-x86 squashfs-tools e2fsprogs cpio debootstrap dpkg zstd)
missing_pkgs=()
for i in "${!need_cmds[@]}"; do
  command -v "${need_cmds[$i]}" >/dev/null 2>&1 || missing_pkgs+=("${need_pkgs[$i]}")
done
# The guest needs a static busybox (it runs in the initramfs and in every image).
case "$(ldd /bin/busybox 2>&1 || true)" in *"not a dynamic"*) ;; *) missing_pkgs+=(busybox-static) ;; esac
if [ "${#missing_pkgs[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    log "installing ${missing_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null
  else
    log "missing host packages: ${missing_pkgs[*]}"
    log "install them as root:  sudo apt-get install --no-install-recommends ${missing_pkgs[*]}"
    log "then run this script again (building the python image with debootstrap also needs root)"
    exit 1
  fi
fi

if [ -f "$out/manifest.json" ]; then
  log "guest artifacts present in $out"
  echo "$out"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  log "building the guest images needs root (debootstrap, device nodes owned by root): run as root"
  exit 1
fi

mkdir -p "$guest_root"
work="$(mktemp -d "$guest_root/.build-XXXXXX")"
trap 'rm -rf "$work"' EXIT

# ---- kernel: Debian's cloud kernel and the modules the guest needs (virtio is modular there)
log "fetching linux-image-cloud-amd64"
download() {
  # A fresh machine may have no package lists yet.
  apt-get download "$1" >"$work/apt.log" 2>&1 || { apt-get update -qq && apt-get download "$1" >"$work/apt.log" 2>&1; } \
    || { cat "$work/apt.log" >&2; log "cannot download the Debian package $1"; exit 1; }
}
(
  cd "$work"
  download linux-image-cloud-amd64
  dep="$(dpkg-deb -f linux-image-cloud-amd64_*.deb Depends | sed 's/ .*//; s/,.*//')"
  download "$dep"
  dpkg-deb -x "$dep"_*.deb kernel
)
kver="$(ls "$work/kernel/lib/modules")"
cp "$work/kernel/boot/vmlinuz-$kver" "$work/vmlinuz"
modules=(
  kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_mmio.ko
  kernel/drivers/block/virtio_blk.ko kernel/drivers/char/virtio_console.ko kernel/fs/squashfs/squashfs.ko
  kernel/net/core/failover.ko kernel/drivers/net/net_failover.ko kernel/drivers/net/virtio_net.ko
)

# ---- initramfs: busybox, the modules in load order, the supervisor init
log "building the initramfs"
ir="$work/initramfs"
mkdir -p "$ir"/{bin,dev,proc,sys,img,job,run,etc,modules}
cp /bin/busybox "$ir/bin/busybox"
for m in "${modules[@]}"; do
  src="$work/kernel/lib/modules/$kver/$m"
  [ -f "$src" ] || src="$(ls "$src".* 2>/dev/null | head -n1)"
  case "$src" in
    *.xz) xz -dc "$src" >"$ir/modules/$(basename "$m")" ;;
    *.zst) zstd -qdc "$src" >"$ir/modules/$(basename "$m")" ;;
    *) cp "$src" "$ir/modules/" ;;
  esac
  basename "$m" >>"$ir/modules/order"
done
cp "$here/guest/init" "$ir/init"
chmod 0755 "$ir/init" "$ir/bin/busybox"
ln -s busybox "$ir/bin/sh"
printf 'root:x:0:0::/:/bin/sh\n' >"$ir/etc/passwd"
(cd "$ir" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --owner=0:0 | gzip -1 >"$work/initramfs.cpio.gz")

# Every image carries the sandbox's tools (busybox for `su` and `env`) and the mount points the
# supervisor binds the job's directories onto, since the image itself is mounted read-only.
prepare_image_root() {
  local root="$1"
  mkdir -p "$root"/{in,out,tmp,proc,dev,usr/libexec/crowdcloud}
  cp /bin/busybox "$root/usr/libexec/crowdcloud/busybox"
  ln -sf busybox "$root/usr/libexec/crowdcloud/env"
  grep -q '^job:' "$root/etc/passwd" 2>/dev/null || printf 'job:x:1000:1000:sandboxed job:/tmp:/bin/sh\n' >>"$root/etc/passwd"
  grep -q '^job:' "$root/etc/group" 2>/dev/null || printf 'job:x:1000:\n' >>"$root/etc/group"
  chmod 1777 "$root/tmp"
  rm -f "$root/etc/resolv.conf"; printf "nameserver 10.0.2.3\n" >"$root/etc/resolv.conf"
}
make_squashfs() { mksquashfs "$1" "$2" -comp zstd -noappend -quiet -all-root -no-progress >/dev/null; }

# ---- busybox image
log "building the busybox image"
bb="$work/busybox-root"
mkdir -p "$bb"/{bin,usr/bin,etc}
cp /bin/busybox "$bb/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf /bin/busybox "$bb/bin/$applet"
done
ln -sf /bin/busybox "$bb/usr/bin/env"
printf 'root:x:0:0::/root:/bin/sh\n' >"$bb/etc/passwd"
printf 'root:x:0:\n' >"$bb/etc/group"
prepare_image_root "$bb"
make_squashfs "$bb" "$work/busybox.img"

# ---- python image: Debian minbase + python3, without docs, locales, apt lists and apt caches. The
# debootstrap result is cached as a tarball under its own recipe name (it is the slow step); the
# image itself is rebuilt from it whenever this script's recipe changes.
python_rootfs="$guest_root/$python_recipe.rootfs.tar.zst"
py="$work/python-root"
if [ ! -f "$python_rootfs" ]; then
  log "debootstrapping the python root file system ($suite, minbase + python3); takes a few minutes"
  debootstrap --variant=minbase --include=python3 "$suite" "$py" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$py"/usr/share/{doc,man,info,locale,lintian,linda} "$py"/var/cache/apt/* "$py"/var/lib/apt/lists/* \
    "$py"/var/cache/debconf/*-old "$py"/var/log/*
  # Byte-compiled stdlib stays: the image is read-only, so python could never cache it at run time.
  tar -C "$py" --numeric-owner -cf - . | zstd -q -T0 -o "$python_rootfs.partial"
  mv "$python_rootfs.partial" "$python_rootfs"
else
  log "building the python image from the cached root file system"
  mkdir -p "$py"
  zstd -qdc "$python_rootfs" | tar -C "$py" --numeric-owner -xf -
fi
prepare_image_root "$py"
make_squashfs "$py" "$work/python.img"

# ---- publish atomically
mkdir -p "$work/publish"
mv "$work/vmlinuz" "$work/initramfs.cpio.gz" "$work/busybox.img" "$work/python.img" "$work/publish/"
cat >"$work/publish/manifest.json" <<EOF
{ "recipe": "$recipe", "kernel": "$kver", "suite": "$suite", "python": "$python_recipe",
  "images": ["busybox", "python"], "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)" }
EOF
rm -rf "$out"
mv "$work/publish" "$out"
# Artifacts, disk templates and snapshots of older recipes are never used again.
for old in "$guest_root"/* "$guest_root"/runtime/*; do
  name="$(basename "$old")"
  if [[ "$name" =~ ^[0-9a-f]{12}$ ]] && [ "$name" != "$recipe" ]; then rm -rf "$old"; fi
done
for old in "$guest_root"/python-*.rootfs.tar.zst; do
  [ "$old" = "$python_rootfs" ] || rm -f "$old"
done
log "guest artifacts ready in $out ($(du -sh "$out" | cut -f1))"
echo "$out"
