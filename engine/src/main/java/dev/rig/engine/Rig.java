package dev.rig.engine;

import dev.rig.engine.model.VmBuilder;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.spi.Hypervisor;
import dev.rig.engine.spi.Machine;
import dev.rig.engine.spi.RunOutcome;
import dev.rig.engine.spi.VmPlan;
import dev.rig.engine.validate.Problem;
import dev.rig.engine.validate.ValidationException;
import dev.rig.engine.validate.VmValidator;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The entry point of the Java API (and so of JShell sessions):
 * {@code Rig.run(Rig.vm("hello").cpus(1).memory("64M").build())}. Validates completely, plans, then hands the
 * plan to the backend; nothing on the host is touched before validation has passed.
 */
public final class Rig {
    /** Guest RAM above this goes above 4 GiB, leaving the 32-bit hole for devices. */
    public static final long LOW_RAM_END = 0xC000_0000L;
    public static final long HIGH_RAM_START = 1L << 32;

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
        return new VmPlan(vm, ramLayout(vm.memory().bytes()));
    }

    /** RAM below the 32-bit device hole first, the rest from 4 GiB up. */
    static List<VmPlan.RamRange> ramLayout(long bytes) {
        List<VmPlan.RamRange> ranges = new ArrayList<>();
        long low = Math.min(bytes, LOW_RAM_END);
        ranges.add(new VmPlan.RamRange(0, low));
        if (bytes > low) ranges.add(new VmPlan.RamRange(HIGH_RAM_START, bytes - low));
        return ranges;
    }

    /** Plans, realizes and runs a VM to its end; the machine is closed whatever happens. */
    public RunOutcome run(VmSpec vm) {
        VmPlan plan = plan(vm);
        try (Machine machine = hypervisor.create(plan)) {
            return machine.run();
        }
    }
}
