package dev.rig.hostprep

import dev.rig.engine.hostprep.PciIds
import spock.lang.Specification

import java.nio.file.Path

/** The pci.ids parser, on the format's corner cases and on the excerpt the CLI specs use. */
class PciIdsSpec extends Specification {

    static final Path SAMPLE = Path.of(PciIdsSpec.getResource('/dev/rig/hostprep/pci.ids').toURI())

    def "vendor, device and subsystem lines; class and subclass lines"() {
        given:
        def ids = PciIds.parse('''\
# comment
10de  NVIDIA Corporation
\t128b  GK208B [GeForce GT 710]
\t\t1043 8576  GT710-SL-2GD5
\t0e0f  GK208 HDMI/DP Audio Controller
1043  ASUSTeK Computer Inc.

C 03  Display controller
\t00  VGA compatible controller
\t\t00  VGA controller
\t02  3D controller
C 04  Multimedia controller
''')

        expect:
        ids.vendor(0x10de).get() == 'NVIDIA Corporation'
        ids.device(0x10de, 0x128b).get() == 'GK208B [GeForce GT 710]'
        ids.device(0x10de, 0x0e0f).get() == 'GK208 HDMI/DP Audio Controller'
        ids.subsystem(0x10de, 0x128b, 0x1043, 0x8576).get() == 'GT710-SL-2GD5'
        ids.subsystem(0x10de, 0x0e0f, 0x1043, 0x8576).isEmpty()
        ids.device(0x1043, 0x128b).isEmpty()
        ids.className(0x030000).get() == 'VGA compatible controller'
        ids.className(0x030200).get() == '3D controller'
        ids.className(0x038000).get() == 'Display controller'     // unknown subclass: the class's name
        ids.className(0x040300).get() == 'Multimedia controller'
        ids.className(0x120000).isEmpty()
        ids.vendor(0x8086).isEmpty()
    }

    def "class subsections do not leak into the vendor before them, nor devices into classes"() {
        given:
        def ids = PciIds.parse('ffff  Illegal Vendor ID\nC 06  Bridge\n\t04  PCI bridge\n')

        expect:
        ids.device(0xffff, 0x0004).isEmpty()
        ids.className(0x060400).get() == 'PCI bridge'
    }

    def "malformed lines are skipped"() {
        given:
        def ids = PciIds.parse('10d  NVIDIA (3 digits)\nzzzz  Nonsense\n\t12  too short\n8086  Intel Corporation\n')

        expect:
        ids.vendor(0x8086).get() == 'Intel Corporation'
        ids.vendor(0x10d).isEmpty()
    }

    def "the excerpt of Debian's pci.ids names the seed devices"() {
        given:
        def ids = PciIds.load(SAMPLE)

        expect:
        ids.device(0x10ec, 0x525a).get() == 'RTS525A PCI Express Card Reader'
        ids.device(0x19e5, 0x375e).get() == 'Hi1822 Family Virtual Function'
        ids.device(0x10de, 0x26b9).isEmpty()
        ids.className(0xff0000).get() == 'Unassigned class'
    }

    def "with no database every lookup is empty"() {
        expect:
        PciIds.empty().isEmpty()
        PciIds.empty().vendor(0x10de).isEmpty()
        PciIds.empty().className(0x030000).isEmpty()
    }
}
