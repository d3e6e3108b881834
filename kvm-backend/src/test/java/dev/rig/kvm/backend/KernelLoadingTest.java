package dev.rig.kvm.backend;

import dev.rig.engine.alloc.GuestMemoryLayout;
import dev.rig.kvm.boot.E820Entry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelLoadingTest {
    @Test
    void e820IsThePlansRamLessTheLegacyHolePlusItsReservedAreas() {
        List<E820Entry> e820 = KernelLoading.e820(GuestMemoryLayout.x86_64(4L << 30));
        List<E820Entry> ram = e820.stream().filter(e -> e.type() == E820Entry.RAM).toList();
        assertEquals(List.of(new E820Entry(0, 0x9fc00, E820Entry.RAM),
                new E820Entry(0x10_0000, 0xC000_0000L - 0x10_0000, E820Entry.RAM),
                new E820Entry(1L << 32, 1L << 30, E820Entry.RAM)), ram);
        assertTrue(e820.contains(new E820Entry(GuestMemoryLayout.ECAM_START, 256L << 20, E820Entry.RESERVED)),
                "ECAM reserved, so Linux trusts MMCONFIG: " + e820);
        assertTrue(e820.stream().noneMatch(e -> e.address() == GuestMemoryLayout.MMIO32_START), "apertures are not memory");
    }
}
