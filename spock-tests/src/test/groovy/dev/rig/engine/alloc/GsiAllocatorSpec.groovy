package dev.rig.engine.alloc

import spock.lang.Specification

class GsiAllocatorSpec extends Specification {

    def "x86-64 legacy lines are 5 to 23, lowest first, then exhausted"() {
        given:
        def gsis = GsiAllocator.x86_64()

        when:
        def lines = (1..19).collect { gsis.allocateLegacyIrq() }

        then: "0-4 (timer, keyboard, cascade, COM2, COM1) are never handed out"
        lines == (5..23).toList()
        gsis.availableLegacyIrqs() == 0

        when:
        gsis.allocateLegacyIrq()

        then:
        def e = thrown(AllocationException.GsiExhausted)
        e.kind() == GsiAllocator.Kind.LEGACY_IRQ
        e.requested() == 1
        e.available() == 0
        e.message == "out of legacy IRQ lines: asked for 1, 0 left of 5..23"
    }

    def "held-back lines are skipped, for example a PIC-only guest with an RTC on 8"() {
        given:
        def gsis = new GsiAllocator(5, 15, heldBack, 24, 4095)

        expect:
        (1..expected.size()).collect { gsis.allocateLegacyIrq() } == expected
        gsis.availableLegacyIrqs() == 0

        where:
        heldBack || expected
        []       || (5..15).toList()
        [8]      || [5, 6, 7, 9, 10, 11, 12, 13, 14, 15]
        [8, 12]  || [5, 6, 7, 9, 10, 11, 13, 14, 15]
    }

    def "MSI GSIs start at 24 and run to 4095"() {
        given:
        def gsis = GsiAllocator.x86_64()

        expect:
        gsis.allocateMsiGsi() == 24
        gsis.allocateMsiGsis(3) == [25, 26, 27]
        gsis.availableMsiGsis() == 4096 - 28
        gsis.allocateMsiGsis(4096 - 28).last() == 4095
    }

    def "a multi-vector request is all or nothing"() {
        given:
        def gsis = new GsiAllocator(5, 23, [], 24, 31)
        gsis.allocateMsiGsis(6)

        when:
        gsis.allocateMsiGsis(3)

        then:
        def e = thrown(AllocationException.GsiExhausted)
        e.kind() == GsiAllocator.Kind.MSI
        e.message == "out of MSI GSIs: asked for 3, 2 left of 24..31"
        gsis.availableMsiGsis() == 2
        gsis.allocatedMsiGsis() == (24..29).toList()
    }

    def "freed numbers come back lowest first"() {
        given:
        def gsis = GsiAllocator.x86_64()
        def lines = (1..4).collect { gsis.allocateLegacyIrq() }
        def vectors = gsis.allocateMsiGsis(4)

        when:
        gsis.freeLegacyIrq(6)
        gsis.freeLegacyIrq(5)
        gsis.freeMsiGsi(26)

        then:
        lines == [5, 6, 7, 8]
        vectors == [24, 25, 26, 27]
        gsis.allocatedLegacyIrqs() == [7, 8]
        gsis.allocateLegacyIrq() == 5
        gsis.allocateLegacyIrq() == 6
        gsis.allocateLegacyIrq() == 9
        gsis.allocateMsiGsi() == 26
        gsis.allocateMsiGsi() == 28
    }

    def "an exhausted pool recovers once something is freed"() {
        given:
        def gsis = new GsiAllocator(5, 6, [], 24, 24)
        gsis.allocateLegacyIrq()
        gsis.allocateLegacyIrq()
        gsis.allocateMsiGsi()

        when:
        gsis.freeLegacyIrq(5)
        gsis.freeMsiGsi(24)

        then:
        gsis.allocateLegacyIrq() == 5
        gsis.allocateMsiGsi() == 24
    }

    def "freeing what was not allocated is refused"() {
        given:
        def gsis = GsiAllocator.x86_64()
        gsis.allocateLegacyIrq()

        when:
        gsis."$method"(number)

        then:
        def e = thrown(AllocationException.NotAllocated)
        e.message.contains(text)

        where:
        method          | number || text
        "freeLegacyIrq" | 6      || "cannot free legacy IRQ line 6"
        "freeLegacyIrq" | 3      || "cannot free legacy IRQ line 3"
        "freeMsiGsi"    | 24     || "cannot free MSI GSI 24"
        "freeMsiGsi"    | 5000   || "cannot free MSI GSI 5000"
    }

    def "a fixed line can be claimed once, and is then skipped"() {
        given:
        def gsis = GsiAllocator.x86_64()

        expect:
        gsis.claimLegacyIrq(5) == 5
        gsis.allocateLegacyIrq() == 6

        when:
        gsis.claimLegacyIrq(5)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.contains("5 is already allocated")
    }

    def "claims outside the pool or on held-back lines are refused"() {
        given:
        def gsis = new GsiAllocator(5, 15, [8], 24, 4095)

        when:
        gsis.claimLegacyIrq(line)

        then:
        def e = thrown(AllocationException.InvalidRequest)
        e.message.contains(text)

        where:
        line || text
        4    || "4 is outside 5..15"
        16   || "16 is outside 5..15"
        8    || "8 is held back"
    }

    def "pools must be non-empty and must not overlap"() {
        when:
        new GsiAllocator(legacyFirst, legacyLast, heldBack, msiFirst, msiLast)

        then:
        thrown(AllocationException.InvalidRequest)

        where:
        legacyFirst | legacyLast | heldBack | msiFirst | msiLast
        10          | 5          | []       | 24       | 4095
        5           | 23         | []       | 23       | 4095
        5           | 23         | []       | 30       | 24
        -1          | 23         | []       | 24       | 4095
        5           | 23         | [4]      | 24       | 4095
    }

    def "vector counts must be positive"() {
        when:
        GsiAllocator.x86_64().allocateMsiGsis(count)

        then:
        thrown(AllocationException.InvalidRequest)

        where:
        count << [0, -1]
    }
}
