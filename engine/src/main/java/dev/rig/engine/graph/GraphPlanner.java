package dev.rig.engine.graph;

import dev.rig.engine.alloc.AddressAllocator;
import dev.rig.engine.alloc.AllocationException;
import dev.rig.engine.alloc.BarPlacement;
import dev.rig.engine.alloc.BarPlacer;
import dev.rig.engine.alloc.BarRequest;
import dev.rig.engine.alloc.GsiAllocator;
import dev.rig.engine.alloc.GuestMemoryLayout;
import dev.rig.engine.alloc.PciSegmentApertures;
import dev.rig.engine.host.Bar;
import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.model.DiskSpec;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.validate.Problem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * Builds the device graph of a VM whose settings passed validation: resolves devices on the host, gives every
 * function a slot on its segment's bus 0, places all BARs at once (all or nothing) and routes an INTx line to each.
 * Problems are collected, never thrown, so `rig plan` and `rig run` can report them with the others.
 */
public final class GraphPlanner {
    /** Slot 0 holds the host bridge; a bus has 32 device numbers. */
    public static final int SLOTS_PER_BUS = 32;
    /** Guest port space for I/O BARs, where PC firmware puts PCI I/O. */
    public static final long PCI_IO_START = 0xc000, PCI_IO_SIZE = 0x4000;
    /** A virtio-pci function's BAR 0: common config, ISR, device config, notify, MSI-X table and PBA (dev.rig.kvm.virtio). */
    public static final long VIRTIO_BAR_SIZE = 0x4000;

    private GraphPlanner() {}

    public record Result(Optional<DeviceGraph> graph, List<Problem> problems) {}

    /**
     * Plans a VM; {@code earlier} holds problems validation already found: devices are still checked so that every
     * problem is reported at once, but nothing is allocated for a VM that has any.
     */
    public static Result plan(VmSpec vm, HostInventory host, List<Problem> earlier) {
        List<Problem> problems = new ArrayList<>(earlier);
        List<DeviceChecks.Resolved> devices = new DeviceChecks(vm, host, problems).resolve();
        if (!problems.isEmpty()) return new Result(Optional.empty(), problems);

        GuestMemoryLayout memory = GuestMemoryLayout.x86_64(vm.memory().size().bytes());
        List<Integer> w32 = IntStream.range(0, vm.numPciSegments()).mapToObj(i -> vm.segment(i).mmio32Weight()).toList();
        List<Integer> w64 = IntStream.range(0, vm.numPciSegments()).mapToObj(i -> vm.segment(i).mmio64Weight()).toList();
        PciSegmentApertures apertures = PciSegmentApertures.split(memory, w32, w64);

        // Slots: disks first on segment 0, then devices in script order on their segments.
        Map<Integer, List<String>> slotsUsed = new LinkedHashMap<>();
        Map<Object, PciAddress> addresses = new LinkedHashMap<>();
        for (DiskSpec d : vm.disks()) assignSlot(0, d, d.label(), slotsUsed, addresses, problems, d.origin());
        for (DeviceChecks.Resolved r : devices)
            assignSlot(r.spec().pciSegment(), r, r.spec().label(), slotsUsed, addresses, problems, r.spec().origin());
        if (!problems.isEmpty()) return new Result(Optional.empty(), problems);

        List<BarRequest> requests = new ArrayList<>();
        for (DiskSpec d : vm.disks()) requests.add(BarRequest.mem32(d.label(), 0, VIRTIO_BAR_SIZE, 0));
        for (DeviceChecks.Resolved r : devices) requests.addAll(barRequests(r));
        BarPlacer placer = new BarPlacer(apertures);
        List<BarPlacement> placed;
        try {
            placed = placer.place(requests);
        } catch (AllocationException e) {
            problems.add(new Problem("", e.getMessage(), Optional.empty()));
            return new Result(Optional.empty(), problems);
        }

        GsiAllocator gsis = GsiAllocator.x86_64();
        AddressAllocator ports = new AddressAllocator("PCI I/O ports", PCI_IO_START, PCI_IO_SIZE);
        Map<Integer, List<GuestPciFunction>> functions = new LinkedHashMap<>();
        IntStream.range(0, vm.numPciSegments()).forEach(s -> functions.computeIfAbsent(s, k -> new ArrayList<>())
                .add(new GuestPciFunction.HostBridge(new PciAddress(s, 0, 0, 0))));
        try {
            for (DiskSpec d : vm.disks()) {
                functions.get(0).add(new GuestPciFunction.VirtioBlock(addresses.get(d), d, barsOf(placed, d.label()),
                        OptionalInt.of(gsis.allocateLegacyIrq())));
            }
            for (DeviceChecks.Resolved r : devices) {
                List<GuestPciFunction.IoBar> io = new ArrayList<>();
                for (Bar b : r.host().bars()) {
                    if (b.kind() == Bar.Kind.IO)
                        io.add(new GuestPciFunction.IoBar(b.index(), ports.allocate(b.size(), b.size())));
                }
                functions.get(r.spec().pciSegment()).add(new GuestPciFunction.Passthrough(addresses.get(r), r.spec(),
                        r.host(), r.host().iommuGroup().stream().boxed().findFirst().flatMap(host::iommuGroup),
                        barsOf(placed, r.spec().label()), io, romExposed(r), OptionalInt.of(gsis.allocateLegacyIrq())));
            }
        } catch (AllocationException e) {
            problems.add(new Problem("", e.getMessage(), Optional.empty()));
            return new Result(Optional.empty(), problems);
        }

        List<PciSegmentNode> segments = functions.entrySet().stream().map(e -> new PciSegmentNode(e.getKey(),
                w32.get(e.getKey()), w64.get(e.getKey()), apertures.segment(e.getKey()), e.getValue())).toList();
        return new Result(Optional.of(new DeviceGraph(memory, segments, DeviceChecks.groupsOf(devices, host),
                placer.usage(), host.source())), problems);
    }

    private static void assignSlot(int segment, Object key, String label, Map<Integer, List<String>> used,
                                   Map<Object, PciAddress> addresses, List<Problem> problems,
                                   Optional<dev.rig.engine.model.SourceRef> origin) {
        List<String> slots = used.computeIfAbsent(segment, s -> new ArrayList<>(List.of("host bridge")));
        if (slots.size() >= SLOTS_PER_BUS) {
            problems.add(new Problem("device", label + ": PCI segment " + segment + " has no free slot ("
                    + (SLOTS_PER_BUS - 1) + " devices at most); use another segment (pciSegment: N) and "
                    + "platform numPciSegments: N+1", origin));
            return;
        }
        addresses.put(key, new PciAddress(segment, 0, slots.size(), 0));
        slots.add(label);
    }

    /** Memory BARs as the host reports them, plus the expansion ROM when exposed (a 32-bit BAR at index 6). */
    private static List<BarRequest> barRequests(DeviceChecks.Resolved r) {
        List<BarRequest> out = new ArrayList<>();
        String id = r.spec().label();
        int seg = r.spec().pciSegment();
        for (Bar b : r.host().bars()) {
            if (!b.isMemory() || b.size() == 0) continue;
            out.add(b.is64Bit() ? BarRequest.mem64(id, b.index(), b.size(), b.prefetchable(), seg)
                    : BarRequest.mem32(id, b.index(), b.size(), seg));
        }
        if (romExposed(r)) out.add(BarRequest.mem32(id, BarRequest.ROM_INDEX, r.host().rom().orElseThrow().size(), seg));
        return out;
    }

    private static boolean romExposed(DeviceChecks.Resolved r) {
        return r.host().rom().isPresent() && r.spec().rom().orElse(true);
    }

    private static List<BarPlacement> barsOf(List<BarPlacement> placed, String deviceId) {
        return placed.stream().filter(p -> p.bar().deviceId().equals(deviceId))
                .sorted(java.util.Comparator.comparingInt(p -> p.bar().barIndex())).toList();
    }
}
