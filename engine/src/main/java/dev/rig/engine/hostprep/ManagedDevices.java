package dev.rig.engine.hostprep;

import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.PciAddress;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The devices a run binds for itself ({@code device path: ..., managed: true}, the default) and gives back at its
 * end. Host-prepare binds the managed devices, plus the group siblings the script also passes, to vfio-pci;
 * {@link #close()} puts every device this run took back on its original driver, and nothing else: a device that
 * was on vfio-pci already stays there.
 *
 * <p>Wiring: take it before the VM is created; close it after the machine is closed (the VFIO file descriptors
 * must be released first, or the kernel blocks the unbind until they are), on every path: normal exit, a failing
 * hook or guest, and SIGINT/SIGTERM (the run's shutdown hook waits for teardown). After SIGKILL the journal keeps
 * the devices, and {@code rig host restore} gives them back once this process is gone.
 */
public final class ManagedDevices implements AutoCloseable {

    private final DriverBinder binder;
    private final Owner owner;
    private final List<DriverChange> taken;
    private boolean closed;

    private ManagedDevices(DriverBinder binder, Owner owner, List<DriverChange> taken) {
        this.binder = binder;
        this.owner = owner;
        this.taken = List.copyOf(taken);
    }

    /**
     * Binds {@code managed} and those of {@code passed} that share an IOMMU group with one of them.
     *
     * @param managed devices the script marks managed
     * @param passed  every device the script passes through (managed or not)
     * @param owner   the run, e.g. {@code Owner.run("rig run vm.groovy")}
     * @throws HostPrepException as {@link DriverBinder#bind} does, with nothing changed
     */
    public static ManagedDevices take(DriverBinder binder, HostInventory host, List<PciAddress> managed,
                                      List<PciAddress> passed, Owner owner) {
        if (managed.isEmpty()) {
            return new ManagedDevices(binder, owner, List.of());
        }
        Set<PciAddress> requested = new LinkedHashSet<>(managed);
        for (PciAddress m : managed) {
            host.iommuGroupOf(m).ifPresent(g -> passed.stream().filter(g::contains).forEach(requested::add));
        }
        List<DriverChange> changes = binder.bind(new ArrayList<>(requested), DriverBinder.Options.DEFAULT, owner);
        return new ManagedDevices(binder, owner, changes);
    }

    /** What host-prepare did, one entry per device ("already on vfio-pci" for those it left alone). */
    public List<DriverChange> taken() {
        return taken;
    }

    public Owner owner() {
        return owner;
    }

    /** Gives back what this run took; later calls do nothing. */
    public synchronized List<DriverChange> giveBack() {
        if (closed || taken.stream().noneMatch(DriverChange::changed)) {
            closed = true;
            return List.of();
        }
        closed = true;
        return binder.giveBackOwned(owner);
    }

    @Override
    public void close() {
        giveBack();
    }
}
