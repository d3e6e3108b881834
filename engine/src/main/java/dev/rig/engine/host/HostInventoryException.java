package dev.rig.engine.host;

/** Host facts could not be read or do not make sense; the message names the file or field at fault. */
public class HostInventoryException extends RuntimeException {

    public HostInventoryException(String message) {
        super(message);
    }

    public HostInventoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
