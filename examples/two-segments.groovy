// Four GPUs with a 16 MiB 32-bit BAR each (NVIDIA 26b9, as in the HOWTO's last section) spread over two PCI
// segments; segment 0 gets two thirds of the 32-bit MMIO space, segment 1 one third.
//   bin/rig plan --host examples/hosts/gpu-26b9.json examples/two-segments.groovy
vm {
    cpus 8
    memory '16G'
    guest 'hello'
    platform numPciSegments: 2
    pciSegment 0, mmio32Weight: 2
    pciSegment 1, mmio32Weight: 1
    device path: '/sys/bus/pci/devices/0000:01:00.0', id: 'gpu0', gpudirectClique: 0
    device path: '/sys/bus/pci/devices/0000:02:00.0', id: 'gpu1', gpudirectClique: 0
    device path: '/sys/bus/pci/devices/0000:03:00.0', id: 'gpu2', gpudirectClique: 0, pciSegment: 1
    device path: '/sys/bus/pci/devices/0000:04:00.0', id: 'gpu3', gpudirectClique: 0, pciSegment: 1
}
