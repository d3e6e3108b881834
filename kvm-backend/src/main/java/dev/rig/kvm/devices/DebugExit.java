package dev.rig.kvm.devices;

import java.util.function.IntConsumer;

/**
 * The debug-exit port: a guest write ends the run, and the byte written becomes `rig run`'s exit status
 * (like QEMU's isa-debug-exit, without its (value << 1) | 1 encoding).
 */
public final class DebugExit implements BusDevice {
    public static final int PORT = 0x501;

    private final IntConsumer onExit;

    public DebugExit(IntConsumer onExit) { this.onExit = onExit; }

    @Override
    public long read(long offset, int size) { return 0; }

    @Override
    public void write(long offset, int size, long value) { onExit.accept((int) (value & 0xff)); }
}
