#!/usr/bin/env bash
# Builds the L2 initramfs for the virtio-blk lab test: the lab's L2 initramfs plus an overlay (a second cpio
# archive, which the kernel unpacks over the first) with the virtio modules of the lab's kernel and an /init that
# loads them, reads the first sector of /dev/vda and prints it through /dev/kmsg, writes a line to /dev/console
# (the interrupt-driven UART path), then reboots.
# Usage: disk-initrd.sh OUT.img
set -euo pipefail
out=$1
cache=${RIG_LAB_CACHE:-$HOME/.cache/rig-lab}
release=$(cat "$cache/kernel.release")
modules=$cache/kernel/lib/modules/$release
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/lib/rig-disk"
order=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk)
for m in "${order[@]}"; do
    cp "$(find "$modules/kernel/drivers" -name "$m.ko" | head -n 1)" "$root/lib/rig-disk/"
done
cat > "$root/init" <<INIT
#!/bin/busybox sh
bb=/bin/busybox
\$bb mkdir -p /dev /proc /sys
\$bb mount -t devtmpfs devtmpfs /dev
\$bb mount -t proc proc /proc
\$bb mount -t sysfs sysfs /sys
say() { echo "<1>\$*" >/dev/kmsg; }
for m in ${order[*]}; do \$bb insmod /lib/rig-disk/\$m.ko || say "RIG-LAB-DISK insmod \$m failed"; done
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; \$bb sleep 1; done
say "RIG-LAB-DISK read \$(\$bb head -c 32 /dev/vda)"
say "RIG-LAB-DISK size \$(\$bb cat /sys/block/vda/size)"
say "RIG-LAB-L2-DONE"
# User space through the tty layer: the 8250 driver sends this with THRE interrupts, so it only appears if the
# VMM's UART raises them.
echo "RIG-LAB-CONSOLE user space via the UART" >/dev/console
\$bb reboot -f
INIT
chmod +x "$root/init"
cp "$cache/l2-initrd.img" "$out"
# The kernel unpacks an appended plain cpio only at a 4-byte-aligned offset (init/initramfs.c); elsewhere it stops
# with "invalid magic" and boots the base image. The gzip image's size varies per build: pad it with NULs.
truncate -s %4 "$out"
(cd "$root" && find . | cpio -o -H newc --quiet) >>"$out"
