package dev.rig.kvm.devices;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PvPanicTest {
    private final AtomicInteger panics = new AtomicInteger();
    private final PvPanic device = new PvPanic(panics::incrementAndGet);

    @Test
    void readingThePortTellsTheDriverWhichEventsItMayWrite() {
        // Linux's pvpanic driver masks its events with this byte: PANICKED and CRASH_LOADED, not SHUTDOWN.
        assertEquals(0b011, device.read(0, 1));
    }

    @Test
    void onlyAPanickedEventEndsTheRun() {
        device.write(0, 1, PvPanic.CRASH_LOADED);   // a kdump kernel runs next: the guest goes on
        device.write(0, 1, 0);
        assertEquals(0, panics.get());
        device.write(0, 1, PvPanic.PANICKED);
        assertEquals(1, panics.get());
        device.write(0, 1, PvPanic.PANICKED | PvPanic.CRASH_LOADED);
        assertEquals(2, panics.get());
    }
}
