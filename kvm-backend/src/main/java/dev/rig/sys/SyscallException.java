package dev.rig.sys;

/**
 * A failed system call: names the operation (e.g. "ioctl KVM_CREATE_VM"), what it acted on, and errno.
 * Callers that can say what the user should check wrap it with a hint.
 */
public class SyscallException extends RuntimeException {
    private final String operation;
    private final int errno;

    public SyscallException(String operation, String target, int errno) {
        this(operation, target, errno, null);
    }

    public SyscallException(String operation, String target, int errno, String hint) {
        super(operation + (target == null ? "" : " on " + target) + " failed: " + Errno.name(errno)
                + " (" + Libc.strerror(errno) + ")" + (hint == null ? "" : ". " + hint));
        this.operation = operation;
        this.errno = errno;
    }

    public String operation() { return operation; }

    public int errno() { return errno; }

    public String errnoName() { return Errno.name(errno); }
}
