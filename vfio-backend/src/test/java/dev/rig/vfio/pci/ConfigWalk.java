package dev.rig.vfio.pci;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Walks a capability list through guest reads only, as a guest kernel does, asserting it is sound. */
final class ConfigWalk {
    private ConfigWalk() {}

    /** The offsets in list order; fails on a loop, a link into the header or a misaligned link. */
    static List<Integer> offsets(VirtualConfigSpace config) {
        List<Integer> offsets = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        int ptr = config.read(PciRegs.CAPABILITY_LIST, 1);
        while (ptr != 0) {
            assertTrue(ptr >= 0x40 && ptr <= 0xfc && ptr % 4 == 0, String.format("bad link 0x%x", ptr));
            assertTrue(seen.add(ptr), String.format("capability at 0x%x reached twice", ptr));
            offsets.add(ptr);
            ptr = config.read(ptr + 1, 1);
        }
        assertEquals(offsets.isEmpty() ? 0 : PciRegs.STATUS_CAP_LIST, config.read(PciRegs.STATUS, 2) & PciRegs.STATUS_CAP_LIST);
        return offsets;
    }
}
