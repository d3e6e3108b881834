package dev.rig.kvm.devices;

/**
 * A device on a PIO or MMIO bus. Offsets are relative to where the device was registered; sizes are 1, 2, 4
 * or 8 bytes and values little-endian in the low bits. Called from vCPU threads: implementations synchronize
 * their own state.
 */
public interface BusDevice {
    long read(long offset, int size);

    void write(long offset, int size, long value);
}
