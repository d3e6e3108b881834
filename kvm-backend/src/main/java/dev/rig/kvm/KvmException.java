package dev.rig.kvm;

/** A KVM problem the user can act on (missing capability, device not accessible, guest failure). */
public class KvmException extends RuntimeException {
    public KvmException(String message) { super(message); }

    public KvmException(String message, Throwable cause) { super(message, cause); }
}
