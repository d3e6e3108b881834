package dev.rig.engine.host

import dev.rig.testing.FakeSysfs
import dev.rig.testing.SeedHosts
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

import static dev.rig.engine.host.Bar.Kind.MEM32
import static dev.rig.engine.host.Bar.Kind.MEM64
import static dev.rig.testing.FakeSysfs.GiB
import static dev.rig.testing.FakeSysfs.KiB
import static dev.rig.testing.FakeSysfs.MiB

/** Reads the seed hosts that FakeSysfs builds, through the same paths and links a real /sys has. */
class SysfsHostInventorySpec extends Specification {

    @TempDir
    Path tmp

    def cleanup() {
        FakeSysfs.deleteTree(tmp)
    }

    static PciAddress a(String text) { PciAddress.parse(text) }

    def "the Realtek RTS525A card reader: ids, class, driver, its BAR 1 and no ROM"() {
        when:
        def host = SeedHosts.rts525aCardReader(tmp).inventory()
        def reader = host.requireDevice(a('01:00.0'))

        then:
        reader.vendorDeviceId() == '10ec:525a'
        reader.revision() == 0x01
        reader.classCode() == 0xff0000
        !reader.isDisplayController() && !reader.isNvidia() && !reader.isBridge()
        reader.driver() == Optional.of('rtsx_pci')
        reader.bars() == [new Bar(1, 0xc000_0000L, 4 * KiB, MEM32, false)]
        reader.bar(0).isEmpty()
        reader.rom().isEmpty()
        reader.sriov().isEmpty() && reader.physfn().isEmpty()
        reader.numaNode().isEmpty()
        host.iommuGroupOf(reader.address()).get().members() == [a('01:00.0')]
        host.source() == "sysfs $tmp"
    }

    def "two identical card readers are two devices with the same vendor:device id"() {
        when:
        def host = SeedHosts.rts525aCardReader(tmp, 2).inventory()

        then:
        host.devices().findAll { it.vendorDeviceId() == '10ec:525a' }*.address() == [a('01:00.0'), a('02:00.0')]
    }

    def "the GT 710 and its HDMI audio function share IOMMU group 22"() {
        when:
        def host = SeedHosts.gt710(tmp).inventory()
        def gpu = host.requireDevice(a('0000:01:00.0'))
        def audio = host.requireDevice(a('0000:01:00.1'))

        then:
        host.iommuEnabled()
        host.iommuGroup(22).get().members() == [a('01:00.0'), a('01:00.1')]
        gpu.iommuGroup().asInt == 22 && audio.iommuGroup().asInt == 22

        gpu.vendorDeviceId() == '10de:128b' && gpu.isNvidia() && gpu.isDisplayController()
        gpu.subsystemVendorId() == 0x1043 && gpu.subsystemDeviceId() == 0x8576
        gpu.revision() == 0xa1
        gpu.isMultiFunction() && !gpu.isBridge()
        gpu.driver().get() == 'nvidia'
        gpu.numaNode().asInt == 0
        gpu.bars() == [
                new Bar(0, 0xf600_0000L, 16 * MiB, MEM32, false),
                new Bar(1, 0xe000_0000L, 128 * MiB, MEM64, true),
                new Bar(3, 0xe800_0000L, 32 * MiB, MEM64, true),
                new Bar(5, 0xe000L, 128L, Bar.Kind.IO, false)]   // a bare IO would be java.io.IO
        gpu.rom().get() == new ExpansionRom(0xf700_0000L, 512 * KiB)

        audio.vendorDeviceId() == '10de:0e0f' && audio.classCode() == 0x040300 && !audio.isDisplayController()
        audio.driver().get() == 'snd_hda_intel'
        audio.bars() == [new Bar(0, 0xf708_0000L, 16 * KiB, MEM32, false)]
    }

    def "the root port above the GT 710 is a bridge in its own group"() {
        when:
        def port = SeedHosts.gt710(tmp).inventory().requireDevice(a('00:01.0'))

        then:
        port.isBridge()
        port.headerType().asInt == 0x81
        port.driver().get() == 'pcieport'
        port.iommuGroup().asInt == 2
    }

    def "the 10de:26b9 GPUs: the seed's BARs, and four 16 MiB 32-bit BARs on segment 0"() {
        when:
        def host = SeedHosts.gpu26b9(tmp, 4).inventory()
        def gpus = host.devices().findAll { it.isNvidia() }
        def first = gpus[0]

        then:
        gpus*.address() == [a('01:00.0'), a('02:00.0'), a('03:00.0'), a('04:00.0')]
        gpus.every { it.vendorDeviceId() == '10de:26b9' && it.classCode() == 0x030200 && it.isDisplayController() }
        first.bars() == [
                new Bar(0, 0xf900_0000L, 16 * MiB, MEM32, false),
                new Bar(1, 0x460_0000_0000L, 64 * GiB, MEM64, true),
                new Bar(3, 0x480_4000_0000L, 32 * MiB, MEM64, true)]
        gpus.collectMany { it.bars() }.findAll { it.kind() == MEM32 }*.size().sum() == 64 * MiB
        gpus.every { it.address().segment() == 0 }
        gpus*.iommuGroup()*.asInt == [30, 31, 32, 33]
        gpus*.numaNode()*.asInt == [0, 0, 1, 1]
        host.iommuGroups().size() == 8
    }

    def "the Hi1822 PF lists its four VFs and each VF points back at it"() {
        when:
        def host = SeedHosts.hi1822(tmp).inventory()
        def pf = host.requireDevice(a('03:00.0'))
        def vfs = (1..4).collect { host.requireDevice(a("03:00.$it")) }

        then:
        pf.vendorDeviceId() == '19e5:1822' && pf.revision() == 0x45 && pf.classCode() == 0x020000
        pf.driver().get() == 'hinic'
        pf.sriov().get() == new SriovInfo(16, 4, (1..4).collect { a("03:00.$it") })
        !pf.isVirtualFunction()
        pf.bars()*.index() == [0, 2, 4]
        pf.bars().every { it.kind() == MEM64 && it.prefetchable() }

        vfs.every { it.vendorDeviceId() == '19e5:375e' && it.revision() == 0x45 }
        vfs.every { it.physfn() == Optional.of(a('03:00.0')) && it.isVirtualFunction() && it.sriov().isEmpty() }
        vfs*.iommuGroup()*.asInt == [10, 11, 12, 13]

        ['04:00.0', '05:00.0', '06:00.0'].every { host.requireDevice(a(it)).sriov().isEmpty() }
        host.requireDevice(a('0a:00.0')).driver().get() == 'hibmc-drm'
        host.iommuGroup(0).get().members() == [a('0a:00.0')]
    }

    def "the laptop: bridges, two nvme SSDs, the MX150 in group 11 and the 00:1f functions in group 10"() {
        when:
        def host = SeedHosts.laptopWithBridgesAndNvme(tmp).inventory()

        then:
        host.devices().size() == 20
        host.devices().findAll { it.isBridge() }*.address() ==
                ['00:1c.0', '00:1c.4', '00:1c.7', '00:1d.0'].collect { a(it) }
        host.devices().findAll { it.driver() == Optional.of('nvme') }*.address() == [a('02:00.0'), a('04:00.0')]
        host.requireDevice(a('02:00.0')).vendorDeviceId() == '1cc1:0021'
        host.requireDevice(a('04:00.0')).vendorDeviceId() == '144d:a804'
        host.requireDevice(a('01:00.0')).vendorDeviceId() == '10de:1d12'
        host.requireDevice(a('01:00.0')).revision() == 0xff
        host.iommuGroup(11).get().members() == [a('01:00.0')]
        host.iommuGroup(10).get().members() == ['00:1f.0', '00:1f.2', '00:1f.3', '00:1f.4'].collect { a(it) }
        host.requireDevice(a('00:08.0')).driver().isEmpty()
    }

    def "the fake tree is shaped like the seed's sysfs: the same symlink targets"() {
        given:
        def sys = SeedHosts.laptopWithBridgesAndNvme(tmp)
        def dev = tmp.resolve('bus/pci/devices/0000:01:00.0')

        expect: 'seed 002: readlink .../0000:01:00.0/iommu_group and ls -l .../iommu_group/devices'
        Files.readSymbolicLink(dev).toString() == '../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.0'
        Files.readSymbolicLink(dev.resolve('iommu_group')).toString() == '../../../../kernel/iommu_groups/11'
        Files.readSymbolicLink(dev.resolve('iommu_group/devices/0000:01:00.0')).toString() ==
                '../../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.0'
        Files.readSymbolicLink(dev.resolve('driver')).toString() == '../../../../bus/pci/drivers/nvidia'
        Files.isRegularFile(tmp.resolve('bus/pci/drivers/nvidia/unbind'))
        sys.dir('01:00.0') == tmp.resolve('devices/pci0000:00/0000:00:1c.0/0000:01:00.0')
    }

    def "plain directories in bus/pci/devices read the same as symlinks into devices/"() {
        given:
        def build = { FakeSysfs sys ->
            sys.device('0000:01:00.0') {
                vendor 0x10de; device 0x26b9; classCode 0x030200; driver 'vfio-pci'; iommuGroup 5
                bar 0, size: 16 * MiB, kind: 'mem32'
            }.inventory()
        }

        when:
        def linked = build(new FakeSysfs(tmp.resolve('linked')))
        def flat = build(FakeSysfs.flat(tmp.resolve('flat')))

        then:
        !Files.isSymbolicLink(tmp.resolve('flat/bus/pci/devices/0000:01:00.0'))
        Files.isSymbolicLink(tmp.resolve('linked/bus/pci/devices/0000:01:00.0'))
        flat.devices() == linked.devices()
        flat.iommuGroups() == linked.iommuGroups()
    }

    def "an empty tree is a host without PCI devices and with the IOMMU off"() {
        when:
        def host = new SysfsHostInventory(tmp)

        then:
        host.devices().isEmpty()
        host.iommuGroups().isEmpty()
        !host.iommuEnabled()
        host.device(a('01:00.0')).isEmpty()
    }

    def "without config the header type is unknown and the class code decides what a bridge is"() {
        given:
        def sys = new FakeSysfs(tmp)
        sys.device('00:1c.0') { vendor 0x8086; device 0x9d10; classCode 0x060400; noConfig() }
        sys.device('00:02.0') { vendor 0x8086; device 0x5917; classCode 0x030000; noConfig() }

        when:
        def host = sys.inventory()

        then:
        host.devices().every { it.headerType().isEmpty() }
        host.requireDevice(a('00:1c.0')).isBridge()
        !host.requireDevice(a('00:02.0')).isBridge()
    }

    def "IOMMU group members that are not PCI devices are skipped"() {
        given:
        def sys = new FakeSysfs(tmp)
        sys.device('0000:0a:00.0') { vendor 0x19e5; device 0x1711; classCode 0x030000; iommuGroup 0 }
        sys.platformDeviceInGroup(0, 'a0000000.smmu-pmu')
        sys.platformDeviceInGroup(1, 'a2000000.sas')

        when:
        def host = sys.inventory()

        then:
        host.iommuGroup(0).get().members() == [a('0a:00.0')]
        host.iommuGroup(1).get().members().isEmpty()
        host.iommuEnabled()
    }

    def "requireDevice names the missing address and where the facts came from"() {
        when:
        SeedHosts.gt710(tmp).inventory().requireDevice(a('09:00.0'))

        then:
        def e = thrown(HostInventoryException)
        e.message == "no PCI device 0000:09:00.0 on this host (sysfs $tmp)"
    }
}
