package dev.rig.kvm.boot;

/** One entry of the BIOS memory map Linux reads from boot_params. */
public record E820Entry(long address, long size, int type) {
    public static final int RAM = 1, RESERVED = 2, ACPI = 3;
}
