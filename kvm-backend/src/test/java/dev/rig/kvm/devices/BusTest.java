package dev.rig.kvm.devices;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BusTest {
    /** Records what it is sent and answers reads with its tag plus the offset. */
    static final class Probe implements BusDevice {
        final long tag;
        final List<String> writes = new ArrayList<>();

        Probe(long tag) { this.tag = tag; }

        public long read(long offset, int size) { return tag + offset; }

        public void write(long offset, int size, long value) { writes.add(offset + "/" + size + "=" + Long.toHexString(value)); }
    }

    @Test
    void dispatchesEachAddressToTheDeviceThatCoversIt() {
        Bus bus = new Bus("pio");
        Probe a = new Probe(0x100), b = new Probe(0x200);
        bus.register(0x3f8, 8, "com1", a);
        bus.register(0x2f8, 8, "com2", b);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(8);
            assertTrue(bus.read(0x3fd, data, 1));
            assertEquals(0x105 & 0xff, Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, 0)));
            data.set(ValueLayout.JAVA_INT, 0, 0xcafe);
            assertTrue(bus.write(0x2f9, data, 2));
            assertEquals(List.of("1/2=cafe"), b.writes);
            assertTrue(a.writes.isEmpty());
        }
    }

    @Test
    void unclaimedReadsReturnAllOnesAndWritesAreDropped() {
        Bus bus = new Bus("mmio");
        bus.register(0xd000_0000L, 0x1000, "test", new MmioTestDevice());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(8);
            assertFalse(bus.read(0xe000_0000L, data, 4));
            assertEquals(-1, data.get(ValueLayout.JAVA_INT, 0));
            assertFalse(bus.write(0xd000_1000L, data, 4), "one past the end is not the device");
        }
    }

    @Test
    void refusesOverlappingRegistration() {
        Bus bus = new Bus("mmio");
        bus.register(0x1000, 0x1000, "first", new Probe(0));
        BusConflictException e = assertThrows(BusConflictException.class,
                () -> bus.register(0x1800, 0x1000, "second", new Probe(0)));
        assertEquals("mmio: second at 0x1800-0x27ff overlaps first at 0x1000-0x1fff", e.getMessage());
        bus.register(0x2000, 0x1000, "adjacent", new Probe(0));  // touching is fine
        assertEquals(2, bus.mappings().size());
        assertTrue(bus.unregister("first"));
        bus.register(0x1800, 0x800, "second", new Probe(0));
    }

    @Test
    void mmioTestDeviceKeepsTheScratchValueAndIdentifiesItself() {
        MmioTestDevice d = new MmioTestDevice();
        d.write(0, 4, 0x52494721L);
        assertEquals(0x52494721L, d.read(0, 4) & 0xffffffffL);
        assertEquals(MmioTestDevice.IDENT, d.read(8, 8));
        assertEquals(1, d.writes());
    }
}
