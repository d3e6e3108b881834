package dev.rig.vfio.pci;

import dev.rig.vfio.pci.PciFixtures.Recorder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MsixTableTest {
    private final Recorder events = new Recorder();
    private final MsixTable table = new MsixTable(new MsixLayout(6, 0, 0xb90000, 0, 0xba0000), events);

    @Test
    void entriesStartMaskedAndAMessageTakesEffectAtUnmask() {
        assertTrue(table.masked(2));
        assertEquals(1, table.readTable(2 * 16 + 12, 4));
        table.writeTable(2 * 16, 8, 0x0000_0000_fee0_1000L);
        table.writeTable(2 * 16 + 8, 4, 0x4041);
        assertEquals(List.of(), events.events, "held while masked");
        table.writeTable(2 * 16 + 12, 4, 0);
        assertEquals(List.of("msix vector 2 address 0xfee01000 data 0x4041", "msix mask 2 false"), events.events);
        assertEquals(0xfee01000L, table.readTable(2 * 16, 8));
    }

    @Test
    void aChangeWhileUnmaskedIsReportedAtOnce() {
        table.writeTable(12, 4, 0);
        table.writeTable(8, 4, 0x22);
        assertEquals("msix vector 0 address 0x0 data 0x22", events.events.getLast());
        table.writeTable(8, 8, 0x1_0000_0023L);  // data and vector control together: masks it again
        assertEquals("msix mask 0 true", events.events.getLast());
        assertEquals(0x23, table.message(0).data());
    }

    @Test
    void pendingBitsShowInThePba() {
        table.setPending(5, true);
        assertEquals(1L << 5, table.readPba(0, 8));
        table.setPending(5, false);
        assertEquals(0, table.readPba(0, 4));
    }

    @Test
    void accessesAreFourOrEightBytesAligned() {
        assertThrows(IllegalArgumentException.class, () -> table.readTable(2, 4));
        assertThrows(IllegalArgumentException.class, () -> table.readTable(96, 4));
        assertThrows(IllegalArgumentException.class, () -> table.writeTable(0, 2, 0));
    }
}
