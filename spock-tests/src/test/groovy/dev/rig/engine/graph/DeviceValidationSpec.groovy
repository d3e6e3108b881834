package dev.rig.engine.graph

import dev.rig.dsl.ScriptPlanner
import dev.rig.engine.Rig
import dev.rig.engine.validate.ValidationException
import dev.rig.engine.host.SysfsHostInventory
import dev.rig.kvm.backend.KvmHypervisor
import dev.rig.testing.FakeSysfs
import dev.rig.testing.SeedHosts
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path

/** Devices are checked against the host's facts before anything is touched; each error names the script line. */
class DeviceValidationSpec extends Specification {
    @TempDir
    Path tmp

    def cleanup() { FakeSysfs.deleteTree(tmp) }

    /** The problems of a script on a host, as "line: message". */
    private List<String> problems(FakeSysfs host, String script) {
        Path file = tmp.resolve('vm.groovy')
        file.text = script
        try {
            ScriptPlanner.plan(file, new Rig(new KvmHypervisor(), { new SysfsHostInventory(host.root) }))
            return []
        } catch (ValidationException e) {
            return e.problems().collect { "${it.line()}: ${it.describe()}".toString() }
        }
    }

    private static String vm(String... lines) { "vm {\n" + lines.collect { "  $it\n" }.join() + "}\n" }

    def "a GPU whose HDMI audio function stays with the host is refused, naming the sibling (seed: group 22)"() {
        expect:
        problems(SeedHosts.gt710(tmp.resolve('sys')), vm("device path: '/sys/bus/pci/devices/0000:01:00.0'")) == [
                "2: device: 0000:01:00.0: IOMMU group 22 also holds 0000:01:00.1 (10de:0e0f, bound to snd_hda_intel): "
                        + "pass it to this VM too (device path: '0000:01:00.1') or bind it to vfio-pci (rig host bind 0000:01:00.1)"]
    }

    def "the GPU and its audio function together are accepted"() {
        expect:
        problems(SeedHosts.gt710(tmp.resolve('sys')), vm("device '0000:01:00.0'", "device '0000:01:00.1'")) == []
    }

    def "a sibling #state does not block the group"() {
        given:
        def host = SeedHosts.gt710(tmp.resolve('sys'))
        if (state == 'on vfio-pci') host.symlink('0000:01:00.1', 'driver', host.driverDir('vfio-pci').toString())
        else host.delete('0000:01:00.1', 'driver')

        expect:
        problems(host, vm("device '0000:01:00.0'")) == []

        where:
        state << ['on vfio-pci', 'without a driver']
    }

    def "#what is refused at its line"() {
        expect:
        def host = SeedHosts.gt710(tmp.resolve('sys'))
        problems(host, vm(*lines)) == expected.collect {
            it.replace('$ROOT', host.root.toString()).replace('$SCRIPT', tmp.resolve('vm.groovy').toString())
        }

        where:
        what                               | lines                                                                  || expected
        'a path that is no PCI address'    | ["device path: '/dev/sda'"]                                            || ["2: device: /dev/sda: '/dev/sda' is not a PCI device: write its sysfs path (/sys/bus/pci/devices/0000:01:00.0) or its address (0000:01:00.0)"]
        'a device the host lacks'          | ["device '0000:09:00.0'"]                                              || ["2: device: 0000:09:00.0: no PCI device 0000:09:00.0 on this host (sysfs ${'$'}ROOT)"]
        'a bridge'                         | ["device '0000:00:01.0'"]                                              || ["2: device: 0000:00:01.0: 0000:00:01.0 is a PCI bridge; pass the devices behind it instead"]
        'the same device twice'            | ["device '0000:01:00.0'", "device '0000:01:00.1'", "device path: '01:00.0', id: 'again'"] || ["4: device: again: 0000:01:00.0 is passed to this VM twice"]
        'a clique above 15'                | ["device path: '0000:01:00.0', gpudirectClique: 16", "device '0000:01:00.1'"] || ["2: device: 0000:01:00.0: gpudirectClique must be between 0 and 15, not 16"]
        'a clique on the audio function'   | ["device '0000:01:00.0'", "device path: '0000:01:00.1', gpudirectClique: 1"] || ["3: device: 0000:01:00.1: gpudirectClique is only for NVIDIA GPUs (vendor 0x10de, display class); 0000:01:00.1 is 10de:0e0f class 0x040300"]
        'a segment that does not exist'    | ["device path: '0000:01:00.0', pciSegment: 1", "device '0000:01:00.1'"] || ["2: device: 0000:01:00.0: pciSegment 1 does not exist: platform numPciSegments is 1"]
        'an unmanaged device on its driver'| ["device path: '0000:01:00.0', managed: false", "device path: '0000:01:00.1', managed: false"] || ["2: device: 0000:01:00.0: 0000:01:00.0 is bound to nvidia, not vfio-pci; set managed: true or run: rig host bind 0000:01:00.0", "3: device: 0000:01:00.1: 0000:01:00.1 is bound to snd_hda_intel, not vfio-pci; set managed: true or run: rig host bind 0000:01:00.1"]
        'one id for two devices'           | ["device path: '0000:01:00.0', id: 'gpu'", "device path: '0000:01:00.1', id: 'gpu'"] || ["3: id: 'gpu' names two devices (the other is at ${'$'}SCRIPT:2); give them distinct ids (id: 'name')"]
    }

    def "a card reader cannot claim a GPUDirect clique"() {
        expect:
        problems(SeedHosts.rts525aCardReader(tmp.resolve('sys')), vm("device path: '0000:01:00.0', gpudirectClique: 0")) ==
                ["2: device: 0000:01:00.0: gpudirectClique is only for NVIDIA GPUs (vendor 0x10de, display class); 0000:01:00.0 is 10ec:525a class 0xff0000"]
    }

    def "a host without IOMMU groups gets the kernel parameters to add"() {
        given: 'a host tree with the card reader but no groups'
        def host = new FakeSysfs(tmp.resolve('sys'))
        host.device('0000:01:00.0') { vendor 0x10ec; device 0x525a; classCode 0xff0000; driver 'rtsx_pci' }

        expect:
        problems(host, vm("device '0000:01:00.0'")) == ["2: device: 0000:01:00.0: 0000:01:00.0 has no IOMMU group: the IOMMU "
                + "is off; add intel_iommu=on (Intel) or amd_iommu=on (AMD) and iommu=pt to the kernel command line, "
                + "enable VT-d/AMD-Vi in the firmware, and reboot"]
    }

    def "GPUs whose 32-bit BARs exhaust their segment are named, with the way out"() {
        given: 'four 26b9 GPUs (16 MiB 32-bit BAR each) squeezed into a segment with 1/15 of the 32-bit space'
        def host = SeedHosts.gpu26b9(tmp.resolve('sys'), 4)

        when:
        def found = problems(host, vm("platform numPciSegments: 2", "pciSegment 0, mmio32Weight: 1",
                "pciSegment 1, mmio32Weight: 15", "device path: '0000:01:00.0', id: 'gpu0'",
                "device path: '0000:02:00.0', id: 'gpu1'", "device path: '0000:03:00.0', id: 'gpu2'",
                "device path: '0000:04:00.0', id: 'gpu3'"))

        then:
        found.size() == 1
        found[0].contains('gpu2 BAR 0 (16 MiB, 32-bit)')
        found[0].contains('gpu3 BAR 0 (16 MiB, 32-bit)')
        !found[0].contains('gpu0 BAR 0')
        found[0].contains('mmio32Weight')
    }

    def "problems of settings and of devices come out together, in line order"() {
        expect:
        problems(SeedHosts.gt710(tmp.resolve('sys')), vm("cpus 0", "device '0000:01:00.0'", "memory '12Q'")) == [
                "2: cpus: must be between 1 and 255, not 0",
                "3: device: 0000:01:00.0: IOMMU group 22 also holds 0000:01:00.1 (10de:0e0f, bound to snd_hda_intel): "
                        + "pass it to this VM too (device path: '0000:01:00.1') or bind it to vfio-pci (rig host bind 0000:01:00.1)",
                "4: memory: '12Q' is not a size: write a number with an optional unit, e.g. '512M', '2G', '64MiB' (K, M, G, T are powers of 1024)"]
    }
}
