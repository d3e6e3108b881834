# Sourced by the lab tests' L2 inits (l2-initrd.sh puts it in /lib/rig-lab): mounts, markers, modules.
bb=/bin/busybox
$bb mkdir -p /dev /proc /sys /mnt
$bb mount -t devtmpfs devtmpfs /dev
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
# Markers go through /dev/kmsg at alert level: they reach the console even when user-space writes to
# /dev/console would wait on the UART, and they show with "quiet".
say() { echo "<1>$*" >/dev/kmsg; }
load_modules() {
    local m
    while read -r m; do $bb insmod "/lib/rig-lab/$m" || say "RIG-LAB insmod $m failed"; done </lib/rig-lab/modules.order
}
# The virtio disk whose serial (the script's disk id, through VIRTIO_BLK_T_GET_ID) is $1, e.g. vda.
disk_with_id() {
    local d i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        for d in /sys/block/vd*; do
            [ -r "$d/serial" ] && [ "$($bb cat "$d/serial")" = "$1" ] && { echo "${d##*/}"; return 0; }
        done
        $bb sleep 1
    done
    return 1
}
