// A GeForce GT 710 with its HDMI audio function: both sit in IOMMU group 22, so both go to the guest (leave the
// audio function out and Rig refuses, naming it). The GPU advertises GPUDirect P2P clique 0 to the guest driver.
//   bin/rig plan --host examples/hosts/gt710.json examples/gpu-clique.groovy
vm {
    cpus 4
    memory '4G'
    guest 'hello'
    device path: '/sys/bus/pci/devices/0000:01:00.0', id: 'gpu', gpudirectClique: 0
    device path: '/sys/bus/pci/devices/0000:01:00.1', id: 'gpu-audio'
    on('booted') { vm -> println "${vm.name()} booted with its GPU" }
}
