// StratoVirt's guide: a virtual function of a Hi1822 NIC (created with `rig host sriov 0000:03:00.0 --vfs 4`)
// passed to a guest; the physical function stays with the host.
//   bin/rig plan --host examples/hosts/hi1822.json examples/sriov-vf.groovy
vm {
    cpus 2
    memory '2G'
    guest 'hello'
    device path: '0000:03:00.1', id: 'vf0'
}
