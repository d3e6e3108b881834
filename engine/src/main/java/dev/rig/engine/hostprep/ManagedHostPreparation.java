package dev.rig.engine.hostprep;

import dev.rig.engine.graph.GuestPciFunction;
import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.lifecycle.HostPreparation;
import dev.rig.engine.spi.VmPlan;

import java.util.List;
import java.util.function.Supplier;

/**
 * Host-prepare for runs on this host: binds the plan's managed devices (and the group siblings the script also
 * passes) to vfio-pci through {@link ManagedDevices}, journalled first so {@code rig host restore} can finish the
 * job after a SIGKILL; closing gives every device this run took back to its original driver.
 */
public final class ManagedHostPreparation implements HostPreparation {
    private final Supplier<DriverBinder> binder;
    private final Supplier<HostInventory> inventory;

    public ManagedHostPreparation(Supplier<DriverBinder> binder, Supplier<HostInventory> inventory) {
        this.binder = binder;
        this.inventory = inventory;
    }

    /** The live host: /sys, plain sysfs writes, the journal in the state directory (RIG_STATE_DIR). */
    public static ManagedHostPreparation live(Supplier<HostInventory> inventory) {
        return new ManagedHostPreparation(() -> new DriverBinder(HostPaths.system(), SysfsWriter.files(),
                new BindJournal(StateDirectory.resolve())), inventory);
    }

    @Override
    public Prepared prepare(VmPlan plan) {
        List<GuestPciFunction.Passthrough> passed = plan.graph().segments().stream()
                .flatMap(s -> s.functions().stream())
                .filter(GuestPciFunction.Passthrough.class::isInstance).map(GuestPciFunction.Passthrough.class::cast)
                .toList();
        List<PciAddress> managed = passed.stream().filter(p -> p.spec().managed()).map(p -> p.host().address()).toList();
        if (managed.isEmpty()) return () -> { };
        ManagedDevices devices = ManagedDevices.take(binder.get(), inventory.get(), managed,
                passed.stream().map(p -> p.host().address()).toList(), Owner.run("rig run " + plan.spec().name()));
        return devices::close;
    }
}
