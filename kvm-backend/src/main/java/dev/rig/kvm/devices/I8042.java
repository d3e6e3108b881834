package dev.rig.kvm.devices;

/**
 * The PC keyboard controller, as far as a headless guest uses it: an empty status at 0x64 (no keyboard, nothing
 * to read) and the CPU reset command (0xFE to 0x64), one of the ways Linux reboots (reboot=k, and its fallback).
 */
public final class I8042 implements BusDevice {
    public static final int BASE = 0x60, PORTS = 5;  // 0x60 data .. 0x64 command/status
    private static final int COMMAND = 4, RESET_CPU = 0xfe;

    private final Runnable onReset;

    public I8042(Runnable onReset) { this.onReset = onReset; }

    @Override
    public long read(long offset, int size) { return 0; }

    @Override
    public void write(long offset, int size, long value) {
        if (offset == COMMAND && (value & 0xff) == RESET_CPU) onReset.run();
    }
}
