package dev.rig.engine.spi;

import dev.rig.engine.model.Boot;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.validate.Problem;

import java.util.List;

/**
 * A backend that runs VMs (the KVM backend, found with ServiceLoader). The query methods must not touch the
 * host: validation calls them before anything is opened.
 */
public interface Hypervisor {
    String name();

    /** Names of the guests this backend generates itself. */
    List<String> builtinGuests();

    /** The least guest RAM the given boot can work with. */
    long minimumMemory(Boot boot);

    /** What this backend cannot realize yet in a VM that is otherwise valid (plans still show it). */
    List<Problem> unsupported(VmSpec vm);

    /** Opens what the VM needs on the host and builds it, ready to start; on failure nothing stays open. */
    Machine create(VmPlan plan);
}
