package dev.rig.vfio;

import dev.rig.sys.SyscallException;

/**
 * A VFIO operation failed. The message names the device or group, the call and errno (when a call failed), and what
 * to check; {@link #errno()} is 0 when no system call was involved (e.g. a non-viable group).
 */
public class VfioException extends RuntimeException {
    private final int errno;

    public VfioException(String message) {
        super(message);
        this.errno = 0;
    }

    /** "{who}: {the call's own message}. {hint}" */
    public VfioException(String who, SyscallException cause, String hint) {
        super(who + ": " + cause.getMessage() + (hint == null || hint.isEmpty() ? "" : ". " + hint), cause);
        this.errno = cause.errno();
    }

    public VfioException(String message, SyscallException cause) {
        super(message, cause);
        this.errno = cause.errno();
    }

    public int errno() { return errno; }
}
