package dev.rig.kvm.boot;

/** A kernel or initrd Rig cannot boot: names the file and the check that failed. */
public final class BootImageException extends RuntimeException {
    public BootImageException(String message) { super(message); }
}
