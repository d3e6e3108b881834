package dev.rig.kvm.guest;

/**
 * A guest program Rig generates itself (no kernel download needed): 64-bit code loaded at {@link #LOAD_ADDRESS}.
 * The boot vCPU starts at the load address, the others at apEntry, where they halt.
 */
public record BuiltinGuest(String name, String description, byte[] image, int apEntryOffset) {
    public static final long LOAD_ADDRESS = 0x10_0000;
    /** Stack top for the boot vCPU: below the image, above the boot tables. */
    public static final long STACK_TOP = 0x8_0000;
    /** RAM the program needs: its image at 1 MiB plus room. */
    public static final long MIN_MEMORY = 2L << 20;
}
