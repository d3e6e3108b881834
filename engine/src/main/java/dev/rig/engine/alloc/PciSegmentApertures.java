package dev.rig.engine.alloc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Splits the 32-bit and 64-bit PCI device space between PCI segments in proportion to per-segment
 * weights, the way Cloud Hypervisor's {@code mmio32_aperture_weight} and
 * {@code mmio64_aperture_weight} do.
 *
 * <p>The area is cut into {@code totalWeight} equal units, each a multiple of the alignment, and
 * segment {@code i} takes {@code weight(i)} consecutive units. Whatever does not make a whole
 * unit at the top of the area stays unused. Alignments:
 * <ul>
 *   <li>32-bit: 1 MiB ({@link #MMIO32_ALIGNMENT}), the granularity of PCI bridge memory windows,
 *       so a segment's aperture could later sit behind a bridge unchanged. Cloud Hypervisor uses
 *       4 KiB; with 640 MiB of 32-bit space the difference is at most 1 MiB per unit of weight.</li>
 *   <li>64-bit: 4 GiB ({@link #MMIO64_ALIGNMENT}), as in Cloud Hypervisor.</li>
 * </ul>
 * With weights 2 and 1, segment 0 gets two units and segment 1 one, that is two thirds and one
 * third of the space (less the rounding).
 */
public final class PciSegmentApertures {
    public static final long MMIO32_ALIGNMENT = Sizes.MiB;
    public static final long MMIO64_ALIGNMENT = GuestMemoryLayout.MMIO64_ALIGNMENT;

    private final List<SegmentAperture> segments;

    private PciSegmentApertures(List<SegmentAperture> segments) {
        this.segments = List.copyOf(segments);
    }

    /** {@code numSegments} segments of weight 1 each. */
    public static PciSegmentApertures split(GuestMemoryLayout layout, int numSegments) {
        checkSegmentCount(numSegments);
        List<Integer> ones = Collections.nCopies(numSegments, 1);
        return split(layout, ones, ones);
    }

    /**
     * One segment per weight; both lists must have the same length (the number of segments).
     *
     * @throws AllocationException.InvalidWeight if a weight is below 1
     * @throws AllocationException.InvalidRequest if the lists differ in length or a share would be empty
     */
    public static PciSegmentApertures split(GuestMemoryLayout layout, List<Integer> mmio32Weights,
                                            List<Integer> mmio64Weights) {
        if (mmio32Weights == null || mmio64Weights == null || mmio32Weights.size() != mmio64Weights.size()) {
            throw new AllocationException.InvalidRequest("PCI segment apertures",
                    "need one mmio32 and one mmio64 weight per segment, got %s and %s"
                            .formatted(mmio32Weights, mmio64Weights));
        }
        checkSegmentCount(mmio32Weights.size());
        List<AddressRange> low = splitByWeight("mmio32", layout.mmio32(), mmio32Weights, MMIO32_ALIGNMENT);
        List<AddressRange> high = splitByWeight("mmio64", layout.mmio64(), mmio64Weights, MMIO64_ALIGNMENT);
        List<SegmentAperture> segments = new ArrayList<>();
        for (int i = 0; i < low.size(); i++) {
            segments.add(new SegmentAperture(i, low.get(i), high.get(i), layout.ecamForSegment(i)));
        }
        return new PciSegmentApertures(segments);
    }

    /** Apertures given outright, for tests and for layouts restored from a snapshot. Segment i must be at index i. */
    public static PciSegmentApertures of(List<SegmentAperture> segments) {
        checkSegmentCount(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).segment() != i) {
                throw new AllocationException.InvalidRequest("PCI segment apertures",
                        "segment at index %d is numbered %d".formatted(i, segments.get(i).segment()));
            }
        }
        return new PciSegmentApertures(segments);
    }

    /**
     * Splits {@code area} into consecutive pieces proportional to {@code weights}, each starting on
     * an {@code alignment} boundary and a multiple of it in size.
     *
     * @param label "mmio32" or "mmio64", used in errors
     */
    public static List<AddressRange> splitByWeight(String label, AddressRange area, List<Integer> weights,
                                                   long alignment) {
        if (!Sizes.isPowerOfTwo(alignment)) {
            throw new AllocationException.InvalidRequest(label + " split",
                    "alignment must be a power of two, got " + alignment);
        }
        long total = 0;
        for (int i = 0; i < weights.size(); i++) {
            Integer w = weights.get(i);
            if (w == null || w < 1) {
                throw new AllocationException.InvalidWeight(i, label, w == null ? 0 : w);
            }
            total += w;
        }
        long start = Sizes.alignUp(area.start(), alignment);
        long usable = start < 0 || start > area.end() ? 0 : area.endExclusive() - start;
        long unit = Sizes.alignDown(usable / total, alignment);
        if (unit == 0) {
            throw new AllocationException.InvalidRequest(label + " split",
                    "%s is too small to give a total weight of %d a %s-aligned share each; lower the weights"
                            .formatted(area, total, Sizes.format(alignment)));
        }
        List<AddressRange> pieces = new ArrayList<>(weights.size());
        long cursor = start;
        for (int w : weights) {
            pieces.add(new AddressRange(cursor, unit * w));
            cursor += unit * w;
        }
        return List.copyOf(pieces);
    }

    public int segmentCount() {
        return segments.size();
    }

    public SegmentAperture segment(int segment) {
        if (segment < 0 || segment >= segments.size()) {
            throw new AllocationException.InvalidRequest("PCI segment apertures",
                    "there is no PCI segment %d; segments are 0 to %d".formatted(segment, segments.size() - 1));
        }
        return segments.get(segment);
    }

    public List<SegmentAperture> segments() {
        return segments;
    }

    /** One line per segment, for {@code rig plan}. */
    public String describe() {
        return segments.stream().map(SegmentAperture::toString).collect(Collectors.joining(System.lineSeparator()))
                + System.lineSeparator();
    }

    private static void checkSegmentCount(int count) {
        if (count < 1 || count > GuestMemoryLayout.MAX_PCI_SEGMENTS) {
            throw new AllocationException.InvalidRequest("PCI segment apertures",
                    "number of PCI segments must be 1 to %d, got %d".formatted(GuestMemoryLayout.MAX_PCI_SEGMENTS, count));
        }
    }
}
