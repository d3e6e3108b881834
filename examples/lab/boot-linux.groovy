// Boots the lab's Debian kernel and busybox initramfs to its init, as a test rig would: hooks watch the serial
// console for the init's markers. Run it inside the lab (it needs a /dev/kvm that delivers interrupts):
//   scripts/lab run 'bin/rig run examples/lab/boot-linux.groovy'
// When the init is done the hook stops the VM: rig run ends with status 130 ("stopped on request"), or with 3
// if the init's own reboot (reboot=t, a triple fault) comes first.
vm('l2') {
    cpus 1
    memory '512M'
    kernel System.getenv('RIG_LAB_L2_KERNEL') ?: 'vmlinuz'
    initrd System.getenv('RIG_LAB_L2_INITRD') ?: 'initrd.img'
    cmdline 'console=ttyS0 panic=-1 reboot=t pci=off'
    serial 'off'
    serialLog 'l2-console.log'
    on('booted') { vm -> println 'hook: booted' }
    on('running') { vm ->
        def ok = vm.serial.expect 'RIG-LAB-L2-OK kernel (\\S+)', timeout: 180, fail: ['Kernel panic']
        println "hook: init reached, kernel ${ok.group(1)}"
        vm.serial.expect 'RIG-LAB-L2-DONE', timeout: 60
        println 'hook: init done'
        vm.stop()
    }
    after('running') { vm -> println 'hook: guest ended' }
}
