package dev.rig.engine.model;

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
}
