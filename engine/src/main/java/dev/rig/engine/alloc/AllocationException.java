package dev.rig.engine.alloc;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every failure of the allocators in this package. The hierarchy is sealed so that callers (the
 * DSL, {@code rig plan}) can switch over the cases exhaustively and map each to the config line
 * that caused it; every message is meant to be shown to a user as is.
 */
public abstract sealed class AllocationException extends RuntimeException
        permits AllocationException.Exhausted,
                AllocationException.Overlap,
                AllocationException.OutOfRange,
                AllocationException.InvalidRequest,
                AllocationException.InvalidWeight,
                AllocationException.NotAllocated,
                AllocationException.GsiExhausted,
                AllocationException.BarsDoNotFit {

    private AllocationException(String message) {
        super(message);
    }

    /** No free block of a region can hold a request of this size at this alignment. */
    public static final class Exhausted extends AllocationException {
        private final String regionName;
        private final AddressRange region;
        private final long requestedSize;
        private final long alignment;
        private final long freeBytes;
        private final long largestFreeBlock;

        Exhausted(String regionName, AddressRange region, long requestedSize, long alignment,
                  long freeBytes, long largestFreeBlock) {
            super("%s %s has no room for %s aligned to %s: %s free in total, largest free block %s"
                    .formatted(regionName, region, Sizes.format(requestedSize), Sizes.format(alignment),
                            Sizes.format(freeBytes), Sizes.format(largestFreeBlock)));
            this.regionName = regionName;
            this.region = region;
            this.requestedSize = requestedSize;
            this.alignment = alignment;
            this.freeBytes = freeBytes;
            this.largestFreeBlock = largestFreeBlock;
        }

        public String regionName() { return regionName; }
        public AddressRange region() { return region; }
        public long requestedSize() { return requestedSize; }
        public long alignment() { return alignment; }
        public long freeBytes() { return freeBytes; }
        /** Largest free block regardless of alignment; it can exceed the request when alignment is what fails. */
        public long largestFreeBlock() { return largestFreeBlock; }
    }

    /** A fixed-address request collides with a range that is already allocated. */
    public static final class Overlap extends AllocationException {
        private final String regionName;
        private final AddressRange requested;
        private final AddressRange existing;

        Overlap(String regionName, AddressRange requested, AddressRange existing) {
            super("%s: %s overlaps %s, which is already allocated".formatted(regionName, requested, existing));
            this.regionName = regionName;
            this.requested = requested;
            this.existing = existing;
        }

        public String regionName() { return regionName; }
        public AddressRange requested() { return requested; }
        /** The first allocated range the request collides with. */
        public AddressRange existing() { return existing; }
    }

    /** A fixed-address request does not lie entirely inside the allocator's region. */
    public static final class OutOfRange extends AllocationException {
        private final String regionName;
        private final AddressRange region;
        private final long address;
        private final long size;

        OutOfRange(String regionName, AddressRange region, long address, long size) {
            super("%s: %s at %s does not lie inside %s".formatted(
                    regionName, Sizes.format(size), Sizes.hex(address), region));
            this.regionName = regionName;
            this.region = region;
            this.address = address;
            this.size = size;
        }

        public String regionName() { return regionName; }
        public AddressRange region() { return region; }
        public long address() { return address; }
        public long size() { return size; }
    }

    /** The request itself is malformed: zero size, an alignment that is not a power of two, and so on. */
    public static final class InvalidRequest extends AllocationException {
        private final String subject;
        private final String reason;

        InvalidRequest(String subject, String reason) {
            super(subject + ": " + reason);
            this.subject = subject;
            this.reason = reason;
        }

        /** What was asked of (an allocator or layout name). */
        public String subject() { return subject; }
        public String reason() { return reason; }
    }

    /** A PCI segment aperture weight below 1. */
    public static final class InvalidWeight extends AllocationException {
        private final int segment;
        private final String aperture;
        private final long weight;

        InvalidWeight(int segment, String aperture, long weight) {
            super("PCI segment %d: %s weight must be at least 1, got %d (`pciSegment %d, %sWeight: N`)"
                    .formatted(segment, aperture, weight, segment, aperture));
            this.segment = segment;
            this.aperture = aperture;
            this.weight = weight;
        }

        public int segment() { return segment; }
        /** "mmio32" or "mmio64". */
        public String aperture() { return aperture; }
        public long weight() { return weight; }
    }

    /** Freeing something that this allocator did not hand out (or already took back). */
    public static final class NotAllocated extends AllocationException {
        private final String regionName;
        private final String resource;

        NotAllocated(String regionName, String resource) {
            super("%s: cannot free %s, it is not allocated".formatted(regionName, resource));
            this.regionName = regionName;
            this.resource = resource;
        }

        public String regionName() { return regionName; }
        public String resource() { return resource; }
    }

    /** No interrupt line or GSI left in a pool. */
    public static final class GsiExhausted extends AllocationException {
        private final GsiAllocator.Kind kind;
        private final int first;
        private final int last;
        private final int requested;
        private final int available;

        GsiExhausted(GsiAllocator.Kind kind, int first, int last, int requested, int available) {
            super("out of %ss: asked for %d, %d left of %d..%d".formatted(
                    kind.description(), requested, available, first, last));
            this.kind = kind;
            this.first = first;
            this.last = last;
            this.requested = requested;
            this.available = available;
        }

        public GsiAllocator.Kind kind() { return kind; }
        public int first() { return first; }
        public int last() { return last; }
        public int requested() { return requested; }
        public int available() { return available; }
    }

    /**
     * One or more BARs of a {@link BarPlacer#place} call did not fit. Nothing of that call stays
     * allocated; {@link #usage()} shows the apertures as they were with every BAR that did fit placed.
     */
    public static final class BarsDoNotFit extends AllocationException {
        private final List<Unplaced> unplaced;
        private final List<ApertureUsage> usage;
        private final int requestedCount;
        private final List<String> advice;

        /** A BAR that found no room, and the aperture it was meant for. */
        public record Unplaced(BarRequest bar, String aperture) {
            @Override
            public String toString() {
                return "%s BAR %d (%s, %s) in %s".formatted(bar.deviceId(), bar.barIndex(),
                        Sizes.format(bar.size()), bar.is64Bit() ? "64-bit" : "32-bit", aperture);
            }
        }

        BarsDoNotFit(List<Unplaced> unplaced, List<ApertureUsage> usage, int requestedCount, List<String> advice) {
            super(message(unplaced, usage, requestedCount, advice));
            this.unplaced = List.copyOf(unplaced);
            this.usage = List.copyOf(usage);
            this.requestedCount = requestedCount;
            this.advice = List.copyOf(advice);
        }

        public List<Unplaced> unplaced() { return unplaced; }
        /** The apertures the unplaced BARs were meant for, with every BAR that did fit still placed. */
        public List<ApertureUsage> usage() { return usage; }
        public int requestedCount() { return requestedCount; }
        /** What the user can change, one sentence per kind of aperture that ran out. */
        public List<String> advice() { return advice; }

        private static String message(List<Unplaced> unplaced, List<ApertureUsage> usage, int requested,
                                      List<String> advice) {
            String nl = System.lineSeparator();
            return "%d of %d BARs do not fit, so none were placed:".formatted(unplaced.size(), requested) + nl
                    + unplaced.stream().map(u -> "  - " + u + nl).collect(Collectors.joining())
                    + "with every BAR that fits placed, the apertures stand at:" + nl
                    + usage.stream().map(u -> "  - " + u + nl).collect(Collectors.joining())
                    + String.join(nl, advice);
        }
    }
}
