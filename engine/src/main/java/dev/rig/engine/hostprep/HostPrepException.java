package dev.rig.engine.hostprep;

import java.util.List;

/**
 * Rig refused to change the host, or the kernel refused a change. The message says what and how to fix it; one
 * line per problem when several devices are at fault.
 */
public class HostPrepException extends RuntimeException {

    public HostPrepException(String message) {
        super(message);
    }

    public HostPrepException(String message, Throwable cause) {
        super(message, cause);
    }

    /** One exception whose message has one line per problem. */
    public static HostPrepException of(List<String> problems) {
        return new HostPrepException(String.join("\n", problems));
    }
}
