package dev.rig.examples

import groovy.json.JsonSlurper
import spock.lang.Specification

import static dev.rig.testing.RigProcess.rig

/** Every seed scenario in examples/ plans against the host snapshot it ships, as a user runs `rig plan`. */
class ExamplesSpec extends Specification {
    def "rig plan #example shows #expectation"() {
        when:
        def r = rig('plan', '--host', "examples/hosts/${host}.json", "examples/${example}.groovy")

        then:
        r.exitCode == 0
        r.err == ''
        lines.every { r.out.contains(it) }

        where:
        example        | host          | expectation                     | lines
        'card-reader'  | 'card-reader' | 'the reader in slot 1'          | ["00:01.0  passthrough '0000:01:00.0' <- 0000:01:00.0 10ec:525a class 0xff0000, driver rtsx_pci, IOMMU group 11, managed",
                                                                             'BAR1 mem32      0xc0000000  4 KiB', 'group 11: 0000:01:00.0 (this VM)']
        'two-devices'  | 'card-reader' | 'two readers, two slots'        | ["00:01.0  passthrough 'reader0' <- 0000:01:00.0", "00:02.0  passthrough 'reader1' <- 0000:02:00.0",
                                                                             'INTx on GSI 5', 'INTx on GSI 6']
        'gpu-clique'   | 'gt710'       | 'group 22 whole, clique 0'      | ["passthrough 'gpu' <- 0000:01:00.0 10de:128b class 0x030000, driver nvidia, IOMMU group 22, managed, GPUDirect clique 0, ROM exposed",
                                                                             "passthrough 'gpu-audio' <- 0000:01:00.1", 'group 22: 0000:01:00.0 (this VM), 0000:01:00.1 (this VM)',
                                                                             'ROM  mem32      0xc1000000  512 KiB', "on('booted') at examples/gpu-clique.groovy:10"]
        'two-segments' | 'gpu-26b9'    | 'two thirds for segment 0'      | ['PCI segment 0 (mmio32 weight 2, mmio64 weight 1)', 'mmio32 0xc0000000-0xda9fffff (426 MiB)',
                                                                             'PCI segment 1 (mmio32 weight 1, mmio64 weight 1)', 'mmio32 0xdaa00000-0xe7efffff (213 MiB)',
                                                                             'BAR1 mem64 pref 0x1000000000  64 GiB']
        'sriov-vf'     | 'hi1822'      | 'the VF, not its PF'            | ["passthrough 'vf0' <- 0000:03:00.1 19e5:375e class 0x020000, driver hinic, IOMMU group 10, managed"]
    }

    def "--json gives the documented form"() {
        when:
        def r = rig('plan', '--json', '--host', 'examples/hosts/gpu-26b9.json', 'examples/two-segments.groovy')
        def plan = new JsonSlurper().parseText(r.out)

        then:
        r.exitCode == 0
        plan.format == 'rig-plan'
        plan.version == 1
        with(plan.vms[0]) {
            name == 'two-segments'
            cpus == 8
            memory.bytes == 16L << 30
            segments*.id == [0, 1]
            segments[0].mmio32Weight == 2
            segments[0].mmio32 == [start: '0xc0000000', size: 426 << 20]
            segments[1].functions*.label == ['host bridge', 'gpu2', 'gpu3']
            with(segments[0].functions[1]) {
                address == '0000:00:01.0'
                kind == 'passthrough'
                host == [address: '0000:01:00.0', id: '10de:26b9', class: '0x030200', driver: 'nvidia', iommuGroup: 30]
                gpudirectClique == 0
                bars*.index == [0, 1, 3]
                bars[0] == [start: '0xc0000000', size: 16 << 20, index: 0, kind: 'mem32', prefetchable: false]
                intxGsi == 5
            }
            iommuGroups*.id == [30, 31, 32, 33]
            memoryMap.find { it.type == 'RAM' && it.start == '0x100000000' }.size == (16L << 30) - (3L << 30)
        }
    }

    def "planning for a host that lacks the device fails with the script line"() {
        when: 'the SR-IOV example against the card reader host'
        def r = rig('plan', '--host', 'examples/hosts/card-reader.json', 'examples/sriov-vf.groovy')

        then:
        r.exitCode == 1
        r.out == ''
        r.err == 'rig: examples/sriov-vf.groovy:8: device: vf0: no PCI device 0000:03:00.1 on this host (snapshot examples/hosts/card-reader.json)\n'
    }

    def "a missing snapshot says how to make one"() {
        when:
        def r = rig('plan', '--host', 'no-such-host.json', 'examples/hello.groovy')

        then:
        r.exitCode == 1
        r.err == 'rig: no host snapshot no-such-host.json (make one on that machine with: rig host snapshot > host.json)\n'
    }
}
