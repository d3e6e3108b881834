package dev.rig.engine.alloc;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/**
 * Hands out interrupt numbers from two pools: legacy IRQ lines (IOAPIC pins, used for PCI INTx and
 * legacy devices) and MSI GSIs (KVM irq routes, one per MSI/MSI-X vector).
 *
 * <p>The x86-64 defaults follow Firecracker and Cloud Hypervisor: the IOAPIC has 24 pins; pins
 * 0-4 are fixed by the PC platform (0 PIT timer, 1 i8042 keyboard, 2 PIC cascade, 3 COM2,
 * 4 COM1), so lines 5-23 are handed out. MSI GSIs start right after the IOAPIC pins, at 24, and
 * end at 4095 because KVM_MAX_IRQ_ROUTES is 4096. Extra lines can be held back from the legacy
 * pool (for example 8 for an RTC); a guest that only has the 8259 PIC should use lines 5-15.
 *
 * <p>Each pool always hands out its lowest free number, so freeing what was allocated restores
 * the allocator exactly. Lines are exclusive here; sharing one INTx line among several devices is
 * a policy for the caller to apply on top.
 */
public final class GsiAllocator {
    public static final int X86_LEGACY_IRQ_FIRST = 5;
    public static final int X86_LEGACY_IRQ_LAST = 23;
    public static final int X86_MSI_GSI_FIRST = 24;
    public static final int X86_MSI_GSI_LAST = 4095;

    /** The two pools. */
    public enum Kind {
        LEGACY_IRQ("legacy IRQ line"),
        MSI("MSI GSI");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private final Pool legacy;
    private final Pool msi;

    /** The x86-64 layout described in the class comment: lines 5-23, GSIs 24-4095. */
    public static GsiAllocator x86_64() {
        return new GsiAllocator(X86_LEGACY_IRQ_FIRST, X86_LEGACY_IRQ_LAST, List.of(),
                X86_MSI_GSI_FIRST, X86_MSI_GSI_LAST);
    }

    /**
     * @param heldBackLegacy lines inside {@code legacyFirst..legacyLast} that are never handed out
     */
    public GsiAllocator(int legacyFirst, int legacyLast, Collection<Integer> heldBackLegacy,
                        int msiFirst, int msiLast) {
        if (legacyFirst < 0 || legacyLast < legacyFirst || msiFirst < 0 || msiLast < msiFirst) {
            throw new AllocationException.InvalidRequest("GSI allocator",
                    "ranges must be non-empty and non-negative, got legacy %d..%d, MSI %d..%d"
                            .formatted(legacyFirst, legacyLast, msiFirst, msiLast));
        }
        if (legacyFirst <= msiLast && msiFirst <= legacyLast) {
            throw new AllocationException.InvalidRequest("GSI allocator",
                    "legacy lines %d..%d overlap MSI GSIs %d..%d"
                            .formatted(legacyFirst, legacyLast, msiFirst, msiLast));
        }
        this.legacy = new Pool(Kind.LEGACY_IRQ, legacyFirst, legacyLast);
        this.msi = new Pool(Kind.MSI, msiFirst, msiLast);
        for (int line : heldBackLegacy) {
            if (line < legacyFirst || line > legacyLast) {
                throw new AllocationException.InvalidRequest("GSI allocator",
                        "held-back line %d is outside %d..%d".formatted(line, legacyFirst, legacyLast));
            }
            legacy.heldBack.set(line - legacyFirst);
        }
    }

    public synchronized int allocateLegacyIrq() {
        return legacy.allocate(1).getFirst();
    }

    /** Claims one specific line, for a device whose line is fixed. */
    public synchronized int claimLegacyIrq(int line) {
        return legacy.claim(line);
    }

    public synchronized int allocateMsiGsi() {
        return msi.allocate(1).getFirst();
    }

    /** Allocates {@code count} GSIs (one per MSI-X vector), all or none. */
    public synchronized List<Integer> allocateMsiGsis(int count) {
        return msi.allocate(count);
    }

    public synchronized void freeLegacyIrq(int line) {
        legacy.free(line);
    }

    public synchronized void freeMsiGsi(int gsi) {
        msi.free(gsi);
    }

    public synchronized int availableLegacyIrqs() {
        return legacy.available();
    }

    public synchronized int availableMsiGsis() {
        return msi.available();
    }

    /** Allocated legacy lines in ascending order. */
    public synchronized List<Integer> allocatedLegacyIrqs() {
        return legacy.allocated();
    }

    /** Allocated MSI GSIs in ascending order. */
    public synchronized List<Integer> allocatedMsiGsis() {
        return msi.allocated();
    }

    /** One contiguous pool of numbers; bit i stands for number first + i. */
    private static final class Pool {
        final Kind kind;
        final int first;
        final int last;
        final BitSet used = new BitSet();
        final BitSet heldBack = new BitSet();

        Pool(Kind kind, int first, int last) {
            this.kind = kind;
            this.first = first;
            this.last = last;
        }

        int capacity() {
            return last - first + 1;
        }

        int available() {
            BitSet taken = (BitSet) used.clone();
            taken.or(heldBack);
            return capacity() - taken.cardinality();
        }

        List<Integer> allocate(int count) {
            if (count <= 0) {
                throw new AllocationException.InvalidRequest(kind.description() + " pool",
                        "count must be positive, got " + count);
            }
            int available = available();
            if (count > available) {
                throw new AllocationException.GsiExhausted(kind, first, last, count, available);
            }
            List<Integer> numbers = new ArrayList<>(count);
            int bit = 0;
            while (numbers.size() < count) {
                bit = nextFree(bit);
                used.set(bit);
                numbers.add(first + bit);
                bit++;
            }
            return List.copyOf(numbers);
        }

        int claim(int number) {
            checkInPool(number);
            int bit = number - first;
            if (heldBack.get(bit)) {
                throw new AllocationException.InvalidRequest(kind.description() + " pool",
                        number + " is held back and cannot be claimed");
            }
            if (used.get(bit)) {
                throw new AllocationException.InvalidRequest(kind.description() + " pool",
                        number + " is already allocated");
            }
            used.set(bit);
            return number;
        }

        void free(int number) {
            if (number < first || number > last || !used.get(number - first)) {
                throw new AllocationException.NotAllocated(kind.description() + " pool", kind.description() + " " + number);
            }
            used.clear(number - first);
        }

        List<Integer> allocated() {
            return used.stream().map(bit -> first + bit).boxed().toList();
        }

        private int nextFree(int from) {
            int bit = from;
            while (used.get(bit) || heldBack.get(bit)) {
                bit++;
            }
            return bit;
        }

        private void checkInPool(int number) {
            if (number < first || number > last) {
                throw new AllocationException.InvalidRequest(kind.description() + " pool",
                        "%d is outside %d..%d".formatted(number, first, last));
            }
        }
    }
}
