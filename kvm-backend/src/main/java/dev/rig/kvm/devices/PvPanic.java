package dev.rig.kvm.devices;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QEMU's pvpanic ISA device: one I/O port (0x505) that a guest kernel writes when it panics, so the VMM can end
 * the run with a clear status instead of watching the guest hang or reboot. Linux's pvpanic driver (pvpanic-mmio,
 * bound through the ACPI device QEMU0001) reads the port to learn which events the device supports and writes
 * the event bits: PANICKED from its panic notifier, CRASH_LOADED when a kdump kernel takes over (the guest goes
 * on, so that is only logged).
 */
public final class PvPanic implements BusDevice {
    public static final int PORT = 0x505;
    /** Event bits (include/uapi/misc/pvpanic.h). */
    public static final int PANICKED = 1, CRASH_LOADED = 2;
    /** What a read returns: the events this device understands (SHUTDOWN, bit 2, is not offered). */
    public static final int SUPPORTED = PANICKED | CRASH_LOADED;

    private static final Logger log = LoggerFactory.getLogger(PvPanic.class);

    private final Runnable onPanic;

    public PvPanic(Runnable onPanic) { this.onPanic = onPanic; }

    @Override
    public long read(long offset, int size) { return offset == 0 ? SUPPORTED : 0; }

    @Override
    public void write(long offset, int size, long value) {
        if (offset != 0) return;
        if ((value & PANICKED) != 0) onPanic.run();
        else if ((value & CRASH_LOADED) != 0) log.warn("the guest kernel crashed and loaded its crash kernel (pvpanic)");
    }
}
