package dev.rig.engine.console;

/** An expectation on the serial console was not met: it timed out, saw a failure pattern, or the guest ended. */
public final class ExpectException extends RuntimeException {
    public ExpectException(String message) { super(message); }
}
