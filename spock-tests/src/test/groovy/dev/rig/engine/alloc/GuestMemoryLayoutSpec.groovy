package dev.rig.engine.alloc

import spock.lang.Specification

import static dev.rig.engine.alloc.MemoryRegion.Type.*
import static dev.rig.engine.alloc.Sizes.*

class GuestMemoryLayoutSpec extends Specification {

    def "RAM goes below 3 GiB first and the rest above 4 GiB"() {
        when:
        def layout = GuestMemoryLayout.x86_64(ram)

        then:
        layout.ram() == expectedRam
        layout.ram()*.size().sum() == ram
        layout.ramEnd() == ramEnd

        where:
        ram              || expectedRam                                                              | ramEnd
        64 * MiB         || [new AddressRange(0, 64 * MiB)]                                          | 64 * MiB
        3 * GiB          || [new AddressRange(0, 3 * GiB)]                                           | 3 * GiB
        3 * GiB + 1 * MiB || [new AddressRange(0, 3 * GiB), new AddressRange(4 * GiB, 1 * MiB)]      | 4 * GiB + 1 * MiB
        4 * GiB          || [new AddressRange(0, 3 * GiB), new AddressRange(4 * GiB, 1 * GiB)]       | 5 * GiB
        64 * GiB         || [new AddressRange(0, 3 * GiB), new AddressRange(4 * GiB, 61 * GiB)]      | 65 * GiB
    }

    def "the 64-bit device area starts above RAM on a 4 GiB boundary"() {
        when:
        def layout = GuestMemoryLayout.x86_64(ram)

        then:
        layout.mmio64().start() == mmio64Start
        layout.mmio64().start() >= layout.ramEnd()
        layout.mmio64().isAlignedTo(4 * GiB)

        where:
        ram               || mmio64Start
        64 * MiB          || 4 * GiB
        3 * GiB           || 4 * GiB
        3 * GiB + 1 * MiB || 8 * GiB
        4 * GiB           || 8 * GiB
        8 * GiB           || 12 * GiB
        64 * GiB          || 68 * GiB
        1 * TiB           || 1028 * GiB
    }

    def "the 32-bit hole follows Cloud Hypervisor's constants whatever the RAM size"() {
        when:
        def layout = GuestMemoryLayout.x86_64(ram)

        then:
        layout.mmio32().toString() == "0xc0000000-0xe7ffffff (640 MiB)"
        layout.ecam().toString() == "0xe8000000-0xf7ffffff (256 MiB)"
        layout.regions(RESERVED)*.name().take(3) == ["KVM TSS and identity map", "IOAPIC", "local APIC and MSI window"]
        layout.regions(RESERVED)*.range()*.start().take(3) == [0xF800_0000L, 0xFEC0_0000L, 0xFEE0_0000L]

        where:
        ram << [64 * MiB, 3 * GiB, 64 * GiB]
    }

    def "the 64-bit device area ends below the platform area under the address limit"() {
        when:
        def layout = GuestMemoryLayout.x86_64(16 * GiB, bits)
        def platform = layout.regions(RESERVED).last()

        then:
        layout.physAddrBits() == bits
        layout.mmio64().endExclusive() == (1L << bits) - 64 * KiB - 1 * MiB
        platform.name() == "platform device area"
        platform.range() == new AddressRange((1L << bits) - 64 * KiB - 1 * MiB, 1 * MiB)

        where:
        bits << [39, 46, 52]
    }

    def "regions are sorted, typed and never overlap"() {
        given:
        def regions = GuestMemoryLayout.x86_64(ram).regions()

        expect:
        regions == regions.toSorted { a, b -> a.range() <=> b.range() }
        [regions, regions.tail()].transpose().every { a, b -> a.range().endExclusive() <= b.range().start() }
        regions*.type() == types

        where:
        ram      || types
        2 * GiB  || [RAM, MMIO32, ECAM, RESERVED, RESERVED, RESERVED, MMIO64, RESERVED]
        64 * GiB || [RAM, MMIO32, ECAM, RESERVED, RESERVED, RESERVED, RAM, MMIO64, RESERVED]
    }

    def "each PCI segment gets a 1 MiB ECAM slice for bus 0"() {
        given:
        def layout = GuestMemoryLayout.x86_64(4 * GiB)

        expect:
        layout.ecamForSegment(segment) == new AddressRange(start, 1 * MiB)
        layout.ecam().contains(layout.ecamForSegment(segment))

        where:
        segment || start
        0       || 0xE800_0000L
        1       || 0xE810_0000L
        95      || 0xEDF0_0000L
    }

    def "segments beyond the limit have no ECAM slice"() {
        when:
        GuestMemoryLayout.x86_64(4 * GiB).ecamForSegment(segment)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.contains("PCI segment must be 0 to 95, got $segment")

        where:
        segment << [-1, 96]
    }

    def "RAM must be page sized and at least 1 MiB"() {
        when:
        GuestMemoryLayout.x86_64(ram)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.contains("RAM size must be a multiple of 4 KiB and at least 1 MiB, got $ram bytes")

        where:
        ram << [0, -4 * KiB, 512 * KiB, 3 * GiB + 1, 64 * MiB + 512]
    }

    def "too much RAM for the address width leaves no 64-bit device space"() {
        when:
        GuestMemoryLayout.x86_64(60 * GiB, 36)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.contains("60 GiB of RAM leaves no 64-bit PCI device space below the 36-bit guest physical address limit")
    }

    def "the address width must be a real x86-64 one"() {
        when:
        GuestMemoryLayout.x86_64(1 * GiB, bits)

        then:
        thrown(AllocationException.InvalidRequest)

        where:
        bits << [0, 32, 35, 53, 64]
    }

    def "describe prints one line per region for rig plan"() {
        when:
        def lines = GuestMemoryLayout.x86_64(64 * GiB).describe().readLines()

        then:
        lines.size() == 9
        lines[0] == "0x000000000000-0x0000bfffffff      3 GiB  RAM      low RAM"
        lines[1] == "0x0000c0000000-0x0000e7ffffff    640 MiB  MMIO32   32-bit PCI device space"
        lines[6] == "0x000100000000-0x00103fffffff     61 GiB  RAM      high RAM"
        lines[7].startsWith("0x001100000000-0x3fffffeeffff")
        lines[7].endsWith("MMIO64   64-bit PCI device space")
    }
}
