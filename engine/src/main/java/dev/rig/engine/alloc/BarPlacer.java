package dev.rig.engine.alloc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Places PCI memory BARs into their segment's apertures.
 *
 * <p>Each BAR is naturally aligned (alignment = size, at least 4 KiB), as the PCI spec requires
 * of BAR addresses. 32-bit BARs go only into the segment's 32-bit aperture and 64-bit BARs only
 * into its 64-bit aperture. Within one call BARs are placed largest first: with power-of-two sizes
 * and natural alignment that leaves no holes a later, smaller BAR could not use.
 *
 * <p>A call is all or nothing. If any BAR does not fit, the call keeps trying the rest so that
 * the error can name every BAR that does not fit, then frees everything it placed and throws
 * {@link AllocationException.BarsDoNotFit}.
 */
public final class BarPlacer {
    private final PciSegmentApertures apertures;
    private final List<AddressAllocator> mmio32 = new ArrayList<>();
    private final List<AddressAllocator> mmio64 = new ArrayList<>();

    public BarPlacer(PciSegmentApertures apertures) {
        this.apertures = apertures;
        for (SegmentAperture s : apertures.segments()) {
            mmio32.add(new AddressAllocator("segment " + s.segment() + " mmio32", s.mmio32()));
            mmio64.add(new AddressAllocator("segment " + s.segment() + " mmio64", s.mmio64()));
        }
    }

    public PciSegmentApertures apertures() {
        return apertures;
    }

    /** The allocator behind segment {@code segment}'s 32-bit aperture. */
    public AddressAllocator mmio32(int segment) {
        return mmio32.get(apertures.segment(segment).segment());
    }

    /** The allocator behind segment {@code segment}'s 64-bit aperture. */
    public AddressAllocator mmio64(int segment) {
        return mmio64.get(apertures.segment(segment).segment());
    }

    /**
     * Places every BAR or none.
     *
     * @return one placement per request, in request order
     * @throws AllocationException.BarsDoNotFit listing every BAR that did not fit
     * @throws AllocationException.InvalidRequest for an unknown segment or a BAR requested twice
     */
    public List<BarPlacement> place(List<BarRequest> requests) {
        try (ResourceTransaction tx = new ResourceTransaction()) {
            List<BarPlacement> placed = place(requests, tx);
            tx.commit();
            return placed;
        }
    }

    /**
     * Like {@link #place(List)}, but the placements join {@code tx}: rolling {@code tx} back later
     * frees them too. On failure this call's placements are freed at once and {@code tx} keeps
     * whatever it held before.
     */
    public List<BarPlacement> place(List<BarRequest> requests, ResourceTransaction tx) {
        if (!tx.isOpen()) {
            throw new IllegalStateException("cannot place BARs in a finished transaction");
        }
        validate(requests);
        List<BarRequest> largestFirst = new ArrayList<>(requests);
        largestFirst.sort(Comparator.comparingLong(BarRequest::placementSize).reversed()
                .thenComparingInt(BarRequest::segment)
                .thenComparing(BarRequest::deviceId)
                .thenComparingInt(BarRequest::barIndex));

        Map<BarRequest, BarPlacement> placed = new HashMap<>();
        List<AllocationException.BarsDoNotFit.Unplaced> unplaced = new ArrayList<>();
        Map<String, AddressAllocator> full = new LinkedHashMap<>();
        try (ResourceTransaction mine = new ResourceTransaction()) {
            for (BarRequest bar : largestFirst) {
                AddressAllocator target = allocatorFor(bar);
                try {
                    AddressRange range = mine.allocate(target, bar.placementSize(), bar.placementSize());
                    placed.put(bar, new BarPlacement(bar, range));
                } catch (AllocationException.Exhausted e) {
                    unplaced.add(new AllocationException.BarsDoNotFit.Unplaced(bar, target.name()));
                    full.putIfAbsent(target.name(), target);
                }
            }
            if (!unplaced.isEmpty()) {
                // Usage is taken before the rollback that close() performs, so it shows how full
                // the apertures got with every BAR that fits.
                List<ApertureUsage> usage = full.values().stream().map(AddressAllocator::usage).toList();
                throw new AllocationException.BarsDoNotFit(unplaced, usage, requests.size(), advice(unplaced));
            }
            mine.commit();
        }
        List<BarPlacement> result = requests.stream().map(placed::get).toList();
        for (BarPlacement p : result) {
            tx.onRollback(() -> release(p));
        }
        return result;
    }

    /** Frees a placement made by this placer. */
    public void release(BarPlacement placement) {
        allocatorFor(placement.bar()).free(placement.range());
    }

    /** How full each segment's apertures are, segment by segment, 32-bit first. */
    public List<ApertureUsage> usage() {
        List<ApertureUsage> all = new ArrayList<>();
        for (int i = 0; i < mmio32.size(); i++) {
            all.add(mmio32.get(i).usage());
            all.add(mmio64.get(i).usage());
        }
        return all;
    }

    /**
     * What would help, per kind of aperture that ran out. Segments split one fixed 32-bit and one
     * fixed 64-bit area, so more segments or other weights only help when the space is free
     * somewhere else; when even the total free space is too small the advice says so.
     */
    private List<String> advice(List<AllocationException.BarsDoNotFit.Unplaced> unplaced) {
        List<String> advice = new ArrayList<>();
        for (boolean is64 : new boolean[] {false, true}) {
            List<BarRequest> bars = unplaced.stream().map(AllocationException.BarsDoNotFit.Unplaced::bar)
                    .filter(b -> b.is64Bit() == is64).toList();
            if (bars.isEmpty()) {
                continue;
            }
            String kind = is64 ? "64-bit" : "32-bit";
            List<AddressAllocator> all = is64 ? mmio64 : mmio32;
            long total = all.stream().mapToLong(a -> a.region().size()).sum();
            long free = all.stream().mapToLong(AddressAllocator::freeBytes).sum();
            long need = bars.stream().mapToLong(BarRequest::placementSize).sum();
            String weights = bars.stream().map(b -> "`pciSegment %d, %sWeight: N`".formatted(
                    b.segment(), is64 ? "mmio64" : "mmio32")).distinct().collect(Collectors.joining(" or "));
            int segments = apertures.segmentCount();
            if (need > free) {
                String owners = segments == 1 ? "the only PCI segment has" : "all %d PCI segments together have"
                        .formatted(segments);
                advice.add(("%s %s of %s device space, %s of it free, less than the %s these BARs need:"
                        + " only fewer or smaller %s BARs%s will do; more segments (`platform numPciSegments: %d`)"
                        + " or other weights (%s) would only divide the same space")
                        .formatted(owners, Sizes.format(total), kind, Sizes.format(free), Sizes.format(need),
                                kind, is64 ? " or a wider guest physical address width" : "", segments + 1, weights));
            } else if (segments == 1) {
                advice.add(("the only PCI segment has %s of %s device space free, but not in naturally aligned blocks"
                        + " large enough; a second segment (`platform numPciSegments: 2`) would split the same"
                        + " space, so fewer or smaller %s BARs are the way out")
                        .formatted(Sizes.format(free), kind, kind));
            } else {
                advice.add(("the PCI segments together still have %s of %s device space free: give the segment a"
                        + " larger share (%s, raised against the other segments' weights), or move some of these"
                        + " devices to a segment with room, adding one if needed (`platform numPciSegments: %d`)")
                        .formatted(Sizes.format(free), kind, weights, segments + 1));
            }
        }
        return advice;
    }

    private AddressAllocator allocatorFor(BarRequest bar) {
        return bar.is64Bit() ? mmio64(bar.segment()) : mmio32(bar.segment());
    }

    private void validate(List<BarRequest> requests) {
        Set<String> seen = new HashSet<>();
        for (BarRequest bar : requests) {
            if (bar.segment() >= apertures.segmentCount()) {
                throw new AllocationException.InvalidRequest(bar.toString(),
                        "there is no PCI segment %d; this VM has %d (`platform numPciSegments: N`)"
                                .formatted(bar.segment(), apertures.segmentCount()));
            }
            if (!seen.add(bar.deviceId() + "\u0000" + bar.barIndex())) {
                throw new AllocationException.InvalidRequest(bar.toString(), "requested twice in one placement");
            }
        }
    }
}
