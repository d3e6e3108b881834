package dev.rig.engine.hostprep;

import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.IommuGroup;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.host.PciDevice;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Moves PCI functions to vfio-pci and back, the way the kernel intends (Documentation/ABI/testing/sysfs-bus-pci):
 * <ol>
 *   <li>journal the device's driver and driver_override ({@link BindJournal}), forced to disk;</li>
 *   <li>write "vfio-pci" to {@code driver_override}, before unbinding, so that no other driver grabs it between;</li>
 *   <li>write the address to {@code drivers/<old>/unbind}, then to {@code bus/pci/drivers_probe};</li>
 *   <li>check that the device is on vfio-pci now.</li>
 * </ol>
 * Giving back clears {@code driver_override} (writes "\n"), unbinds vfio-pci and probes again, so the kernel picks
 * the native driver; if it picks another one (or none: drivers without an ID table are never chosen), the
 * original is forced through {@code driver_override} and {@code drivers_probe}, then the override is restored.
 *
 * <p>Binding is all or nothing per call: every problem (unknown device, bridge, IOMMU off, group sibling left on a
 * host driver, device in use by the host, vfio-pci not loaded) is reported together before anything is written,
 * and when the kernel refuses midway, the devices this call took are given back. Binding a device already on
 * vfio-pci, or giving back one that is not on it, changes nothing.
 *
 * <p>Groups: every endpoint of a device's IOMMU group must end on vfio-pci (or stay driverless or on pci-stub).
 * Siblings must be named too, or {@link Options#wholeGroup()} takes them. Bridges are never bound.
 */
public final class DriverBinder {

    public static final String VFIO_PCI = PassthroughReadiness.VFIO_PCI;

    private static final int PROBE_WAIT_STEPS = 100;
    private static final long PROBE_WAIT_STEP_MS = 20;

    /**
     * @param wholeGroup also take every other endpoint of the named devices' IOMMU groups (--group)
     * @param force      take devices the host is using (a mounted disk, an interface that is up) (--force)
     */
    public record Options(boolean wholeGroup, boolean force) {
        public static final Options DEFAULT = new Options(false, false);
    }

    /**
     * What a bind will do.
     *
     * @param devices every device that will end on vfio-pci, sorted (named ones and group siblings taken)
     * @param notes   warnings to show, such as in-use devices taken with --force
     */
    public record Plan(List<PciAddress> devices, List<String> notes) {
    }

    /** @param changes devices given back; skipped: entries left in the journal and why; failed: errors */
    public record RestoreResult(List<DriverChange> changes, List<String> skipped, List<String> failed) {
    }

    private final HostPaths paths;
    private final SysfsWriter writer;
    private final BindJournal journal;

    public DriverBinder(HostPaths paths, SysfsWriter writer, BindJournal journal) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.journal = Objects.requireNonNull(journal, "journal");
    }

    public BindJournal journal() {
        return journal;
    }

    /**
     * Checks a bind without changing anything.
     *
     * @throws HostPrepException with one line per problem
     */
    public Plan planBind(List<PciAddress> requested, Options options) {
        if (requested.isEmpty()) {
            throw new HostPrepException("name at least one device to bind (rig host ls lists them)");
        }
        HostInventory host = paths.inventory();
        Set<PciAddress> named = new LinkedHashSet<>(requested);
        List<String> problems = new ArrayList<>();
        Set<PciAddress> targets = new TreeSet<>();
        Map<Integer, Set<PciAddress>> missingByGroup = new TreeMap<>();
        Map<Integer, Set<PciAddress>> namedByGroup = new TreeMap<>();
        Set<PciAddress> noGroup = new TreeSet<>();
        for (PciAddress a : named) {
            Optional<PciDevice> d = host.device(a);
            if (d.isEmpty()) {
                problems.add("no PCI device " + a + " on this host (rig host ls lists them)");
                continue;
            }
            if (d.get().isBridge()) {
                problems.add(a + " is a PCI bridge (" + d.get().driver().orElse("no driver") + "): Rig leaves "
                        + "bridges on their host driver; name the devices behind it");
                continue;
            }
            Optional<IommuGroup> group = host.iommuGroupOf(a);
            if (group.isEmpty()) {
                noGroup.add(a);
                continue;
            }
            targets.add(a);
            int id = group.get().id();
            namedByGroup.computeIfAbsent(id, k -> new TreeSet<>()).add(a);
            for (PciAddress m : group.get().members()) {
                PciDevice sibling = host.requireDevice(m);
                if (named.contains(m) || sibling.isBridge()) {
                    continue;
                }
                if (options.wholeGroup()) {
                    targets.add(m);
                } else if (sibling.driver().isPresent()
                        && !PassthroughReadiness.GROUP_SAFE_DRIVERS.contains(sibling.driver().get())) {
                    missingByGroup.computeIfAbsent(id, k -> new TreeSet<>()).add(m);
                }
            }
        }
        if (!noGroup.isEmpty()) {
            problems.add(join(noGroup) + (noGroup.size() == 1 ? " has" : " have") + " no IOMMU group: the IOMMU is "
                    + "off. " + HostChecks.IOMMU_FIX);
        }
        missingByGroup.forEach((id, missing) -> {
            Set<PciAddress> all = new TreeSet<>(namedByGroup.get(id));
            all.addAll(missing);
            problems.add(join(namedByGroup.get(id)) + (namedByGroup.get(id).size() == 1 ? " is" : " are")
                    + " in IOMMU group " + id + " with " + missing.stream()
                    .map(m -> m + " (" + host.requireDevice(m).driver().orElseThrow() + ")")
                    .collect(Collectors.joining(", "))
                    + ", which must leave its host driver too: VFIO hands whole groups to a guest. Bind them "
                    + "together (rig host bind " + join(all) + ") or add --group");
        });
        List<PciAddress> toMove = targets.stream()
                .filter(t -> !host.requireDevice(t).driver().equals(Optional.of(VFIO_PCI))).toList();
        if (!toMove.isEmpty() && !SysfsReads.exists(paths.pciDriver(VFIO_PCI))) {
            problems.add("vfio-pci is not loaded (no " + paths.pciDriver(VFIO_PCI) + "): run sudo modprobe vfio-pci, "
                    + "or add --modprobe");
        }
        List<String> notes = new ArrayList<>();
        HostUse use = new HostUse(paths);
        for (PciAddress t : toMove) {
            List<String> uses = use.of(t);
            if (uses.isEmpty()) {
                continue;
            }
            String what = t + " (" + host.requireDevice(t).driver().orElse("no driver") + ") is in use by the host: "
                    + String.join("; ", uses);
            if (options.force()) {
                notes.add(what + "; taking it anyway (--force)");
            } else {
                problems.add(what + ". Rig will not take it; add --force to take it anyway");
            }
        }
        if (!problems.isEmpty()) {
            throw HostPrepException.of(problems);
        }
        return new Plan(List.copyOf(targets), notes);
    }

    /**
     * Binds the named devices (and with --group their group siblings) to vfio-pci. Checks first and changes nothing
     * when anything is wrong; journals each device before touching it.
     */
    public List<DriverChange> bind(List<PciAddress> requested, Options options, Owner owner) {
        planBind(requested, options);   // fail fast, without creating the state directory
        return journal.locked(() -> {
            Plan plan = planBind(requested, options);   // again under the lock: another Rig may have moved things
            List<DriverChange> changes = new ArrayList<>();
            List<PciAddress> taken = new ArrayList<>();
            try {
                for (PciAddress a : plan.devices()) {
                    changes.add(bindOne(a, owner, taken));
                }
            } catch (RuntimeException e) {
                for (PciAddress a : taken.reversed()) {
                    try {
                        giveBack(a);
                    } catch (RuntimeException again) {
                        e.addSuppressed(again);
                    }
                }
                throw e;
            }
            return changes;
        });
    }

    private DriverChange bindOne(PciAddress a, Owner owner, List<PciAddress> taken) {
        Path dir = paths.pciDevice(a);
        Optional<String> driver = SysfsReads.driver(dir);
        if (driver.equals(Optional.of(VFIO_PCI))) {
            return new DriverChange(a, driver, driver, "already on vfio-pci");
        }
        Optional<String> override = SysfsReads.driverOverride(dir);
        journal.add(new JournalEntry(a, driver, override, owner, Instant.now()));
        taken.add(a);
        write(dir.resolve("driver_override"), VFIO_PCI);
        if (driver.isPresent()) {
            write(paths.pciDriver(driver.get()).resolve("unbind"), a.toString());
        }
        write(paths.driversProbe(), a.toString());
        Optional<String> after = awaitDriver(dir, Optional.of(VFIO_PCI));
        if (!after.equals(Optional.of(VFIO_PCI))) {
            throw new HostPrepException(a + " did not bind to vfio-pci: after drivers_probe it has "
                    + after.map(x -> "driver " + x).orElse("no driver") + " (dmesg may say why)");
        }
        return new DriverChange(a, driver, after, "");
    }

    /**
     * Gives devices back: each one Rig took goes back to the driver it had; one on vfio-pci that Rig did not take
     * goes to whatever driver the kernel probes. With {@code wholeGroup}, the other endpoints of their groups that
     * are on vfio-pci or in the journal go too.
     */
    public List<DriverChange> unbind(List<PciAddress> requested, boolean wholeGroup) {
        if (requested.isEmpty()) {
            throw new HostPrepException("name at least one device to give back");
        }
        HostInventory host = paths.inventory();
        List<String> problems = new ArrayList<>();
        Set<PciAddress> targets = new TreeSet<>();
        for (PciAddress a : new LinkedHashSet<>(requested)) {
            Optional<PciDevice> d = host.device(a);
            if (d.isEmpty()) {
                if (journal.entry(a).isPresent()) {
                    targets.add(a);     // gone since Rig took it: giving back drops the entry
                } else {
                    problems.add("no PCI device " + a + " on this host (rig host ls lists them)");
                }
                continue;
            }
            if (d.get().isBridge()) {
                problems.add(a + " is a PCI bridge: Rig never binds bridges, so there is nothing to give back");
                continue;
            }
            targets.add(a);
            if (wholeGroup) {
                host.iommuGroupOf(a).ifPresent(g -> g.members().stream()
                        .filter(m -> !host.requireDevice(m).isBridge())
                        .filter(m -> host.requireDevice(m).driver().equals(Optional.of(VFIO_PCI))
                                || journal.entry(m).isPresent())
                        .forEach(targets::add));
            }
        }
        if (!problems.isEmpty()) {
            throw HostPrepException.of(problems);
        }
        return journal.locked(() -> targets.stream().map(this::giveBack).toList());
    }

    /**
     * Gives back every device in the journal whose taker is gone: runs that crashed or were killed. Devices that
     * {@code rig host bind} took stay on vfio-pci unless {@code all}; devices of runs still going are never taken
     * from them (the kernel would block until the guest lets go).
     */
    public RestoreResult restore(boolean all) {
        if (journal.entries().isEmpty()) {
            return new RestoreResult(List.of(), List.of(), List.of());   // nothing to lock for: leave no trace
        }
        return journal.locked(() -> {
            List<DriverChange> changes = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            for (JournalEntry e : journal.entries()) {
                if (e.owner().kind() == Owner.Kind.RUN && e.owner().isAlive()) {
                    skipped.add(e.address() + ": held by " + e.owner() + ", which is still running");
                    continue;
                }
                if (e.owner().kind() == Owner.Kind.BIND && !all) {
                    skipped.add(e.address() + ": bound by rig host bind; kept on vfio-pci (rig host unbind "
                            + e.address() + " or rig host restore --all gives it back)");
                    continue;
                }
                try {
                    changes.add(giveBack(e.address()));
                } catch (HostPrepException ex) {
                    failed.add(ex.getMessage());
                }
            }
            return new RestoreResult(changes, skipped, failed);
        });
    }

    /** Gives back every device in the journal that {@code owner} took; what a run's teardown calls. */
    public List<DriverChange> giveBackOwned(Owner owner) {
        return journal.locked(() -> {
            List<DriverChange> changes = new ArrayList<>();
            HostPrepException failure = null;
            for (JournalEntry e : journal.entries()) {
                if (!e.owner().sameAs(owner)) {
                    continue;
                }
                try {
                    changes.add(giveBack(e.address()));
                } catch (HostPrepException ex) {
                    failure = failure == null ? ex : new HostPrepException(failure.getMessage() + "\n" + ex.getMessage());
                }
            }
            if (failure != null) {
                throw failure;
            }
            return changes;
        });
    }

    /** Gives one device back and drops its journal entry. Handles every state a crash can leave behind. */
    DriverChange giveBack(PciAddress a) {
        Path dir = paths.pciDevice(a);
        Optional<JournalEntry> entry = journal.entry(a);
        if (!SysfsReads.exists(dir)) {
            journal.remove(a);
            return new DriverChange(a, Optional.empty(), Optional.empty(),
                    "no longer present (removed or hot-unplugged); dropped from the journal");
        }
        Optional<String> driver = SysfsReads.driver(dir);
        boolean onVfio = driver.equals(Optional.of(VFIO_PCI));
        if (entry.isEmpty()) {
            if (!onVfio) {
                return new DriverChange(a, driver, driver, "not on vfio-pci; nothing to do");
            }
            // Rig did not take it (bound by hand or at boot): let the kernel choose its driver.
            if (SysfsReads.driverOverride(dir).isPresent()) {
                write(dir.resolve("driver_override"), "\n");
            }
            write(paths.pciDriver(VFIO_PCI).resolve("unbind"), a.toString());
            write(paths.driversProbe(), a.toString());
            return new DriverChange(a, driver, SysfsReads.driver(dir), "Rig had not bound it; the kernel chose");
        }
        Optional<String> original = entry.get().originalDriver();
        if (driver.isPresent() && !onVfio && !driver.equals(original)) {
            journal.remove(a);
            return new DriverChange(a, driver, driver, "now on " + driver.get()
                    + ", not on vfio-pci where Rig left it: left alone and dropped from the journal");
        }
        Optional<String> originalOverride = entry.get().originalOverride();
        if (!onVfio && driver.equals(original)) {
            // Killed before it unbound the device: at most driver_override needs undoing.
            if (!SysfsReads.driverOverride(dir).equals(originalOverride)) {
                write(dir.resolve("driver_override"), originalOverride.orElse("\n"));
            }
            journal.remove(a);
            return new DriverChange(a, driver, driver, "still on " + original.orElse("no driver")
                    + "; dropped from the journal");
        }
        write(dir.resolve("driver_override"), originalOverride.orElse("\n"));
        if (onVfio) {
            write(paths.pciDriver(VFIO_PCI).resolve("unbind"), a.toString());
        }
        if (original.isPresent() && !SysfsReads.driver(dir).equals(original)) {
            write(paths.driversProbe(), a.toString());
            Optional<String> probed = awaitDriver(dir, original);
            if (!probed.equals(original)) {
                // The kernel preferred another driver (or none): put the one it had back explicitly.
                if (probed.isPresent()) {
                    write(paths.pciDriver(probed.get()).resolve("unbind"), a.toString());
                }
                Path drv = paths.pciDriver(original.get());
                if (!SysfsReads.exists(drv)) {
                    throw new HostPrepException(a + " cannot go back to " + original.get() + ": that driver is not "
                            + "loaded (sudo modprobe " + original.get() + ", then rig host restore --all)");
                }
                // driver_override makes the kernel match that driver whatever its ID table says: drivers without
                // one (uio_pci_generic, vfio-pci) refuse a plain write to their bind file with ENODEV.
                write(dir.resolve("driver_override"), original.get());
                write(paths.driversProbe(), a.toString());
                awaitDriver(dir, original);
                write(dir.resolve("driver_override"), originalOverride.orElse("\n"));
            }
            if (!SysfsReads.driver(dir).equals(original)) {
                throw new HostPrepException(a + " did not go back to " + original.get() + "; it has "
                        + SysfsReads.driver(dir).map(x -> "driver " + x).orElse("no driver")
                        + " (dmesg may say why; the journal keeps it for rig host restore)");
            }
        }
        journal.remove(a);
        return new DriverChange(a, driver, SysfsReads.driver(dir), "");
    }

    /**
     * The device's driver once it has one, waiting a little while it has none: some drivers (nvme, for one) probe
     * asynchronously, so the link can appear a little after the write returns.
     */
    private static Optional<String> awaitDriver(Path dir, Optional<String> expected) {
        Optional<String> now = SysfsReads.driver(dir);
        for (int i = 0; i < PROBE_WAIT_STEPS && now.isEmpty() && !now.equals(expected); i++) {
            try {
                Thread.sleep(PROBE_WAIT_STEP_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            now = SysfsReads.driver(dir);
        }
        return now;
    }

    private void write(Path file, String text) {
        try {
            writer.write(file, text);
        } catch (IOException e) {
            String shown = text.equals("\n") ? "\\n" : text;
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied (binding drivers needs root)"
                    : e.getMessage() == null ? e.toString() : e.getMessage();
            throw new HostPrepException("writing \"" + shown + "\" to " + file + " failed: " + why, e);
        }
    }

    private static String join(Set<PciAddress> addresses) {
        return addresses.stream().map(PciAddress::toString).collect(Collectors.joining(" "));
    }
}
