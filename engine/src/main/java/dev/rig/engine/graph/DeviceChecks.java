package dev.rig.engine.graph;

import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.IommuGroup;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.host.PciDevice;
import dev.rig.engine.model.DeviceSpec;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.validate.Problem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Resolves the script's devices against the host and checks each the way a user would otherwise learn by failure:
 * the path names a PCI endpoint, the IOMMU isolates it, its whole IOMMU group is given to the VM or out of the
 * host's hands, the GPUDirect clique fits. Reads host facts only.
 */
final class DeviceChecks {
    static final String VFIO_DRIVER = "vfio-pci";
    static final int MAX_CLIQUE = 15;

    /** A script device and the host function it names. */
    record Resolved(DeviceSpec spec, PciDevice host) {}

    private final VmSpec vm;
    private final HostInventory host;
    private final List<Problem> problems;

    DeviceChecks(VmSpec vm, HostInventory host, List<Problem> problems) {
        this.vm = vm;
        this.host = host;
        this.problems = problems;
    }

    private void problem(DeviceSpec d, String message) {
        problems.add(new Problem("device", d.label() + ": " + message, d.origin()));
    }

    List<Resolved> resolve() {
        List<Resolved> resolved = new ArrayList<>();
        Map<PciAddress, DeviceSpec> seen = new LinkedHashMap<>();
        for (DeviceSpec d : vm.devices()) {
            PciAddress address;
            try {
                address = PciAddress.parse(d.path());
            } catch (IllegalArgumentException e) {
                problem(d, "'" + d.path() + "' is not a PCI device: write its sysfs path "
                        + "(/sys/bus/pci/devices/0000:01:00.0) or its address (0000:01:00.0)");
                continue;
            }
            if (seen.putIfAbsent(address, d) != null) {
                problem(d, address + " is passed to this VM twice");
                continue;
            }
            Optional<PciDevice> found = host.device(address);
            if (found.isEmpty()) {
                problem(d, "no PCI device " + address + " on this host (" + host.source() + ")");
                continue;
            }
            PciDevice dev = found.get();
            if (dev.isBridge()) {
                problem(d, address + " is a PCI bridge; pass the devices behind it instead");
                continue;
            }
            checkClique(d, dev);
            checkIommu(d, dev);
            resolved.add(new Resolved(d, dev));
        }
        checkGroups(resolved);
        return resolved;
    }

    private void checkClique(DeviceSpec d, PciDevice dev) {
        if (d.gpudirectClique().isEmpty()) return;
        int clique = d.gpudirectClique().getAsInt();
        if (clique < 0 || clique > MAX_CLIQUE)
            problem(d, "gpudirectClique must be between 0 and " + MAX_CLIQUE + ", not " + clique);
        if (!dev.isNvidia() || !dev.isDisplayController())
            problem(d, "gpudirectClique is only for NVIDIA GPUs (vendor 0x10de, display class); "
                    + dev.address() + " is " + dev.vendorDeviceId() + String.format(" class 0x%06x", dev.classCode()));
    }

    private void checkIommu(DeviceSpec d, PciDevice dev) {
        if (dev.iommuGroup().isPresent()) {
            if (!d.managed() && !dev.driver().map(VFIO_DRIVER::equals).orElse(false))
                problem(d, dev.address() + " is bound to " + dev.driver().orElse("no driver") + ", not " + VFIO_DRIVER
                        + "; set managed: true or run: rig host bind " + dev.address());
            return;
        }
        problem(d, dev.address() + " has no IOMMU group: " + (host.iommuEnabled()
                ? "the IOMMU does not cover it"
                : "the IOMMU is off; add intel_iommu=on (Intel) or amd_iommu=on (AMD) and iommu=pt to the kernel "
                        + "command line, enable VT-d/AMD-Vi in the firmware, and reboot"));
    }

    /**
     * VFIO gives a group to one owner: every other endpoint in the group must be in this VM too, or have no driver
     * or vfio-pci, or the group is not viable (seed: a GPU and its HDMI audio function share group 22).
     */
    private void checkGroups(List<Resolved> resolved) {
        Set<PciAddress> assigned = resolved.stream().map(r -> r.host().address()).collect(Collectors.toSet());
        Map<Integer, Resolved> firstInGroup = new LinkedHashMap<>();
        for (Resolved r : resolved) {
            r.host().iommuGroup().ifPresent(g -> firstInGroup.putIfAbsent(g, r));
        }
        firstInGroup.forEach((groupId, r) -> host.iommuGroup(groupId).ifPresent(group -> {
            for (PciAddress member : group.members()) {
                if (assigned.contains(member)) continue;
                Optional<PciDevice> sibling = host.device(member);
                if (sibling.isEmpty() || sibling.get().isBridge()) continue;
                String driver = sibling.get().driver().orElse(null);
                if (driver == null || driver.equals(VFIO_DRIVER)) continue;
                problem(r.spec(), "IOMMU group " + groupId + " also holds " + member + " ("
                        + sibling.get().vendorDeviceId() + ", bound to " + driver + "): pass it to this VM too "
                        + "(device path: '" + member + "') or bind it to vfio-pci (rig host bind " + member + ")");
            }
        }));
    }

    /** The groups the resolved devices belong to, for the plan. */
    static List<IommuGroup> groupsOf(List<Resolved> resolved, HostInventory host) {
        return resolved.stream().flatMap(r -> r.host().iommuGroup().stream().boxed()).distinct().sorted()
                .flatMap(g -> host.iommuGroup(g).stream()).toList();
    }
}
