#!/bin/bash
# The lab's own checks, run by `scripts/lab check` inside L1 like any command (chrooted into the host root).
# One line per check on stdout: "PASS|FAIL|SKIP  name  detail"; what each check saw goes to
# /run/rig-lab/details.log. Exit status: the number of failed checks.
log=/run/rig-lab/details.log
failed=0
edu=$RIG_LAB_EDU
dev=/sys/bus/pci/devices/$edu

result() {
    printf '%-4s  %-9s %s\n' "$1" "$2" "$3"
    [[ $1 == FAIL ]] && failed=$((failed + 1))
    return 0
}
section() { printf '\n==== %s\n' "$*" >>"$log"; }
now() { echo "${EPOCHREALTIME/./}"; }
secs() { local ds=$((($(now) - $1) / 100000)); printf '%d.%d' $((ds / 10)) $((ds % 10)); }
driver_of() { local d; d=$(readlink "$dev/driver") && echo "${d##*/}"; }
# Moves edu to driver $1 the standard way (unbind, driver_override, drivers_probe).
rebind() {
    [[ -e $dev/driver ]] && echo "$edu" >"$dev/driver/unbind"
    echo "$1" >"$dev/driver_override"
    echo "$edu" >/sys/bus/pci/drivers_probe
    echo >"$dev/driver_override"
    [[ $(driver_of) == "$1" ]]
}

section l1-boot
{ uname -a; cat /proc/cmdline; cat /proc/mounts; lsmod 2>/dev/null || cat /proc/modules; } >>"$log" 2>&1
if touch /.rig-lab-probe 2>/dev/null; then
    rm -f /.rig-lab-probe
    result FAIL l1-boot "L1 is up but the host root is writable there"
else
    result PASS l1-boot "L1 up: kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime) s, host root read-only"
fi

section kvm
t=$(now)
nested=$(cat /sys/module/kvm_amd/parameters/nested 2>/dev/null)
if [[ -c /dev/kvm ]] && timeout 60 "$RIG_LAB_BIN/kvm-idt" >>"$log" 2>&1; then
    result PASS kvm "/dev/kvm (kvm_amd nested=$nested) delivers exceptions through a guest IDT ($(secs "$t") s)"
else
    result FAIL kvm "/dev/kvm missing or it cannot deliver exceptions through a guest IDT (kvm_amd nested=$nested)"
fi

section vfio
group=$(readlink "$dev/iommu_group")
group=${group##*/}
ls -l /dev/vfio >>"$log" 2>&1
if [[ -c /dev/vfio/vfio && -n $group && -c /dev/vfio/$group && $(driver_of) == vfio-pci ]]; then
    result PASS vfio "edu $edu bound to vfio-pci; /dev/vfio/vfio and /dev/vfio/$group present"
else
    result FAIL vfio "edu $edu driver '$(driver_of)', iommu group '$group', /dev/vfio: $(echo /dev/vfio/*)"
fi

section vfio-dma
t=$(now)
if timeout 60 "$RIG_LAB_BIN/vfio-edu" "$edu" >>"$log" 2>&1; then
    result PASS vfio-dma "edu through VFIO: BAR0 mmap, registers, DMA both ways through the IOMMU, MSI ($(secs "$t") s)"
else
    result FAIL vfio-dma "the VFIO round trip on edu failed (see the details)"
fi

section uio
uio=""
if rebind uio_pci_generic; then
    for u in "$dev"/uio/uio*; do [[ -e $u ]] && uio=${u##*/}; done
    name=$(cat "/sys/class/uio/$uio/name" 2>/dev/null)
fi
echo "uio device '$uio' name '$name'" >>"$log"
if [[ -n $uio && -c /dev/$uio && $name == uio_pci_generic ]] && rebind vfio-pci; then
    result PASS uio "edu moved to uio_pci_generic (/dev/$uio) and back to vfio-pci"
else
    result FAIL uio "moving edu to uio_pci_generic and back failed (driver now '$(driver_of)')"
    [[ $(driver_of) == vfio-pci ]] || rebind vfio-pci
fi

section l2-qemu
t=$(now)
console=/tmp/l2-console.log
timeout 300 qemu-system-x86_64 -enable-kvm -machine q35 -cpu host -m 256M -nodefaults -display none \
    -monitor none -no-reboot -serial "file:$console" -device "vfio-pci,host=$edu" \
    -kernel "$RIG_LAB_L2_KERNEL" -initrd "$RIG_LAB_L2_INITRD" \
    -append "console=ttyS0 quiet reboot=t panic=-1" </dev/null >>"$log" 2>&1
rc=$?
tr -d '\r' <"$console" >>"$log"
ident=$(sed -n 's/.*RIG-LAB-L2-EDU [^ ]* ident \([0-9A-Fa-fx]*\).*/\1/p' "$console" | head -n 1)
if [[ $rc == 0 ]] && grep -q "$RIG_LAB_L2_MARKER" "$console" && grep -q RIG-LAB-L2-DONE "$console" &&
    [[ ${ident,,} == 0x010000ed ]]; then
    result PASS l2-qemu "L2 Linux booted under L1's KVM by QEMU to its marker in $(secs "$t") s; edu passed through (ident $ident)"
else
    result FAIL l2-qemu "QEMU in L1 (status $rc) did not boot L2 to its marker with edu (ident '$ident')"
fi

section java
java=""
for j in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*-25-*/bin/java "$(command -v java)"; do
    [[ -x $j ]] && { java=$j; break; }
done
if [[ -z $java ]]; then
    result SKIP java "no JDK found (JAVA_HOME, /usr/lib/jvm/*-25-*, PATH)"
else
    t=$(now)
    if version=$(timeout 120 "$java" -version 2>&1); then
        echo "$version" >>"$log"
        result PASS java "$java -version in L1: $(head -n 1 <<<"$version") ($(secs "$t") s)"
    else
        echo "$version" >>"$log"
        result FAIL java "$java -version failed in L1"
    fi
fi
exit "$failed"
