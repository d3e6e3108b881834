package dev.rig.engine.model;

import dev.rig.engine.console.SerialConsole;

import java.time.Duration;
import java.util.Optional;

/** What hooks (and Java callers) see of a VM while it goes through its lifecycle. */
public interface VmHandle {
    String name();

    VmSpec spec();

    LifecycleStep state();

    /** Asks the VM to stop; returns at once. */
    void stop();

    /** Why the VM failed, once it has. */
    Optional<Throwable> failure();

    /** The guest's serial console (expect, send, output); there is one once the VM is realized. */
    SerialConsole serial();

    /** For Groovy: {@code vm.serial.expect 'login:'}. */
    default SerialConsole getSerial() { return serial(); }

    /**
     * Waits until the VM has reached {@code step} (or ended); true if it did. For other threads: a hook runs on
     * the VM's own lifecycle thread, so waiting there for a later step of the same VM would wait forever.
     */
    boolean awaitStep(LifecycleStep step, Duration timeout) throws InterruptedException;
}
