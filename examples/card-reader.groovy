// Cloud Hypervisor's VFIO HOWTO, its first example: the Realtek RTS525A card reader at 01:00.0 given to a guest.
// Rig binds it to vfio-pci before the run and gives it back to rtsx_pci afterwards (managed: true, the default).
//   bin/rig plan --host examples/hosts/card-reader.json examples/card-reader.groovy
// The built-in guest keeps the example self-contained; a Linux guest would say kernel/initrd/cmdline instead.
vm {
    cpus 1
    memory '512M'
    guest 'hello'
    serial 'stdout'
    device path: '/sys/bus/pci/devices/0000:01:00.0'
}
