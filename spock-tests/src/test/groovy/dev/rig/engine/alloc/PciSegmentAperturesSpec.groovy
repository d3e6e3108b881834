package dev.rig.engine.alloc

import spock.lang.Specification

import static dev.rig.engine.alloc.Sizes.*

class PciSegmentAperturesSpec extends Specification {

    GuestMemoryLayout layout = GuestMemoryLayout.x86_64(64 * GiB)

    def "the 32-bit space is split by weight into consecutive 1 MiB-aligned apertures"() {
        when:
        def apertures = PciSegmentApertures.split(layout, weights, [1] * weights.size())
        def mmio32 = apertures.segments()*.mmio32()

        then:
        mmio32*.size() == sizes
        mmio32*.start() == starts
        mmio32.every { it.isAlignedTo(1 * MiB) && layout.mmio32().contains(it) }

        where:
        weights   || sizes                                 | starts
        [1]       || [640 * MiB]                           | [0xC000_0000L]
        [1, 1]    || [320 * MiB, 320 * MiB]                | [0xC000_0000L, 0xD400_0000L]
        [2, 1]    || [426 * MiB, 213 * MiB]                | [0xC000_0000L, 0xC000_0000L + 426 * MiB]
        [1, 2]    || [213 * MiB, 426 * MiB]                | [0xC000_0000L, 0xC000_0000L + 213 * MiB]
        [1, 1, 1] || [213 * MiB, 213 * MiB, 213 * MiB]     | [0xC000_0000L, 0xC000_0000L + 213 * MiB, 0xC000_0000L + 426 * MiB]
        [3, 1]    || [480 * MiB, 160 * MiB]                | [0xC000_0000L, 0xC000_0000L + 480 * MiB]
    }

    def "with 32-bit weights 2 and 1, segment 0 gets two thirds of the 32-bit space"() {
        when:
        def apertures = PciSegmentApertures.split(layout, [2, 1], [1, 1])
        def seg0 = apertures.segment(0).mmio32()
        def seg1 = apertures.segment(1).mmio32()
        def total = layout.mmio32().size()

        then: "exactly twice segment 1's share, and two thirds of the space to within the 1 MiB rounding per weight"
        seg0.size() == 2 * seg1.size()
        (seg0.size() - total * 2 / 3).abs() <= 2 * MiB
        (seg1.size() - total / 3).abs() <= 1 * MiB
        seg1.start() == seg0.endExclusive()
    }

    def "the 64-bit space is split by weight into 4 GiB-aligned apertures"() {
        when:
        def apertures = PciSegmentApertures.split(layout, [1] * weights.size(), weights)
        def mmio64 = apertures.segments()*.mmio64()
        def unit = mmio64[0].size().intdiv(weights[0])

        then:
        mmio64.every { it.isAlignedTo(4 * GiB) && it.size() % (4 * GiB) == 0 && layout.mmio64().contains(it) }
        mmio64*.size() == weights.collect { it * unit }
        mmio64[0].start() == layout.mmio64().start()
        [mmio64, mmio64.tail()].transpose().every { a, b -> a.endExclusive() == b.start() }
        layout.mmio64().size() - mmio64*.size().sum() < weights.sum() * 4 * GiB

        where:
        weights << [[1], [1, 1], [2, 1], [1, 1, 1], [1, 3, 4]]
    }

    def "segments default to weight 1 and get their own ECAM slice"() {
        when:
        def apertures = PciSegmentApertures.split(layout, 4)

        then:
        apertures.segmentCount() == 4
        apertures.segments()*.mmio32()*.size().unique() == [160 * MiB]
        apertures.segments()*.mmio64()*.size().unique().size() == 1
        apertures.segments()*.ecam() == (0..3).collect { layout.ecamForSegment(it) }
        apertures.segments()*.segment() == [0, 1, 2, 3]
    }

    def "weights below 1 are refused with the segment and aperture named"() {
        when:
        PciSegmentApertures.split(layout, mmio32, mmio64)

        then:
        def e = thrown(AllocationException.InvalidWeight)
        e.segment() == segment
        e.aperture() == aperture
        e.weight() == weight
        e.message == "PCI segment $segment: $aperture weight must be at least 1, got $weight " +
                "(`pciSegment $segment, ${aperture}Weight: N`)"

        where:
        mmio32     | mmio64    || segment | aperture | weight
        [0]        | [1]       || 0       | "mmio32" | 0
        [1, 0]     | [1, 1]    || 1       | "mmio32" | 0
        [2, -1]    | [1, 1]    || 1       | "mmio32" | -1
        [1, 1]     | [1, 0]    || 1       | "mmio64" | 0
        [1, 1, 1]  | [-5, 1, 1] || 0      | "mmio64" | -5
    }

    def "the weight lists must match the number of segments"() {
        when:
        PciSegmentApertures.split(layout, mmio32, mmio64)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.contains(text)

        where:
        mmio32 | mmio64 || text
        [1, 1] | [1]    || "need one mmio32 and one mmio64 weight per segment"
        null   | [1]    || "need one mmio32 and one mmio64 weight per segment"
        []     | []     || "number of PCI segments must be 1 to 96, got 0"
    }

    def "the number of segments is 1 to 96"() {
        when:
        PciSegmentApertures.split(layout, count)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.contains("number of PCI segments must be 1 to 96, got $count")

        where:
        count << [0, -1, 97]
    }

    def "96 segments still get a 1 MiB-aligned share each"() {
        when:
        def apertures = PciSegmentApertures.split(layout, 96)

        then:
        apertures.segments()*.mmio32()*.size().unique() == [6 * MiB]
        apertures.segment(95).ecam().start() == 0xE800_0000L + 95 * MiB
    }

    def "weights too large for the space leave a segment without a share"() {
        when:
        PciSegmentApertures.splitByWeight("mmio32", layout.mmio32(), [600, 41], 1 * MiB)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.contains("too small to give a total weight of 641 a 1 MiB-aligned share each")
    }

    def "splitByWeight aligns the start of an unaligned area"() {
        when:
        def pieces = PciSegmentApertures.splitByWeight("mmio64", new AddressRange(5 * GiB, 20 * GiB), [1, 1], 4 * GiB)

        then:
        pieces == [new AddressRange(8 * GiB, 8 * GiB), new AddressRange(16 * GiB, 8 * GiB)]
    }

    def "explicit apertures must be numbered by position"() {
        given:
        def a = new SegmentAperture(1, new AddressRange(0xC000_0000L, 1 * MiB), new AddressRange(8 * GiB, 4 * GiB),
                new AddressRange(0xE800_0000L, 1 * MiB))

        when:
        PciSegmentApertures.of([a])

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.contains("segment at index 0 is numbered 1")
    }
}
