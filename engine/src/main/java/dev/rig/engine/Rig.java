package dev.rig.engine;

import dev.rig.engine.alloc.GuestMemoryLayout;
import dev.rig.engine.model.VmBuilder;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.spi.Hypervisor;
import dev.rig.engine.spi.Machine;
import dev.rig.engine.spi.RunOutcome;
import dev.rig.engine.spi.VmPlan;
import dev.rig.engine.validate.Problem;
import dev.rig.engine.validate.ValidationException;
import dev.rig.engine.validate.VmValidator;

import java.util.List;
import java.util.ServiceLoader;

/**
 * The entry point of the Java API (and so of JShell sessions):
 * {@code Rig.run(Rig.vm("hello").cpus(1).memory("64M").build())}. Validates completely, plans, then hands the
 * plan to the backend; nothing on the host is touched before validation has passed.
 */
public final class Rig {
    private final Hypervisor hypervisor;

    public Rig(Hypervisor hypervisor) { this.hypervisor = hypervisor; }

    /** A Rig over the backend found on the class path. */
    public static Rig withDefaultBackend() {
        return new Rig(ServiceLoader.load(Hypervisor.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no Rig backend on the class path (rig-kvm-backend)")));
    }

    public static VmBuilder vm(String name) { return new VmBuilder(name); }

    public Hypervisor hypervisor() { return hypervisor; }

    public List<Problem> validate(VmSpec vm) { return new VmValidator(hypervisor).validate(vm); }

    /** Validates, then allocates; throws with every problem at once. */
    public VmPlan plan(VmSpec vm) {
        List<Problem> problems = validate(vm);
        if (!problems.isEmpty()) throw new ValidationException(problems);
        GuestMemoryLayout layout = GuestMemoryLayout.x86_64(vm.memory().bytes());
        return new VmPlan(vm, layout.ram().stream().map(r -> new VmPlan.RamRange(r.start(), r.size())).toList());
    }

    /** Plans, realizes and runs a VM to its end; the machine is closed whatever happens. */
    public RunOutcome run(VmSpec vm) {
        VmPlan plan = plan(vm);
        try (Machine machine = hypervisor.create(plan)) {
            return machine.run();
        }
    }
}
