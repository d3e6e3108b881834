package dev.rig.vfio.kvm;

import dev.rig.kvm.testing.RequiresKvm;
import dev.rig.engine.alloc.AddressRange;
import dev.rig.engine.alloc.BarPlacement;
import dev.rig.engine.alloc.BarRequest;
import dev.rig.engine.graph.GuestPciFunction;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.host.PciDevice;
import dev.rig.engine.model.DeviceSpec;
import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.Irqchip;
import dev.rig.kvm.Kvm;
import dev.rig.kvm.MemorySlot;
import dev.rig.kvm.Vm;
import dev.rig.kvm.acpi.AcpiConfig;
import dev.rig.kvm.backend.PassthroughProvider;
import dev.rig.kvm.devices.Bus;
import dev.rig.kvm.pci.PciRoot;
import dev.rig.vfio.VfioException;
import dev.rig.vfio.VfioFixtures;
import dev.rig.vfio.fake.FakeVfioHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Passthrough wiring on a real KVM VM (slots, irqchip, irqfds, MSI routes) with the fake VFIO kernel behind the
 * devices: what the guest's config cycles and BAR accesses do to KVM and to VFIO. The lab proves the same with
 * the real edu device and a Linux guest.
 */
@RequiresKvm
class VfioPassthroughTest {
    private static final long RAM = 64L << 20, BAR0 = 0xC000_0000L;
    private static final int SLOT = 1, INTX_GSI = 10;

    private final FakeVfioHost host = VfioFixtures.host();
    private final List<Integer> announced = new ArrayList<>();
    private final Function<Vm, GroupFiles> groupFiles = vm -> new GroupFiles() {
        @Override public void add(int fd) { announced.add(fd); }
        @Override public void remove(int fd) { announced.remove((Integer) fd); }
        @Override public void close() { }
    };
    private Kvm kvm;
    private Vm vm;
    private GuestMemory memory;
    private Irqchip chip;
    private final Bus mmio = new Bus("mmio"), pio = new Bus("pio");
    private final PciRoot root = PciRoot.withHostBridge();
    private PassthroughProvider.Target target;

    @BeforeEach
    void vm() {
        kvm = Kvm.open();
        vm = kvm.createVm();
        memory = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), RAM)));
        vm.mapGuestMemory(memory, 0);
        chip = vm.createIrqchip();
        target = new PassthroughProvider.Target(vm, memory, chip, mmio, pio, root);
    }

    @AfterEach
    void close() {
        vm.close();
        memory.close();
        kvm.close();
    }

    private static GuestPciFunction.Passthrough edu() {
        PciDevice dev = PciDevice.builder(PciAddress.parse(VfioFixtures.EDU)).vendorId(0x1234).deviceId(0x11e8)
                .classCode(0x00ff00).iommuGroup(3).build();
        return new GuestPciFunction.Passthrough(PciAddress.of(0, SLOT, 0), spec(VfioFixtures.EDU, OptionalInt.empty()),
                dev, Optional.empty(), List.of(new BarPlacement(BarRequest.mem32("edu", 0, 1 << 20, 0),
                new AddressRange(BAR0, 1 << 20))), List.of(), false, OptionalInt.of(INTX_GSI));
    }

    private static DeviceSpec spec(String path, OptionalInt clique) {
        return new DeviceSpec(path, Optional.empty(), 0, clique, true, Optional.empty(), Optional.empty());
    }

    private VfioPassthrough attach(GuestPciFunction.Passthrough... fns) {
        return VfioPassthrough.attach(host, groupFiles, target, List.of(fns));
    }

    private int cfg(int reg, int size) { return root.readConfig(0, SLOT, 0, reg, size); }

    private void cfgWrite(int reg, int size, int value) { root.writeConfig(0, SLOT, 0, reg, size, value); }

    private List<MemorySlot> barSlots() {
        return vm.memorySlots().stream().filter(s -> s.guestAddress().value() >= RAM).toList();
    }

    @Test
    void eduAppearsAtItsSlotWithThePlannedBarGuestRamDmaMappedAndIntxWired() {
        try (VfioPassthrough p = attach(edu())) {
            assertEquals(0x11e81234, cfg(0x00, 4), "ids from the device");
            assertEquals((int) BAR0, cfg(0x10, 4), "BAR0 where the plan put it, as firmware would");
            assertEquals(INTX_GSI, cfg(0x3c, 1), "interrupt line = the planned GSI");
            assertEquals(Map.of(0L, RAM), host.dmaMappings(), "all guest RAM at IOVA = guest physical address");
            assertEquals(1, announced.size(), "the group is announced to the KVM-VFIO device once");
            assertEquals(1, host.device(VfioFixtures.EDU).triggers(0).size(), "INTx goes to a KVM irqfd");
            assertEquals(List.of(new AcpiConfig.IntxRoute(SLOT, 0, INTX_GSI)), p.intxRoutes(), "pin A on the GSI");
        }
    }

    @Test
    void barBecomesAKvmSlotWhenDecodingIsOnAndFollowsTheGuestsMoves() {
        try (VfioPassthrough p = attach(edu())) {
            assertEquals(List.of(), barSlots(), "dark until the guest enables memory decoding");
            cfgWrite(0x04, 2, 0x2);
            assertEquals(List.of(BAR0 + ":" + (1 << 20)), describe(barSlots()), "mmapped: guest accesses do not exit");
            assertEquals("vfio-" + VfioFixtures.EDU + "-bar0", mmio.find(BAR0).id());
            cfgWrite(0x10, 4, (int) (BAR0 + 0x100000));
            assertEquals(List.of((BAR0 + 0x100000) + ":" + (1 << 20)), describe(barSlots()), "moved with the BAR");
            assertEquals(null, mmio.find(BAR0));
            cfgWrite(0x04, 2, 0x0);
            assertEquals(List.of(), barSlots(), "decoding off takes it out again");
        }
        assertEquals(List.of(), barSlots());
    }

    private static List<String> describe(List<MemorySlot> slots) {
        return slots.stream().map(s -> s.guestAddress().value() + ":" + s.size()).toList();
    }

    @Test
    void msiTakesOverFromIntxWithARouteForTheProgrammedMessage() {
        try (VfioPassthrough p = attach(edu())) {
            cfgWrite(0x44, 4, 0xfee00000);
            cfgWrite(0x48, 4, 0);
            cfgWrite(0x4c, 2, 0x4021);
            cfgWrite(0x42, 2, 0x0081);  // MSI enable
            var edu = host.device(VfioFixtures.EDU);
            assertEquals(1, edu.triggers(1).size(), "MSI vector 0 goes to an irqfd");
            assertEquals(Map.of(), edu.triggers(0), "INTx is off while MSI is on (VFIO allows one index)");
            assertEquals(Set.of(new Irqchip.MsiRoute(0xfee00000L, 0x4021)), Set.copyOf(chip.msiRoutes().values()));
            cfgWrite(0x4c, 2, 0x4022);
            assertEquals(Set.of(new Irqchip.MsiRoute(0xfee00000L, 0x4022)), Set.copyOf(chip.msiRoutes().values()),
                    "reprogramming rewrites the route");
            cfgWrite(0x42, 2, 0x0080);  // MSI disable
            assertEquals(Map.of(), edu.triggers(1));
            assertEquals(1, edu.triggers(0).size(), "INTx is back");
            assertEquals(Map.of(), chip.msiRoutes());
        }
    }

    @Test
    void closingGivesEverythingBack() {
        Set<Integer> fdsBefore = host.openFds();
        VfioPassthrough p = attach(edu());
        cfgWrite(0x04, 2, 0x2);
        p.close();
        assertEquals(fdsBefore, host.openFds(), "container, group, device fds closed");
        assertEquals(0, host.openMmaps(), "BAR mmaps unmapped");
        assertEquals(Map.of(), host.dmaMappings());
        assertEquals(List.of(), barSlots(), "no KVM slot points at an unmapped BAR");
        assertEquals(null, mmio.find(BAR0));
        assertEquals(List.of(), announced);
    }

    @Test
    void tooLittleMemlockIsRefusedBeforeAnythingIsOpened() {
        Set<Integer> fdsBefore = host.openFds();
        var memlock = new dev.rig.vfio.VfioMemlock(1 << 20, 1 << 20, false, 0);  // 1 MiB, no CAP_IPC_LOCK
        VfioException e = assertThrows(VfioException.class,
                () -> VfioPassthrough.attach(host, groupFiles, memlock, target, List.of(edu())));
        assertTrue(e.getMessage().contains("ulimit -l"), e.getMessage());
        assertEquals(fdsBefore, host.openFds());
        assertEquals(List.of(), host.calls().stream().filter(c -> c.startsWith("open")).toList());
    }

    // ---- a GPU: 64-bit BARs, an I/O BAR, MSI-X in BAR0, the GPUDirect clique ----

    private static final long GPU_BAR0 = 0xC100_0000L, GPU_BAR1 = 0x40_0000_0000L, GPU_BAR3 = 0x40_1000_0000L;
    private static final int GPU_PORTS = 0x1000;

    private static GuestPciFunction.Passthrough gpu() {
        PciDevice dev = PciDevice.builder(PciAddress.parse(VfioFixtures.GPU)).vendorId(0x10de).deviceId(0x2204)
                .classCode(0x030000).iommuGroup(22).build();
        return new GuestPciFunction.Passthrough(PciAddress.of(0, SLOT, 0), spec(VfioFixtures.GPU, OptionalInt.of(2)), dev,
                Optional.empty(), List.of(
                new BarPlacement(BarRequest.mem32("gpu", 0, 16 << 20, 0), new AddressRange(GPU_BAR0, 16 << 20)),
                new BarPlacement(BarRequest.mem64("gpu", 1, 256 << 20, true, 0), new AddressRange(GPU_BAR1, 256 << 20)),
                new BarPlacement(BarRequest.mem64("gpu", 3, 32 << 20, true, 0), new AddressRange(GPU_BAR3, 32 << 20))),
                List.of(new GuestPciFunction.IoBar(5, new AddressRange(GPU_PORTS, 128))), false, OptionalInt.of(11));
    }

    @Test
    void gpuBarsMapAroundTheMsixTableAndTheIoBarIsTrappedOnThePortBus() {
        try (VfioPassthrough p = attach(gpu())) {
            assertEquals((int) (GPU_BAR1 | 0xc), cfg(0x14, 4));
            assertEquals((int) (GPU_BAR1 >>> 32), cfg(0x18, 4));
            cfgWrite(0x04, 2, 0x3);
            List<String> slots = describe(barSlots());
            assertTrue(slots.contains(GPU_BAR1 + ":" + (256 << 20)), slots.toString());
            assertTrue(slots.contains(GPU_BAR3 + ":" + (32 << 20)), slots.toString());
            assertTrue(slots.contains(GPU_BAR0 + ":" + 0xb90000), "BAR0 up to the MSI-X table page: " + slots);
            assertTrue(barSlots().stream().noneMatch(s -> s.overlaps(GuestAddress.of(GPU_BAR0 + 0xb90000), 0x1000)),
                    "the table's page is trapped");
            assertEquals("vfio-" + VfioFixtures.GPU + "-bar5", pio.find(GPU_PORTS).id());
        }
    }

    @Test
    void msixVectorsGetRoutesFromTheTrappedTable() {
        try (VfioPassthrough p = attach(gpu())) {
            cfgWrite(0x04, 2, 0x2);
            var table = mmio.find(GPU_BAR0 + 0xb90000);
            long at = GPU_BAR0 + 0xb90000 - table.base();
            table.device().write(at, 4, 0xfee00000L);
            table.device().write(at + 8, 4, 0x4030);
            table.device().write(at + 12, 4, 0);  // unmask vector 0
            assertEquals(0x4030, table.device().read(at + 8, 4), "the table reads back what the guest wrote");
            cfgWrite(0xca, 2, 0x8000);  // MSI-X enable
            var gpu = host.device(VfioFixtures.GPU);
            assertEquals(6, gpu.triggers(2).size(), "every vector has an irqfd");
            assertTrue(chip.msiRoutes().containsValue(new Irqchip.MsiRoute(0xfee00000L, 0x4030)), chip.msiRoutes().toString());
            assertEquals(6, chip.msiRoutes().size());
            assertEquals(Map.of(), gpu.triggers(0), "INTx off");
        }
        assertEquals(Map.of(), chip.msiRoutes(), "routes and GSIs given back");
    }

    @Test
    void gpuDirectCliqueIsInTheGuestsCapabilityList() {
        try (VfioPassthrough p = attach(gpu())) {
            int at = cfg(0x34, 1);
            int found = -1;
            for (int hops = 0; at != 0 && hops < 48; hops++, at = cfg(at + 1, 1))
                if (cfg(at, 1) == 0x09 && cfg(at + 3, 1) == 'P' && cfg(at + 4, 1) == '2' && cfg(at + 5, 1) == 'P') found = at;
            assertTrue(found > 0, "a vendor capability with the P2P signature");
            assertEquals(2 << 3, cfg(found + 6, 1), "clique 2, shifted as CH and QEMU write it");
            assertTrue(host.device(VfioFixtures.GPU).resets() >= 1, "reset before the guest looks");
        }
    }
}
