package dev.rig.engine.model;

import java.util.Optional;

/**
 * Code to run at a lifecycle step: {@code before} the step's work, {@code on} reaching it, {@code after} leaving it.
 * Hooks on FAILED receive the failure through the VM handle.
 */
public record HookSpec(LifecycleStep step, When when, Hook hook, Optional<SourceRef> origin) {
    public enum When { BEFORE, ON, AFTER }

    /** What a hook does; any exception fails the VM, which then tears down. */
    @FunctionalInterface
    public interface Hook {
        void run(VmHandle vm) throws Exception;
    }
}
