package dev.rig.engine.host

import spock.lang.Specification

/**
 * lab-l1-host.json was written by SysfsHostInventory + HostSnapshot inside the nested lab's L1 machine (QEMU q35,
 * emulated Intel IOMMU, Debian kernel 6.1, QEMU's edu device bound to vfio-pci; shared/lab/README.md), i.e. from a
 * real kernel's sysfs rather than a fake tree. Re-capture: run lab.sh --only with a script that prints
 * HostSnapshot.toJson(new SysfsHostInventory()).
 */
class LabSnapshotSpec extends Specification {

    static final String TEXT = LabSnapshotSpec.getResource('lab-l1-host.json').getText('UTF-8')

    def "the L1 capture reads back: edu is bound to vfio-pci, alone in its IOMMU group, with a 1 MiB BAR 0"() {
        when:
        def host = HostSnapshot.fromJson(TEXT, 'snapshot lab-l1-host.json')
        def edu = host.devices().find { it.vendorDeviceId() == '1234:11e8' }

        then:
        host.iommuEnabled()
        edu.address() == PciAddress.parse('00:03.0')
        edu.driver().get() == 'vfio-pci'
        host.iommuGroupOf(edu.address()).get().members() == [edu.address()]
        edu.bars() == [new Bar(0, 0xfea0_0000L, 0x10_0000L, Bar.Kind.MEM32, false)]
    }

    def "the ICH9 functions at 00:1f share one group, as the kernel grouped them"() {
        when:
        def host = HostSnapshot.fromJson(TEXT)
        def group = host.iommuGroupOf(PciAddress.parse('00:1f.2')).get()

        then:
        group.members()*.toString() == ['0000:00:1f.0', '0000:00:1f.2', '0000:00:1f.3']
        group.members().every { host.requireDevice(it).isMultiFunction() }
    }

    def "writing the capture again gives the same text"() {
        expect:
        HostSnapshot.toJson(HostSnapshot.fromJson(TEXT)) == TEXT
    }
}
