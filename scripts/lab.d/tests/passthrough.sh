# Sourced by scripts/test-lab (uses its $here, $work and check): passthrough and managed devices for real.
# One L1 boot with edu on uio_pci_generic (its "native" driver here):
#  1. `rig run --stats` a script that passes edu (managed, the default) into an L2 Linux; the L2 init
#     (passthrough-init) runs lspci, reads ident through BAR0, does a DMA round trip and raises an INTx;
#     during the run edu is on vfio-pci, afterwards back on uio_pci_generic.
#  2. A managed run killed with SIGKILL leaves edu on vfio-pci and the journal; `rig host restore` gives it back.
L2_TOOLS="lspci setpci" scripts/lab.d/tests/l2-initrd.sh "$work/pt-initrd.img" passthrough-init uio_pci_generic
for name in pt kill; do
    cat > "$work/$name.groovy" <<SCRIPT
vm('$name') {
    memory '512M'
    kernel System.getenv('RIG_LAB_L2_KERNEL')
    initrd 'pt-initrd.img'
    cmdline 'console=ttyS0 panic=-1 memmap=1M\$0x8000000'  // the DMA scratch page, below edu's 28-bit DMA limit
    device path: System.getenv('RIG_LAB_EDU')             // managed: bound to vfio-pci for the run, then given back
    serial 'off'
    serialLog '$name-console.log'
    on('running') { vm ->
        def bdf = System.getenv('RIG_LAB_EDU')
        println "driver during the run: \${new File("/sys/bus/pci/devices/\$bdf/driver").canonicalFile.name}"
        if ('$name' == 'kill') { println 'KILL-ME'; System.out.flush(); Thread.sleep(600_000) }
        vm.serial.expect 'RIG-LAB-PT-DONE', timeout: 300, fail: ['Kernel panic']
        vm.stop()
    }
}
SCRIPT
done
scripts/lab run --edu-driver uio_pci_generic --timeout 900 --rw "$here" --cwd "$work" \
    "export RIG_STATE_DIR=$work/pt-state; bdf=\$RIG_LAB_EDU; drv() { basename \$(readlink /sys/bus/pci/devices/\$bdf/driver) 2>/dev/null || echo none; }
     drv > pt-before.txt
     \"$here/bin/rig\" run --stats pt.groovy > pt-out.txt 2> pt-err.txt; echo \$? > pt-status.txt
     drv > pt-after.txt
     \"$here/bin/rig\" run kill.groovy > kill-out.txt 2> kill-err.txt & pid=\$!
     for i in \$(seq 300); do grep -q KILL-ME kill-out.txt 2>/dev/null && break; sleep 1; done
     kill -9 \$pid; wait \$pid 2>/dev/null; drv > kill-during.txt
     ls \"$work/pt-state\" > kill-journal.txt 2>&1
     \"$here/bin/rig\" host restore > restore.txt 2>&1; echo \$? > restore-status.txt; drv > kill-after.txt" \
    >"$work/lab-pt.log" 2>&1
pt() { cat "$work/$1" 2>/dev/null; }
ptlog=$work/pt-console.log
check "passthrough: L2's lspci shows edu (1234:11e8) on the guest's PCI bus" \
    grep -qE 'RIG-LAB-PT lspci [0-9a-f:.]+ 00ff: 1234:11e8' "$ptlog"
check "passthrough: L2 reads edu's ident 0x010000ed through its BAR0 (busybox devmem)" \
    grep -qiE 'RIG-LAB-PT ident 0x010000ed' "$ptlog"
check "passthrough: a DMA round trip from L2's RAM to edu and back, through L1's IOMMU (IOVA = guest physical)" \
    grep -qiE 'RIG-LAB-PT dma 0xcafef00d' "$ptlog"
check "passthrough: edu's INTx reaches L2 (counted by uio_pci_generic; irqfd + resample + VFIO unmask)" \
    grep -qE 'RIG-LAB-PT intx [1-9]' "$ptlog"
check "passthrough: BAR0 is mmapped into a KVM slot: Rig saw zero BAR0 exits (rig run --stats)" \
    grep -qE "exits by device:.* vfio-[0-9a-f:.]+-bar0=0( |\$)" "$work/pt-err.txt"
check "managed device: edu on vfio-pci during the run, back on uio_pci_generic after it" \
    test "$(pt pt-before.txt)/$(grep -o 'during the run: .*' "$work/pt-out.txt" 2>/dev/null)/$(pt pt-after.txt)" = \
    "uio_pci_generic/during the run: vfio-pci/uio_pci_generic"
check "managed device: after SIGKILL edu stays on vfio-pci with a journal; rig host restore gives it back" \
    test "$(pt kill-during.txt)/$(pt restore-status.txt)/$(pt kill-after.txt)" = "vfio-pci/0/uio_pci_generic"
if [ "$failed" -gt 0 ]; then
    echo "--- passthrough run: status $(pt pt-status.txt)"; pt pt-out.txt; pt pt-err.txt | tail -20
    grep -E 'RIG-LAB-PT|vfio|edu|1234|pci 0000:00:0' "$ptlog" 2>/dev/null | tail -30
    echo "--- kill run"; pt kill-out.txt; pt kill-err.txt | tail; pt kill-journal.txt; pt restore.txt
    tail -20 "$work/lab-pt.log"
fi
