package dev.rig.kvm.devices;

/** A device registration that would overlap one already on the bus. */
public final class BusConflictException extends RuntimeException {
    public BusConflictException(String message) { super(message); }
}
