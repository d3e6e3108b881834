// Passes the lab's edu device into an L2 Linux. Run it inside the lab, with edu on its "native" driver:
//   scripts/lab run --edu-driver uio_pci_generic 'bin/rig run --stats examples/lab/passthrough-edu.groovy'
// edu is managed (the default): Rig binds it to vfio-pci for the run and gives it back to uio_pci_generic after.
// The guest finds it on its PCI bus (pci 0000:00:01.0: [1234:11e8]); --stats shows zero exits for its BAR0, which
// is mmapped into a KVM memory slot. scripts/test-lab drives it further (lspci, ident, DMA, INTx) from the L2 init.
vm('edu') {
    memory '512M'
    kernel System.getenv('RIG_LAB_L2_KERNEL') ?: 'vmlinuz'
    initrd System.getenv('RIG_LAB_L2_INITRD') ?: 'initrd.img'
    cmdline 'console=ttyS0 panic=-1'
    device path: System.getenv('RIG_LAB_EDU') ?: '0000:00:01.0'
    serial 'off'
    serialLog 'edu-console.log'
    on('running') { vm ->
        def edu = vm.serial.expect 'RIG-LAB-L2-EDU (\\S+) ident (\\S+)\\r?\\n', timeout: 180, fail: ['Kernel panic']
        println "edu at ${edu.group(1)} in the guest: ident ${edu.group(2)}"
        vm.serial.expect 'RIG-LAB-L2-DONE', timeout: 60
        vm.stop()
    }
}
