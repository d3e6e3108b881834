package dev.rig.kvm.virtio;

/** The driver broke a ring invariant the device cannot skip past; the device must be marked NEEDS_RESET. */
public final class VirtqueueException extends Exception {
    public VirtqueueException(String message) { super(message); }
}
