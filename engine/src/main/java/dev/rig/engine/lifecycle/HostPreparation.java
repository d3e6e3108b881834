package dev.rig.engine.lifecycle;

import dev.rig.engine.spi.VmPlan;

/**
 * The host-prepared step's work: make the host ready for a planned VM (bind managed devices to vfio-pci) and
 * return what undoes it. The session closes the result after the machine is closed (VFIO fds must be released
 * before a device can leave vfio-pci), on every path.
 */
@FunctionalInterface
public interface HostPreparation {
    /** Leaves the host as it is. */
    HostPreparation NONE = plan -> () -> { };

    Prepared prepare(VmPlan plan);

    /** What a preparation took; closing gives it back. */
    interface Prepared extends AutoCloseable {
        @Override
        void close();
    }
}
