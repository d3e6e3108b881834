package dev.rig.kvm.acpi;

/**
 * The Firmware ACPI Control Structure (ACPI 6.5 §5.2.10): required with a non-hardware-reduced FADT (it
 * holds the global lock and waking vector). 64 bytes, 64-byte aligned, no checksum; all zero but its header.
 */
public final class Facs {
    public static final int LENGTH = 64, ALIGNMENT = 64, VERSION = 2;

    private Facs() {}

    public static byte[] toBytes() {
        return new ByteWriter().ascii("FACS", 4).u32(LENGTH)
                .u32(0).u32(0).u32(0).u32(0)   // hardware signature, waking vector, global lock, flags
                .u64(0).u8(VERSION).zeros(3)   // X_Firmware_Waking_Vector, version, reserved
                .u32(0).zeros(24)              // OSPM flags, reserved
                .toByteArray();
    }
}
