// Boots the lab's Debian kernel and busybox initramfs to its init, as a test rig would: hooks watch the serial
// console for the init's markers. Run it inside the lab (it needs a /dev/kvm that delivers interrupts):
//   scripts/lab run 'bin/rig run examples/lab/boot-linux.groovy'
// The kernel finds CPUs, IOAPIC and PCI (with ECAM) in Rig's ACPI tables. When the init is done the hook stops
// the VM (status 130, "stopped on request"), unless the init's own reboot, through the ACPI reset register,
// comes first (status 0, "the guest rebooted").
vm('l2') {
    cpus 1
    memory '512M'
    kernel System.getenv('RIG_LAB_L2_KERNEL') ?: 'vmlinuz'
    initrd System.getenv('RIG_LAB_L2_INITRD') ?: 'initrd.img'
    cmdline 'console=ttyS0 panic=-1'          // PCI on: Rig's host bridge answers on CF8/CFC and ECAM
    serial 'off'
    serialLog 'l2-console.log'
    on('booted') { vm -> println 'hook: booted' }
    on('running') { vm ->
        def ok = vm.serial.expect 'RIG-LAB-L2-OK kernel (\\S+) uptime', timeout: 180, fail: ['Kernel panic']
        println "hook: init reached, kernel ${ok.group(1)}"
        vm.serial.expect 'RIG-LAB-L2-DONE', timeout: 60
        println 'hook: init done'
        vm.stop()
    }
    after('running') { vm -> println 'hook: guest ended' }
}
