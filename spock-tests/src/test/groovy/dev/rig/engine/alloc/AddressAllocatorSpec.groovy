package dev.rig.engine.alloc

import spock.lang.Specification

import static dev.rig.engine.alloc.Sizes.*

class AddressAllocatorSpec extends Specification {

    /** 64 KiB starting at 0x1000, so that alignment above 4 KiB forces padding. */
    AddressAllocator allocator = new AddressAllocator("test", 0x1000, 0x10000)

    def "allocates first fit from the bottom, honouring alignment"() {
        when:
        def starts = requests.collect { size, align -> allocator.allocate(size, align).start() }

        then:
        starts == expected

        where:
        requests                                     || expected
        [[0x100, 0x1000]]                            || [0x1000]
        [[0x100, 0x1000], [0x100, 0x1000]]           || [0x1000, 0x2000]
        [[0x10, 0x10], [0x1000, 0x1000]]             || [0x1000, 0x2000]
        [[0x800, 0x800], [0x800, 0x800]]             || [0x1000, 0x1800]
        [[0x100, 0x4000]]                            || [0x4000]
        [[0x100, 0x100], [0x2000, 0x2000], [0x100, 0x100]] || [0x1000, 0x2000, 0x1100]
        [[0x10000, 1]]                               || [0x1000]
    }

    def "every allocation is aligned and lies inside the region"() {
        when:
        def r = allocator.allocate(size, align)

        then:
        r.size() == size
        r.start() % align == 0
        allocator.region().contains(r)

        where:
        size   | align
        1      | 1
        0x123  | 0x100
        0x1000 | 0x8000
        0x4000 | 0x4000
    }

    def "a freed range is reused by the next allocation that fits it"() {
        given:
        def a = allocator.allocate(0x1000, 0x1000)
        def b = allocator.allocate(0x1000, 0x1000)
        def c = allocator.allocate(0x1000, 0x1000)

        when:
        allocator.free(b)

        then:
        allocator.allocations() == [a, c]
        allocator.allocate(0x1000, 0x1000) == b
    }

    def "allocating and freeing everything leaves no trace"() {
        given:
        def ranges = (1..5).collect { allocator.allocate(0x800 * it, 0x1000) }

        when:
        ranges.reverse().each { allocator.free(it) }

        then:
        allocator.allocations().isEmpty()
        allocator.freeBlocks() == [allocator.region()]
        allocator.freeBytes() == 0x10000
    }

    def "allocateAt takes exactly the range asked for, next to existing ones"() {
        given:
        allocator.allocateAt(0x2000, 0x1000)

        expect:
        allocator.allocateAt(0x1000, 0x1000) == new AddressRange(0x1000, 0x1000)
        allocator.allocateAt(0x3000, 0x1000) == new AddressRange(0x3000, 0x1000)
        allocator.allocateAt(0x10000, 0x1000) == new AddressRange(0x10000, 0x1000)
        allocator.allocations()*.start() == [0x1000, 0x2000, 0x3000, 0x10000]
    }

    def "allocateAt refuses overlapping, out-of-range and empty requests"() {
        given:
        allocator.allocateAt(0x2000, 0x1000)
        allocator.allocateAt(0x4000, 0x1000)

        when:
        allocator.allocateAt(address, size)

        then:
        def e = thrown(AllocationException)
        e.class == type
        e.message.contains(text)
        allocator.allocations()*.start() == [0x2000, 0x4000]

        where:
        address  | size    || type                                 | text
        0x2000   | 0x1000  || AllocationException.Overlap          | "overlaps 0x2000-0x2fff (4 KiB), which is already allocated"
        0x1800   | 0x1000  || AllocationException.Overlap          | "0x1800-0x27ff (4 KiB) overlaps 0x2000-0x2fff"
        0x2fff   | 0x10    || AllocationException.Overlap          | "overlaps 0x2000-0x2fff"
        0x3000   | 0x2000  || AllocationException.Overlap          | "overlaps 0x4000-0x4fff"
        0x1000   | 0x5000  || AllocationException.Overlap          | "overlaps 0x2000-0x2fff"
        0x0      | 0x1000  || AllocationException.OutOfRange       | "4 KiB at 0x0 does not lie inside 0x1000-0x10fff (64 KiB)"
        0x10800  | 0x1000  || AllocationException.OutOfRange       | "does not lie inside"
        -0x1000  | 0x1000  || AllocationException.OutOfRange       | "does not lie inside"
        0x6000   | 0       || AllocationException.InvalidRequest   | "size must be positive, got 0"
    }

    def "alignment must be a power of two"() {
        when:
        allocator.allocate(0x1000, alignment)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.startsWith("test: alignment must be a power of two")
        e.subject() == "test"

        where:
        alignment << [0, -1, 3, 0x1800, Long.MIN_VALUE]
    }

    def "size must be positive"() {
        when:
        allocator.allocate(size, 0x1000)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.reason() == "size must be positive, got $size"

        where:
        size << [0, -0x1000]
    }

    def "exhaustion names the region, the request and the largest free block"() {
        given:
        def mmio = new AddressAllocator("segment 0 mmio32", 0xC000_0000L, 64 * KiB)
        mmio.allocate(32 * KiB, 4 * KiB)

        when:
        mmio.allocate(64 * KiB, 4 * KiB)

        then:
        def e = thrown(AllocationException.Exhausted)
        e.regionName() == "segment 0 mmio32"
        e.requestedSize() == 64 * KiB
        e.alignment() == 4 * KiB
        e.largestFreeBlock() == 32 * KiB
        e.freeBytes() == 32 * KiB
        e.message == "segment 0 mmio32 0xc0000000-0xc000ffff (64 KiB) has no room for 64 KiB aligned to 4 KiB: " +
                "32 KiB free in total, largest free block 32 KiB"
    }

    def "exhaustion can come from alignment alone"() {
        when: "64 KiB are free, but no 64 KiB boundary inside the region leaves 8 KiB after it"
        allocator.allocate(0x2000, 0x10000)

        then:
        def e = thrown(AllocationException.Exhausted)
        e.largestFreeBlock() == 64 * KiB
        e.message.contains("no room for 8 KiB aligned to 64 KiB")
    }

    def "free refuses ranges it did not hand out"() {
        given:
        def held = allocator.allocate(0x2000, 0x1000)

        when:
        allocator.free(range)

        then:
        def e = thrown(AllocationException.NotAllocated)
        e.message.contains("cannot free")
        allocator.allocations() == [held]

        where:
        range << [new AddressRange(0x1000, 0x1000), new AddressRange(0x8000, 0x1000), null]
    }

    def "double free is refused"() {
        given:
        def held = allocator.allocate(0x1000, 0x1000)
        allocator.free(held)

        when:
        allocator.free(held)

        then:
        thrown(AllocationException.NotAllocated)
    }

    def "reports free blocks and usage"() {
        given:
        allocator.allocateAt(0x2000, 0x1000)
        allocator.allocateAt(0x8000, 0x4000)

        expect:
        allocator.freeBlocks() == [AddressRange.between(0x1000, 0x2000), AddressRange.between(0x3000, 0x8000),
                                   AddressRange.between(0xC000, 0x11000)]
        allocator.allocatedBytes() == 0x5000
        allocator.freeBytes() == 0xB000
        allocator.largestFreeBlock() == 0x5000
        allocator.usage().toString() == "test 0x1000-0x10fff (64 KiB): 20 KiB used, 44 KiB left (largest free block 20 KiB)"
    }

    def "a region needs a name and must not be empty"() {
        when:
        new AddressAllocator(name, start, size)

        then:
        thrown(AllocationException.InvalidRequest)

        where:
        name   | start | size
        ""     | 0     | 0x1000
        null   | 0     | 0x1000
        "test" | 0     | 0
        "test" | -1    | 0x1000
    }
}
