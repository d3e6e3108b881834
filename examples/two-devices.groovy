// Two devices with the same vendor and device id (the HOWTO's "more than one device" case): each is named by
// its own address, and each gets its own slot, BARs and interrupt in the guest.
//   bin/rig plan --host examples/hosts/card-reader.json examples/two-devices.groovy
vm {
    cpus 2
    memory '1G'
    guest 'hello'
    device path: '/sys/bus/pci/devices/0000:01:00.0', id: 'reader0'
    device path: '/sys/bus/pci/devices/0000:02:00.0', id: 'reader1'
}
