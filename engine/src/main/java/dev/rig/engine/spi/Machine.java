package dev.rig.engine.spi;

/** A VM realized on the host. {@link #close()} releases every fd, mapping and thread, whatever happened. */
public interface Machine extends AutoCloseable {
    /** Runs the vCPUs until the guest ends the run, fails, or {@link #requestStop()} is called. */
    RunOutcome run();

    /** Asks a running VM to stop; safe from any thread (signal handlers, hooks), returns at once. */
    void requestStop();

    @Override
    void close();
}
