#!/usr/bin/env bash
# Builds the L2 initramfs for the passthrough lab test: the lab's L2 initramfs plus an overlay with lspci/setpci
# (and the libraries they load), the lab kernel's uio modules, and an /init that drives the edu device Rig passed
# through: lspci, the ident register through BAR0, a DMA round trip RAM -> device -> RAM (guest RAM is mapped in
# L1's IOMMU at IOVA = guest physical address), and an INTx counted by uio_pci_generic. Results go to /dev/kmsg as
# "RIG-LAB-PT <what> <value>" lines, then "RIG-LAB-PT-DONE" and a reboot.
# The kernel command line must reserve the DMA scratch page: memmap=1M$0x8000000 (edu's DMA reaches 28 bits).
# Usage: passthrough-initrd.sh OUT.img
set -euo pipefail
out=$1
cache=${RIG_LAB_CACHE:-$HOME/.cache/rig-lab}
release=$(cat "$cache/kernel.release")
modules=$cache/kernel/lib/modules/$release
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
for tool in lspci setpci; do
    bin=$(command -v "$tool") || { echo "passthrough-initrd: $tool is missing (apt-get install pciutils)" >&2; exit 1; }
    cp --parents "$bin" "$root"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do cp --parents -L "$lib" "$root"; done
done
mkdir -p "$root/lib/rig-pt"
for m in uio uio_pci_generic; do cp "$(find "$modules/kernel/drivers/uio" -name "$m.ko" | head -n 1)" "$root/lib/rig-pt/"; done
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
bb=/bin/busybox
$bb mkdir -p /dev /proc /sys
$bb mount -t devtmpfs devtmpfs /dev
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
say() { echo "<1>RIG-LAB-PT $*" >/dev/kmsg; }
dev=
for d in /sys/bus/pci/devices/*; do
    [ "$($bb cat "$d/vendor")" = 0x1234 ] && [ "$($bb cat "$d/device")" = 0x11e8 ] && dev=$d
done
if [ -z "$dev" ]; then say "no edu"; echo "<1>RIG-LAB-PT-DONE" >/dev/kmsg; $bb reboot -f; fi
bdf=${dev##*/}
say "lspci $(/usr/bin/lspci -n -s "$bdf")"
/usr/bin/setpci -s "$bdf" COMMAND=0x0006        # memory decoding and bus mastering, as a driver would
read -r start _ <"$dev/resource"
bar=$((start))
reg() { $bb devmem $((bar + $1)) 32 ${2:-}; }
say "ident $(reg 0x0)"
reg 0x4 0x12345678
say "liveness $(reg 0x4)"
ram=$((0x8000000))
$bb devmem $ram 32 0xCAFEF00D
dma() {  # dma SRC DST CMD: 4 bytes; CMD 1 = RAM -> device buffer (0x40000), 3 = buffer -> RAM
    reg 0x80 $1; reg 0x88 $2; reg 0x90 4; reg 0x98 $3
    i=0; while [ $(( $(reg 0x98) & 1 )) -ne 0 ] && [ $i -lt 100 ]; do $bb usleep 50000; i=$((i + 1)); done
}
dma $ram 0x40000 1
dma 0x40000 $((ram + 0x100)) 3
say "dma $($bb devmem $((ram + 0x100)) 32)"
for m in uio uio_pci_generic; do $bb insmod /lib/rig-pt/$m.ko || say "insmod $m failed"; done
echo "1234 11e8" >/sys/bus/pci/drivers/uio_pci_generic/new_id
i=0; while [ ! -e /sys/class/uio/uio0/event ] && [ $i -lt 50 ]; do $bb usleep 100000; i=$((i + 1)); done
reg 0x60 1                                       # edu raises its interrupt: INTx, as MSI is off
i=0; while [ "$($bb cat /sys/class/uio/uio0/event 2>/dev/null)" = 0 ] && [ $i -lt 50 ]; do $bb usleep 100000; i=$((i + 1)); done
say "intx $($bb cat /sys/class/uio/uio0/event 2>/dev/null)"
reg 0x64 1                                       # acknowledge
echo "<1>RIG-LAB-PT-DONE" >/dev/kmsg
$bb reboot -f
INIT
chmod +x "$root/init"
cp "$cache/l2-initrd.img" "$out"
# The kernel unpacks an appended plain cpio only at a 4-byte-aligned offset (init/initramfs.c); elsewhere it stops
# with "invalid magic" and boots the base image. The gzip image's size varies per build: pad it with NULs.
truncate -s %4 "$out"
(cd "$root" && find . | cpio -o -H newc --quiet) >>"$out"
