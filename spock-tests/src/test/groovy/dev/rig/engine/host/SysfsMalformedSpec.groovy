package dev.rig.engine.host

import dev.rig.testing.FakeSysfs
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** Broken sysfs files give a HostInventoryException that names the file and says what was wrong. */
class SysfsMalformedSpec extends Specification {

    @TempDir
    Path tmp

    def cleanup() {
        FakeSysfs.deleteTree(tmp)
    }

    FakeSysfs sys

    def setup() {
        sys = new FakeSysfs(tmp)
        sys.device('0000:03:00.0') {
            vendor 0x19e5; device 0x1822; classCode 0x020000; driver 'hinic'; iommuGroup 6
            bar 0, size: 128 * KiB, kind: 'mem64', prefetchable: true
            sriov totalVfs: 16
        }
        sys.device('0000:03:00.1') { physfn '0000:03:00.0'; vendor 0x19e5; device 0x375e; classCode 0x020000 }
    }

    /** The path the reader uses: through bus/pci/devices, not the device's real directory. */
    private String file(String name) { "${tmp.resolve('bus/pci/devices/0000:03:00.0').resolve(name)}" }

    def "a malformed #name is reported with its path: #problem"() {
        given:
        sys.write('03:00.0', name, content)

        when:
        sys.inventory()

        then:
        def e = thrown(HostInventoryException)
        e.message == "malformed sysfs file ${file(name)}: $problem"

        where:
        name               | content                    || problem
        'vendor'           | 'zz\n'                     || 'expected a hex number like 0x10de, got "zz"'
        'vendor'           | '0x10000\n'                || '0x10000 is out of range 0..0xffff'
        'device'           | '\n'                       || 'expected a hex number like 0x26b9, got ""'
        'class'            | '0x1030000\n'              || '0x1030000 is out of range 0..0xffffff'
        'revision'         | '0x100\n'                  || '0x100 is out of range 0..0xff'
        'subsystem_vendor' | '10de 10de\n'              || 'expected a hex number like 0x10de, got "10de 10de"'
        'numa_node'        | 'node0\n'                  || 'expected a decimal number, got "node0"'
        'numa_node'        | '-2\n'                     || 'NUMA node -2 is below -1'
        'sriov_totalvfs'   | '0x10\n'                   || 'expected a decimal number, got "0x10"'
        'resource'         | '0x0 0x0\n'                || 'line 1 (BAR 0): expected three hex numbers "0x<start> 0x<end> 0x<flags>", got "0x0 0x0"'
        'resource'         | 'start end flags\n'        || 'line 1 (BAR 0): expected three hex numbers "0x<start> 0x<end> 0x<flags>", got "start end flags"'
        'resource'         | endBelowStart()            || 'line 3 (BAR 2): end 0xfff is below start 0x2000'
        'resource'         | mem64AtBar5()            || 'line 6 (BAR 5): BAR 5 cannot be 64-bit: a 64-bit BAR needs two register slots'
    }

    def "config shorter than the 64-byte header is malformed"() {
        given:
        sys.write('03:00.0', 'config', new byte[16])

        when:
        sys.inventory()

        then:
        def e = thrown(HostInventoryException)
        e.message == "malformed sysfs file ${file('config')}: only 16 bytes; the standard header is 64"
    }

    def "a 64-bit BAR whose upper slot is in use is inconsistent"() {
        given:
        sys.write('03:00.0', 'resource', lines(
                '0x0000004000000000 0x000000400001ffff 0x000000000014220c',
                '0x00000000c0000000 0x00000000c0000fff 0x0000000000040200'))

        when:
        sys.inventory()

        then:
        def e = thrown(HostInventoryException)
        e.message.startsWith("inconsistent sysfs facts in ${tmp.resolve('bus/pci/devices/0000:03:00.0')}")
        e.message.contains('BAR 1 overlaps another BAR in register slot 1')
    }

    def "a missing required attribute is named"() {
        given:
        sys.delete('03:00.0', 'class')

        when:
        sys.inventory()

        then:
        def e = thrown(HostInventoryException)
        e.message == "missing sysfs file ${file('class')} (every PCI device has one)"
    }

    def "missing optional files leave the facts empty"() {
        given:
        ['config', 'resource', 'numa_node'].each { sys.delete('03:00.1', it) }

        when:
        def vf = sys.inventory().requireDevice(PciAddress.parse('03:00.1'))

        then:
        vf.headerType().isEmpty()
        vf.bars().isEmpty() && vf.rom().isEmpty()
        vf.numaNode().isEmpty() && vf.driver().isEmpty() && vf.iommuGroup().isEmpty()
        vf.physfn().get() == PciAddress.parse('03:00.0')
    }

    def "#link that is not a symbolic link is malformed"() {
        given:
        Files.delete(tmp.resolve("bus/pci/devices/0000:03:00.0/$link"))
        Files.createDirectory(tmp.resolve("bus/pci/devices/0000:03:00.0/$link"))

        when:
        sys.inventory()

        then:
        def e = thrown(HostInventoryException)
        e.message == "malformed sysfs file ${tmp.resolve("bus/pci/devices/0000:03:00.0/$link")}: expected a symbolic link"

        where:
        link << ['driver', 'iommu_group', 'virtfn0']
    }

    def "links whose targets are not what sysfs names them are malformed"() {
        given:
        sys.symlink('03:00.0', linkName, target)

        when:
        sys.inventory()

        then:
        def e = thrown(HostInventoryException)
        e.message.startsWith("malformed sysfs file ${file(linkName)}: $problem")

        where:
        linkName      | target                               || problem
        'iommu_group' | '../../../kernel/iommu_groups/six'   || 'link target does not end in a group number: "six"'
        'virtfn0'     | '../0000:03:00.x'                    || 'link target does not end in a PCI address: Invalid PCI address "0000:03:00.x"'
    }

    def "a VF link count above sriov_totalvfs is inconsistent"() {
        given:
        sys.write('03:00.0', 'sriov_totalvfs', '0\n')
        sys.write('03:00.0', 'sriov_numvfs', '0\n')

        when:
        sys.inventory()

        then:
        def e = thrown(HostInventoryException)
        e.message == "inconsistent SR-IOV files in ${tmp.resolve('bus/pci/devices/0000:03:00.0')}: " +
                'SR-IOV: 1 VF links but the PF supports only 0'
    }

    def "a device whose group does not list it is inconsistent"() {
        given:
        Files.delete(tmp.resolve('kernel/iommu_groups/6/devices/0000:03:00.0'))

        when:
        sys.inventory()

        then:
        def e = thrown(HostInventoryException)
        e.message == "sysfs $tmp: device 0000:03:00.0 says IOMMU group 6 but that group does not list it"
    }

    def "an entry in bus/pci/devices that is not an address, or a dangling link, is reported"() {
        given:
        Files.createSymbolicLink(tmp.resolve("bus/pci/devices/$name"), Path.of('../../../devices/nowhere'))

        when:
        sys.inventory()

        then:
        def e = thrown(HostInventoryException)
        e.message.startsWith("$prefix ${tmp.resolve("bus/pci/devices/$name")}")
        e.message.contains(problem)

        where:
        name           || prefix                   | problem
        'not-a-device' || 'unexpected entry'       | 'Invalid PCI address "not-a-device"'
        '0000:07:00.0' || 'PCI device entry'       | 'is not a directory (dangling symbolic link)'
    }

    def "a missing sysfs root is reported"() {
        when:
        new SysfsHostInventory(tmp.resolve('nope'))

        then:
        def e = thrown(HostInventoryException)
        e.message == "sysfs root ${tmp.resolve('nope')} is not a directory"
    }

    private static String lines(String... first) {
        def all = first.toList() + (first.length..<13).collect { '0x0000000000000000 0x0000000000000000 0x0000000000000000' }
        all.join('\n') + '\n'
    }

    private static String endBelowStart() {
        lines('0x0000004000000000 0x000000400001ffff 0x000000000014220c',
                '0x0000000000000000 0x0000000000000000 0x0000000000000000',
                '0x0000000000002000 0x0000000000000fff 0x0000000000040200')
    }

    /** 64-bit flags on line 6 (BAR 5), which has no slot above it. */
    private static String mem64AtBar5() {
        lines('0x0000000000000000 0x0000000000000000 0x0000000000000000',
                '0x0000000000000000 0x0000000000000000 0x0000000000000000',
                '0x0000000000000000 0x0000000000000000 0x0000000000000000',
                '0x0000000000000000 0x0000000000000000 0x0000000000000000',
                '0x0000000000000000 0x0000000000000000 0x0000000000000000',
                '0x00000000c0000000 0x00000000c0000fff 0x0000000000140204')
    }
}
