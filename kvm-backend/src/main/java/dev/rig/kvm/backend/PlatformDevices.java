package dev.rig.kvm.backend;

import dev.rig.engine.alloc.BarPlacement;
import dev.rig.engine.graph.DeviceGraph;
import dev.rig.engine.graph.GuestPciFunction;
import dev.rig.engine.graph.PciSegmentNode;
import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.Irqchip;
import dev.rig.kvm.Vm;
import dev.rig.kvm.acpi.AcpiConfig;
import dev.rig.kvm.acpi.AcpiPmDevice;
import dev.rig.kvm.acpi.AcpiTables;
import dev.rig.kvm.devices.Bus;
import dev.rig.kvm.pci.BusBarMapper;
import dev.rig.kvm.pci.PciConfigIo;
import dev.rig.kvm.pci.PciConfigSpace;
import dev.rig.kvm.virtio.VirtioBlock;
import dev.rig.kvm.virtio.VirtioPciDevice;
import dev.rig.kvm.pci.PciEcam;
import dev.rig.kvm.pci.PciRoot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a Linux guest finds beyond CPUs and RAM: ACPI tables in the BIOS area (CPUs, IOAPIC, PCI host bridges
 * with their apertures, the PM block for power-off and reset), the PM device behind them (SCI on GSI 9), and
 * segment 0's PCI root on the config ports and its ECAM window.
 */
final class PlatformDevices {
    private PlatformDevices() {}

    /** Installs the platform and returns the ACPI root pointer's guest address (for boot_params). */
    static long install(DeviceGraph graph, int cpus, Vm vm, GuestMemory memory, Bus pio, Bus mmio, Irqchip chip,
                        Runnable onPowerOff, Runnable onReset, Consumer<AutoCloseable> own) {
        PciSegmentNode seg0 = graph.segments().getFirst();
        PciRoot root = PciRoot.withHostBridge();
        pio.register(PciConfigIo.BASE, PciConfigIo.PORTS, "pci-config", new PciConfigIo(root));
        mmio.register(seg0.aperture().ecam().start(), PciEcam.SIZE, "pci-ecam-0", new PciEcam(root));
        List<AcpiConfig.IntxRoute> intx = new ArrayList<>();
        for (GuestPciFunction f : seg0.functions()) {
            if (f instanceof GuestPciFunction.VirtioBlock disk) intx.add(addDisk(disk, memory, root, mmio, pio, chip, own));
        }
        List<GuestPciFunction.Passthrough> passed = seg0.functions().stream()
                .filter(GuestPciFunction.Passthrough.class::isInstance).map(GuestPciFunction.Passthrough.class::cast).toList();
        if (!passed.isEmpty()) {
            PassthroughProvider provider = PassthroughProvider.find().orElseThrow(() -> new IllegalStateException(
                    "no passthrough provider: rig-vfio-backend is not on the class path"));
            PassthroughProvider.Attached attached = provider.attach(
                    new PassthroughProvider.Target(vm, memory, chip, mmio, pio, root), passed);
            own.accept(attached);
            intx.addAll(attached.intxRoutes());
        }

        // Only segment 0 has devices behind it for now; describing more segments would promise empty buses.
        AcpiConfig.PciSegment segment = AcpiConfig.PciSegment.singleBus(0, seg0.aperture().ecam().start(),
                seg0.aperture().mmio32().start(), seg0.aperture().mmio32().size(),
                seg0.aperture().mmio64().start(), seg0.aperture().mmio64().size(),
                AcpiConfig.IoWindow.ABOVE_ISA, intx);
        AcpiConfig config = AcpiConfig.pc(cpus, List.of(segment));
        AcpiPmDevice pm = new AcpiPmDevice(level -> chip.setLine(config.pm().sciIrq(), level), onPowerOff, onReset);
        pio.register(config.pm().basePort(), AcpiConfig.PmBlock.LENGTH, "acpi-pm", pm);

        AcpiTables.Image tables = AcpiTables.build(config);
        memory.write(GuestAddress.of(tables.baseAddress()), tables.bytes());
        return tables.rsdpAddress();
    }

    /**
     * A disk as virtio-blk at the slot, BAR address and INTx GSI the plan gave it. INTx is a level on the IOAPIC
     * pin; MSI-X messages go in through KVM_SIGNAL_MSI. Queue notifications are MMIO exits handled on the vCPU.
     */
    private static AcpiConfig.IntxRoute addDisk(GuestPciFunction.VirtioBlock disk, GuestMemory memory, PciRoot root,
                                                Bus mmio, Bus pio, Irqchip chip, Consumer<AutoCloseable> own) {
        VirtioBlock block;
        try {
            block = VirtioBlock.open(disk.disk().path(), disk.disk().readonly(), disk.label());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open disk image " + disk.disk().path(), e);
        }
        own.accept(block);
        int gsi = disk.intxGsi().orElseThrow();
        VirtioPciDevice device = new VirtioPciDevice(block, memory, level -> chip.setLine(gsi, level));
        device.setMsiDelivery((vector, address, data) -> chip.signalMsi(address, data));
        device.configSpace().set8(PciConfigSpace.INTERRUPT_LINE, gsi);
        for (BarPlacement bar : disk.bars()) device.configSpace().setBarAddress(bar.bar().barIndex(), bar.range().start());
        int slot = disk.guestAddress().device();
        BusBarMapper mapper = new BusBarMapper(device, "virtio-blk-" + disk.label(), mmio, pio);
        root.add(slot, device, mapper);
        mapper.registerAll();
        return new AcpiConfig.IntxRoute(slot, 0, gsi);
    }
}
