package dev.rig.vfio;

import dev.rig.vfio.pci.MsixLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which parts of a BAR region to mmap into the guest and which to trap. The kernel's sparse areas say what may be
 * mapped; on top of that the pages holding the MSI-X table and PBA are always trapped, even when the kernel reports
 * MSI-X mappable, because Rig emulates the table ({@link dev.rig.vfio.pci.MsixTable}) to route vectors through KVM.
 */
public final class BarMmapAreas {
    private static final long PAGE = 4096;

    private BarMmapAreas() {}

    /** Page-aligned areas of the region to mmap, in order; what is left out must be trapped. */
    public static List<VfioRegionInfo.Area> of(VfioRegionInfo region, int barIndex, Optional<MsixLayout> msix) {
        List<long[]> holes = new ArrayList<>();
        msix.ifPresent(m -> {
            if (m.tableBar() == barIndex) holes.add(pages(m.tableOffset(), m.tableBytes()));
            if (m.pbaBar() == barIndex) holes.add(pages(m.pbaOffset(), m.pbaBytes()));
        });
        List<VfioRegionInfo.Area> result = new ArrayList<>();
        for (VfioRegionInfo.Area area : region.mmapAreas()) {
            List<long[]> pieces = new ArrayList<>(List.of(new long[] {alignUp(area.offset()), alignDown(area.end())}));
            for (long[] hole : holes) {
                List<long[]> next = new ArrayList<>();
                for (long[] p : pieces) {
                    if (hole[1] <= p[0] || hole[0] >= p[1]) {
                        next.add(p);
                        continue;
                    }
                    if (hole[0] > p[0]) next.add(new long[] {p[0], hole[0]});
                    if (hole[1] < p[1]) next.add(new long[] {hole[1], p[1]});
                }
                pieces = next;
            }
            for (long[] p : pieces) if (p[1] > p[0]) result.add(new VfioRegionInfo.Area(p[0], p[1] - p[0]));
        }
        result.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        return List.copyOf(result);
    }

    private static long[] pages(long offset, long length) {
        return new long[] {alignDown(offset), alignUp(offset + length)};
    }

    private static long alignDown(long v) { return v & -PAGE; }

    private static long alignUp(long v) { return (v + PAGE - 1) & -PAGE; }
}
