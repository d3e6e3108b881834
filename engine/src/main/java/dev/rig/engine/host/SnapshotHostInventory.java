package dev.rig.engine.host;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * An immutable, in-memory {@link HostInventory}: what {@link HostSnapshot} reads back, and what
 * {@link SysfsHostInventory} holds after reading. Also handy for building hosts in code.
 *
 * <p>The constructor checks that devices and groups agree: a device's group must exist and list it, and every
 * group member must be a known device whose group is that group.
 */
public final class SnapshotHostInventory implements HostInventory {

    private final Map<PciAddress, PciDevice> devices;
    private final Map<Integer, IommuGroup> groups;
    private final String source;

    public SnapshotHostInventory(List<PciDevice> devices, List<IommuGroup> groups, String source) {
        this.source = Objects.requireNonNull(source, "source");
        this.devices = index(devices, PciDevice::address, "PCI device");
        this.groups = index(groups, IommuGroup::id, "IOMMU group");
        checkConsistent();
    }

    /** A detached copy of any inventory (e.g. freeze a live sysfs view). */
    public static SnapshotHostInventory copyOf(HostInventory inventory, String source) {
        return new SnapshotHostInventory(inventory.devices(), inventory.iommuGroups(), source);
    }

    @Override
    public List<PciDevice> devices() {
        return List.copyOf(devices.values());
    }

    @Override
    public Optional<PciDevice> device(PciAddress address) {
        return Optional.ofNullable(devices.get(address));
    }

    @Override
    public List<IommuGroup> iommuGroups() {
        return List.copyOf(groups.values());
    }

    @Override
    public Optional<IommuGroup> iommuGroup(int id) {
        return Optional.ofNullable(groups.get(id));
    }

    @Override
    public String source() {
        return source;
    }

    /** Equal when devices and groups are equal; the source label is not a host fact. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotHostInventory other
                && devices.equals(other.devices) && groups.equals(other.groups);
    }

    @Override
    public int hashCode() {
        return Objects.hash(devices, groups);
    }

    @Override
    public String toString() {
        return "SnapshotHostInventory[" + source + ": " + devices.size() + " devices, " + groups.size()
                + " IOMMU groups]";
    }

    private <K extends Comparable<K>, V> Map<K, V> index(List<V> values, Function<V, K> key, String what) {
        Map<K, V> sorted = new TreeMap<>();
        for (V v : values) {
            if (sorted.put(key.apply(Objects.requireNonNull(v, what)), v) != null) {
                throw new HostInventoryException(source + ": " + what + " " + key.apply(v) + " is listed twice");
            }
        }
        return Collections.unmodifiableMap(sorted);
    }

    private void checkConsistent() {
        for (PciDevice d : devices.values()) {
            if (d.iommuGroup().isEmpty()) {
                continue;
            }
            int id = d.iommuGroup().getAsInt();
            IommuGroup g = groups.get(id);
            if (g == null || !g.contains(d.address())) {
                throw new HostInventoryException(source + ": device " + d.address() + " says IOMMU group " + id
                        + " but " + (g == null ? "there is no such group" : "that group does not list it"));
            }
        }
        for (IommuGroup g : groups.values()) {
            for (PciAddress member : g.members()) {
                PciDevice d = devices.get(member);
                if (d == null) {
                    throw new HostInventoryException(source + ": IOMMU group " + g.id() + " lists " + member
                            + ", which is not a known PCI device");
                }
                if (d.iommuGroup().isEmpty() || d.iommuGroup().getAsInt() != g.id()) {
                    throw new HostInventoryException(source + ": IOMMU group " + g.id() + " lists " + member
                            + " but that device says " + (d.iommuGroup().isEmpty() ? "no group"
                            : "group " + d.iommuGroup().getAsInt()));
                }
            }
        }
    }
}
