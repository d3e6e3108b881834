package dev.rig.engine;

import dev.rig.engine.graph.GraphPlanner;
import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.SnapshotHostInventory;
import dev.rig.engine.host.SysfsHostInventory;
import dev.rig.engine.hostprep.ManagedHostPreparation;
import dev.rig.engine.lifecycle.HostPreparation;
import dev.rig.engine.lifecycle.VmSession;
import dev.rig.engine.model.VmBuilder;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.spi.Hypervisor;
import dev.rig.engine.spi.RunOutcome;
import dev.rig.engine.spi.VmPlan;
import dev.rig.engine.validate.Problem;
import dev.rig.engine.validate.ValidationException;
import dev.rig.engine.validate.VmValidator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * The entry point of the Java API (and so of JShell sessions):
 * {@code rig.run(Rig.vm("hello").cpus(1).memory("64M").build())}. Validates completely (settings, devices against
 * the host, allocations), plans, then drives the VM through its lifecycle; nothing on the host is touched before
 * every check has passed.
 */
public final class Rig {
    private final Hypervisor hypervisor;
    private final Supplier<HostInventory> host;
    private HostPreparation hostPreparation;

    /** A Rig that reads this host's PCI facts from /sys (only when a VM has devices). */
    public Rig(Hypervisor hypervisor) { this(hypervisor, SysfsHostInventory::new); }

    /** A Rig that plans against the given host facts, e.g. a snapshot of another machine. */
    public Rig(Hypervisor hypervisor, Supplier<HostInventory> host) {
        this.hypervisor = hypervisor;
        this.host = host;
        this.hostPreparation = ManagedHostPreparation.live(host);
    }

    /** Replaces how runs prepare the host (tests use a fake sysfs; {@link HostPreparation#NONE} touches nothing). */
    public Rig withHostPreparation(HostPreparation preparation) {
        this.hostPreparation = preparation;
        return this;
    }

    public static Rig withDefaultBackend() { return new Rig(defaultHypervisor()); }

    public static Hypervisor defaultHypervisor() {
        return ServiceLoader.load(Hypervisor.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no Rig backend on the class path (rig-kvm-backend)"));
    }

    public static VmBuilder vm(String name) { return new VmBuilder(name); }

    public Hypervisor hypervisor() { return hypervisor; }

    /** What a check found: a plan when there were no problems. */
    public record Checked(Optional<VmPlan> plan, List<Problem> problems) {}

    /**
     * Every problem of a VM at once: its settings, its devices against the host, the allocations, and with
     * {@code forRun} what the backend cannot realize yet.
     */
    public Checked check(VmSpec vm, boolean forRun) {
        List<Problem> problems = new ArrayList<>(new VmValidator(hypervisor).validate(vm));
        if (forRun) problems.addAll(hypervisor.unsupported(vm));
        HostInventory inventory = vm.devices().isEmpty()
                ? new SnapshotHostInventory(List.of(), List.of(), "no host devices needed") : host.get();
        GraphPlanner.Result r = GraphPlanner.plan(vm, inventory, problems);
        return new Checked(r.problems().isEmpty() ? r.graph().map(g -> new VmPlan(vm, g)) : Optional.empty(),
                r.problems());
    }

    /** Validates and allocates; throws with every problem at once. */
    public VmPlan plan(VmSpec vm) { return checked(check(vm, false)); }

    private static VmPlan checked(Checked c) {
        return c.plan().orElseThrow(() -> new ValidationException(c.problems()));
    }

    /** A session that binds the plan's managed devices on this host and gives them back at teardown. */
    public VmSession session(VmPlan plan) { return new VmSession(hypervisor, plan, hostPreparation); }

    /** Checks, then runs the VM through its lifecycle to its end; everything it took is released. */
    public RunOutcome run(VmSpec vm) { return session(checked(check(vm, true))).run(); }
}
