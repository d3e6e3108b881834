package dev.rig.engine.spi;

/** A VM realized on the host. {@link #close()} releases every fd, mapping and thread, whatever happened. */
public interface Machine extends AutoCloseable {
    /** Starts the vCPUs and returns; the guest runs until it ends the run, fails, or is stopped. */
    void start();

    /** Waits until the run has ended and every vCPU thread has finished. */
    RunOutcome awaitOutcome();

    /** Starts and waits. */
    default RunOutcome run() {
        start();
        return awaitOutcome();
    }

    /** The guest's first serial port (COM1 / ttyS0). */
    SerialPort serial();

    /** Asks a running VM to stop; safe from any thread (signal handlers, hooks), returns at once. */
    void requestStop();

    @Override
    void close();
}
