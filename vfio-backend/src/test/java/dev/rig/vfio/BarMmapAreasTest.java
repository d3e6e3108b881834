package dev.rig.vfio;

import dev.rig.vfio.pci.MsixLayout;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BarMmapAreasTest {
    private static final int RW_MMAP = 7;
    private static final MsixLayout GPU_MSIX = new MsixLayout(6, 0, 0xb90000, 0, 0xba0000);

    private static VfioRegionInfo.Area area(long offset, long size) { return new VfioRegionInfo.Area(offset, size); }

    @Test
    void msixMappableBarStillHasTheTableAndPbaPagesTrapped() {
        VfioRegionInfo bar0 = new VfioRegionInfo(0, RW_MMAP, 16 << 20, 0, null, null, true);
        assertEquals(List.of(area(0, 0xb90000), area(0xb91000, 0xf000), area(0xba1000, (16 << 20) - 0xba1000)),
                BarMmapAreas.of(bar0, 0, Optional.of(GPU_MSIX)));
    }

    @Test
    void sparseAreasThatAlreadyLeaveTheTableOutStayAsTheyAre() {
        List<VfioRegionInfo.Area> sparse = List.of(area(0, 0xb90000), area(0xb91000, 0xf000),
                area(0xba1000, (16 << 20) - 0xba1000));
        VfioRegionInfo bar0 = new VfioRegionInfo(0, RW_MMAP, 16 << 20, 0, sparse, null, false);
        assertEquals(sparse, BarMmapAreas.of(bar0, 0, Optional.of(GPU_MSIX)));
    }

    @Test
    void tableAndPbaSharingOnePageLeaveOneHole() {
        VfioRegionInfo bar = new VfioRegionInfo(2, RW_MMAP, 0x4000, 0, null, null, true);
        MsixLayout m = new MsixLayout(8, 2, 0x2000, 2, 0x2800);
        assertEquals(List.of(area(0, 0x2000), area(0x3000, 0x1000)), BarMmapAreas.of(bar, 2, Optional.of(m)));
    }

    @Test
    void otherBarsAndDevicesWithoutMsixMapWhole() {
        VfioRegionInfo bar1 = new VfioRegionInfo(1, RW_MMAP, 256L << 20, 0, null, null, false);
        assertEquals(List.of(area(0, 256L << 20)), BarMmapAreas.of(bar1, 1, Optional.of(GPU_MSIX)));
        assertEquals(List.of(area(0, 256L << 20)), BarMmapAreas.of(bar1, 1, Optional.empty()));
        VfioRegionInfo io = new VfioRegionInfo(5, 3, 128, 0, null, null, false);
        assertEquals(List.of(), BarMmapAreas.of(io, 5, Optional.empty()), "not mmap-able: all trapped");
    }
}
