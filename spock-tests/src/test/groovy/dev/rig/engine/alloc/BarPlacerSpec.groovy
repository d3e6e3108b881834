package dev.rig.engine.alloc

import spock.lang.Specification

import static dev.rig.engine.alloc.Sizes.*

class BarPlacerSpec extends Specification {

    GuestMemoryLayout layout = GuestMemoryLayout.x86_64(64 * GiB)

    static BarRequest bar32(String device, int index, long size, int segment = 0) {
        BarRequest.mem32(device, index, size, segment)
    }

    static BarRequest bar64(String device, int index, long size, int segment = 0) {
        BarRequest.mem64(device, index, size, true, segment)
    }

    /** An NVIDIA datacenter GPU: 16 MiB registers (BAR0), 64 GiB VRAM window (BAR1), 32 MiB BAR3. */
    static List<BarRequest> gpu(String id, int segment = 0) {
        [bar32(id, 0, 16 * MiB, segment), bar64(id, 1, 64 * GiB, segment), bar64(id, 3, 32 * MiB, segment)]
    }

    /** Every allocation of every aperture, to compare before and after a failed call. */
    static List<List<AddressRange>> snapshot(BarPlacer placer) {
        (0..<placer.apertures().segmentCount()).collectMany { [placer.mmio32(it).allocations(), placer.mmio64(it).allocations()] }
    }

    def "each BAR is naturally aligned, and small memory BARs get a whole page"() {
        given:
        def placer = new BarPlacer(PciSegmentApertures.split(layout, 1))

        when:
        def placed = placer.place(requests)

        then:
        placed*.bar() == requests
        placed.every { it.range().isAlignedTo(Math.max(it.bar().size(), 4 * KiB)) }
        placed.every { it.range().size() == Math.max(it.bar().size(), 4 * KiB) }

        where:
        requests << [
                [bar32("nic", 0, 128 * KiB), bar32("nic", 2, 16 * KiB), bar32("nic", 4, 256)],
                [bar32("a", 0, 1 * MiB), bar32("b", 0, 4 * KiB), bar32("c", 0, 256 * MiB), bar32("d", 0, 2 * MiB)],
                [bar64("a", 0, 64 * GiB), bar64("b", 0, 8 * GiB), bar64("c", 0, 16 * KiB), bar64("d", 2, 128 * GiB)],
                gpu("gpu0") + gpu("gpu1") + [bar32("nvme", 0, 16 * KiB)],
        ]
    }

    def "32-bit BARs go to the 32-bit aperture and 64-bit BARs to the 64-bit one, of their own segment"() {
        given:
        def apertures = PciSegmentApertures.split(layout, 2)
        def placer = new BarPlacer(apertures)

        when:
        def placed = placer.place([bar32("x", 0, 1 * MiB, segment), bar64("x", 2, 1 * GiB, segment)])

        then:
        apertures.segment(segment).mmio32().contains(placed[0].range())
        apertures.segment(segment).mmio64().contains(placed[1].range())
        placer.mmio32(segment).allocations() == [placed[0].range()]
        placer.mmio64(segment).allocations() == [placed[1].range()]
        placer.mmio32(1 - segment).allocations().isEmpty()
        placer.mmio64(1 - segment).allocations().isEmpty()

        where:
        segment << [0, 1]
    }

    def "larger BARs are placed first, whatever the request order"() {
        given:
        def placer = new BarPlacer(PciSegmentApertures.split(layout, 1))
        def base = layout.mmio32().start()

        when:
        def placed = placer.place([bar32("small", 0, 4 * KiB), bar32("big", 0, 16 * MiB), bar32("mid", 0, 1 * MiB)])

        then: "results come back in request order"
        placed*.bar()*.deviceId() == ["small", "big", "mid"]

        and: "addresses go down the sizes"
        placed[1].range().start() == base
        placed[2].range().start() == base + 16 * MiB
        placed[0].range().start() == base + 17 * MiB
    }

    def "largest first packs BARs that first-come-first-served would not fit"() {
        given: "a 3 MiB aperture: 1 MiB then 2 MiB in request order would waste the first megabyte"
        def aperture = new SegmentAperture(0, new AddressRange(0xC000_0000L, 3 * MiB),
                new AddressRange(8 * GiB, 4 * GiB), layout.ecamForSegment(0))
        def placer = new BarPlacer(PciSegmentApertures.of([aperture]))

        when:
        def placed = placer.place([bar32("a", 0, 1 * MiB), bar32("b", 0, 2 * MiB)])

        then:
        placed*.range()*.start() == [0xC000_0000L + 2 * MiB, 0xC000_0000L]
    }

    def "eight GPUs fit on one segment of the default layout"() {
        given:
        def placer = new BarPlacer(PciSegmentApertures.split(layout, 1))
        def requests = (0..7).collectMany { gpu("gpu$it") }

        when:
        def placed = placer.place(requests)

        then:
        placed.size() == 24
        placer.mmio32(0).allocatedBytes() == 8 * 16 * MiB
        placer.mmio64(0).allocatedBytes() == 8 * (64 * GiB + 32 * MiB)
        placed.findAll { it.bar().size() == 64 * GiB }.every { it.range().isAlignedTo(64 * GiB) }
    }

    def "GPUs that exhaust their segment's small 32-bit share are all named, and nothing stays placed"() {
        given: "32-bit weights 1 and 15: segment 0 gets 40 MiB, room for two 16 MiB BARs"
        def placer = new BarPlacer(PciSegmentApertures.split(layout, [1, 15], [1, 1]))
        def before = snapshot(placer)

        when:
        placer.place(gpu("gpu0") + gpu("gpu1") + gpu("gpu2") + gpu("gpu3"))

        then:
        def e = thrown(AllocationException.BarsDoNotFit)
        e.unplaced()*.bar()*.deviceId() == ["gpu2", "gpu3"]
        e.unplaced()*.bar()*.barIndex() == [0, 0]
        e.unplaced()*.aperture() == ["segment 0 mmio32", "segment 0 mmio32"]
        e.requestedCount() == 12
        e.usage().size() == 1
        e.usage()[0].usedBytes() == 32 * MiB
        e.usage()[0].freeBytes() == 8 * MiB

        and: "the message lists each BAR, the aperture's use and the ways out"
        e.message.contains("2 of 12 BARs do not fit, so none were placed")
        e.message.contains("  - gpu2 BAR 0 (16 MiB, 32-bit) in segment 0 mmio32")
        e.message.contains("  - gpu3 BAR 0 (16 MiB, 32-bit) in segment 0 mmio32")
        e.message.contains("segment 0 mmio32 0xc0000000-0xc27fffff (40 MiB): 32 MiB used, 8 MiB left (largest free block 8 MiB)")
        e.advice() == ["the PCI segments together still have 608 MiB of 32-bit device space free: give the segment " +
                               "a larger share (`pciSegment 0, mmio32Weight: N`, raised against the other segments' weights), " +
                               "or move some of these devices to a segment with room, adding one if needed " +
                               "(`platform numPciSegments: 3`)"]
        e.message.endsWith(e.advice()[0])

        and:
        snapshot(placer) == before
    }

    def "when the whole space is short, the advice says segments and weights cannot help"() {
        given: "a single segment with a 40 MiB 32-bit aperture"
        def aperture = new SegmentAperture(0, new AddressRange(0xC000_0000L, 40 * MiB),
                layout.mmio64(), layout.ecamForSegment(0))
        def placer = new BarPlacer(PciSegmentApertures.of([aperture]))

        when:
        placer.place(gpu("gpu0") + gpu("gpu1") + gpu("gpu2") + gpu("gpu3"))

        then:
        def e = thrown(AllocationException.BarsDoNotFit)
        e.unplaced()*.bar()*.deviceId() == ["gpu2", "gpu3"]
        e.advice() == ["the only PCI segment has 40 MiB of 32-bit device space, 8 MiB of it free, less than the " +
                               "32 MiB these BARs need: only fewer or smaller 32-bit BARs will do; more segments " +
                               "(`platform numPciSegments: 2`) or other weights (`pciSegment 0, mmio32Weight: N`) " +
                               "would only divide the same space"]
        placer.usage().every { it.usedBytes() == 0 }
    }

    def "space that is free but not aligned for the BAR gets its own advice"() {
        given: "2 MiB free at 0xc0100000, which holds no 2 MiB-aligned 2 MiB block"
        def aperture = new SegmentAperture(0, new AddressRange(0xC010_0000L, 2 * MiB),
                layout.mmio64(), layout.ecamForSegment(0))
        def placer = new BarPlacer(PciSegmentApertures.of([aperture]))

        when:
        placer.place([bar32("fpga", 0, 2 * MiB)])

        then:
        def e = thrown(AllocationException.BarsDoNotFit)
        e.advice() == ["the only PCI segment has 2 MiB of 32-bit device space free, but not in naturally aligned " +
                               "blocks large enough; a second segment (`platform numPciSegments: 2`) would split the " +
                               "same space, so fewer or smaller 32-bit BARs are the way out"]
    }

    def "a weighted split that starves one segment names the BARs in both apertures"() {
        given: "segment 1 gets 1/16 of each space: 40 MiB of 32-bit, 60 GiB of 64-bit (less than one 64 GiB BAR)"
        def layout40 = GuestMemoryLayout.x86_64(4 * GiB, 40)
        def apertures = PciSegmentApertures.split(layout40, [15, 1], [15, 1])
        def placer = new BarPlacer(apertures)

        when:
        placer.place(gpu("gpu0", 1) + gpu("gpu1", 1) + gpu("gpu2", 1))

        then:
        def e = thrown(AllocationException.BarsDoNotFit)
        e.unplaced()*.toString() == [
                "gpu0 BAR 1 (64 GiB, 64-bit) in segment 1 mmio64",
                "gpu1 BAR 1 (64 GiB, 64-bit) in segment 1 mmio64",
                "gpu2 BAR 1 (64 GiB, 64-bit) in segment 1 mmio64",
                "gpu2 BAR 0 (16 MiB, 32-bit) in segment 1 mmio32",
        ]
        e.usage()*.name() == ["segment 1 mmio64", "segment 1 mmio32"]
        e.advice().size() == 2
        e.advice()[0].contains("32-bit device space free: give the segment a larger share (`pciSegment 1, mmio32Weight: N`")
        e.advice()[1].contains("64-bit device space free: give the segment a larger share (`pciSegment 1, mmio64Weight: N`")
        e.advice().every { it.endsWith("(`platform numPciSegments: 3`)") }
        placer.usage().every { it.usedBytes() == 0 }
    }

    def "a failed call leaves earlier placements exactly as they were"() {
        given:
        def placer = new BarPlacer(PciSegmentApertures.split(layout, 2))
        placer.place([bar32("nic", 0, 128 * KiB), bar64("nic", 2, 16 * KiB), bar32("disk", 0, 16 * KiB, 1)])
        def before = snapshot(placer)

        when: "a 1 GiB 32-bit BAR cannot fit in 320 MiB, but the other two could"
        placer.place([bar32("huge", 0, 1 * GiB), bar32("ok", 0, 1 * MiB), bar64("ok", 2, 1 * GiB, 1)])

        then:
        def e = thrown(AllocationException.BarsDoNotFit)
        e.unplaced()*.bar()*.deviceId() == ["huge"]
        snapshot(placer) == before
    }

    def "placements can join a wider transaction and roll back with it"() {
        given:
        def placer = new BarPlacer(PciSegmentApertures.split(layout, 1))
        def gsis = GsiAllocator.x86_64()

        when:
        try (def tx = new ResourceTransaction()) {
            placer.place(gpu("gpu0"), tx)
            tx.allocateMsiGsis(gsis, 4)
            throw new IllegalStateException("device failed to start")
        }

        then:
        thrown(IllegalStateException)
        placer.usage().every { it.usedBytes() == 0 }
        gsis.allocatedMsiGsis().isEmpty()
    }

    def "release frees one placement"() {
        given:
        def placer = new BarPlacer(PciSegmentApertures.split(layout, 1))
        def placed = placer.place([bar32("a", 0, 1 * MiB), bar32("b", 0, 1 * MiB)])

        when:
        placer.release(placed[0])

        then:
        placer.mmio32(0).allocations() == [placed[1].range()]
    }

    def "requests for unknown segments or the same BAR twice are refused before anything is placed"() {
        given:
        def placer = new BarPlacer(PciSegmentApertures.split(layout, 1))

        when:
        placer.place(requests)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.contains(text)
        placer.usage().every { it.usedBytes() == 0 }

        where:
        requests                                                   || text
        [bar32("a", 0, 1 * MiB), bar32("b", 0, 1 * MiB, 1)]        || "there is no PCI segment 1; this VM has 1"
        [bar32("a", 0, 1 * MiB), bar32("a", 0, 2 * MiB)]           || "requested twice in one placement"
    }

    def "index 6 is the expansion ROM, placed like a 32-bit BAR"() {
        expect:
        new BarRequest("gpu", BarRequest.ROM_INDEX, 512 * KiB, false, false, 0).placementSize() == 512 * KiB
    }

    def "malformed BAR requests are refused"() {
        when:
        new BarRequest("dev", index, size, is64, false, segment)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.contains(text)

        where:
        index | size          | is64  | segment || text
        7     | 4 * KiB       | false | 0       || "index must be 0 to 5, or 6 for the expansion ROM"
        -1    | 4 * KiB       | false | 0       || "index must be 0 to 5, or 6 for the expansion ROM"
        5     | 4 * KiB       | true  | 0       || "index must be 0 to 4 for a 64-bit BAR"
        0     | 3 * KiB       | false | 0       || "size must be a power of two"
        0     | 0             | true  | 0       || "size must be a power of two"
        0     | 4 * GiB       | false | 0       || "a 32-bit BAR cannot be 4 GiB"
        0     | 4 * KiB       | false | -1      || "segment must not be negative"
    }
}
