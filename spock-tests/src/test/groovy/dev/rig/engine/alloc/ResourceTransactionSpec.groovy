package dev.rig.engine.alloc

import spock.lang.Specification

import static dev.rig.engine.alloc.Sizes.*

class ResourceTransactionSpec extends Specification {

    AddressAllocator mmio = new AddressAllocator("segment 0 mmio32", 0xC000_0000L, 640 * MiB)
    GsiAllocator gsis = GsiAllocator.x86_64()

    def "committed allocations stay"() {
        when:
        AddressRange bar
        List<Integer> vectors
        try (def tx = new ResourceTransaction()) {
            bar = tx.allocate(mmio, 16 * MiB, 16 * MiB)
            vectors = tx.allocateMsiGsis(gsis, 2)
            tx.allocateLegacyIrq(gsis)
            tx.commit()
        }

        then:
        mmio.allocations() == [bar]
        gsis.allocatedMsiGsis() == vectors
        gsis.allocatedLegacyIrqs() == [5]
    }

    def "closing without commit undoes every allocator's share"() {
        given:
        def earlier = mmio.allocate(4 * KiB, 4 * KiB)
        gsis.allocateMsiGsi()

        when:
        try (def tx = new ResourceTransaction()) {
            tx.allocate(mmio, 16 * MiB, 16 * MiB)
            tx.allocateAt(mmio, 0xD000_0000L, 1 * MiB)
            tx.allocateMsiGsi(gsis)
            tx.allocateMsiGsis(gsis, 3)
            tx.allocateLegacyIrq(gsis)
            tx.allocate(mmio, 1 * GiB, 4 * KiB)
        }

        then: "the 1 GiB request fails and everything before it is undone"
        thrown(AllocationException.Exhausted)
        mmio.allocations() == [earlier]
        gsis.allocatedMsiGsis() == [24]
        gsis.allocatedLegacyIrqs().isEmpty()
    }

    def "rollback runs the undo steps newest first"() {
        given:
        def order = []
        def tx = new ResourceTransaction()
        tx.onRollback { order << "first" }
        tx.onRollback { order << "second" }
        tx.onRollback { order << "third" }

        when:
        tx.rollback()

        then:
        order == ["third", "second", "first"]
        !tx.isOpen()
    }

    def "a failing undo step does not stop the others"() {
        given:
        def tx = new ResourceTransaction()
        def range = tx.allocate(mmio, 1 * MiB, 1 * MiB)
        tx.onRollback { throw new IllegalStateException("first failure") }
        tx.onRollback { throw new IllegalArgumentException("second failure") }

        when:
        tx.rollback()

        then:
        def e = thrown(IllegalArgumentException)
        e.message == "second failure"
        e.suppressed*.message == ["first failure"]
        !mmio.isAllocated(range)
    }

    def "a finished transaction cannot be used again"() {
        given:
        def tx = new ResourceTransaction()
        finish(tx)

        when:
        tx.allocate(mmio, 4 * KiB, 4 * KiB)

        then:
        def e = thrown(IllegalStateException)
        e.message == "transaction already $state"
        mmio.allocations().isEmpty()

        where:
        state         | finish
        "committed"   | ({ ResourceTransaction t -> t.commit() })
        "rolled back" | ({ ResourceTransaction t -> t.rollback() })
    }

    def "close after commit or rollback does nothing"() {
        given:
        def tx = new ResourceTransaction()
        def range = tx.allocate(mmio, 4 * KiB, 4 * KiB)
        tx.commit()

        when:
        tx.close()

        then:
        mmio.allocations() == [range]
        tx.pendingCount() == 0
    }
}
