package dev.rig.kvm.backend;

import dev.rig.engine.alloc.BarPlacement;
import dev.rig.engine.graph.DeviceGraph;
import dev.rig.engine.graph.GuestPciFunction;
import dev.rig.engine.graph.PciSegmentNode;
import dev.rig.kvm.CoalescedIo;
import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.Irqchip;
import dev.rig.kvm.Vm;
import dev.rig.kvm.acpi.AcpiConfig;
import dev.rig.kvm.acpi.AcpiPmDevice;
import dev.rig.kvm.acpi.AcpiTables;
import dev.rig.kvm.devices.Bus;
import dev.rig.kvm.devices.PvPanic;
import dev.rig.kvm.pci.BusBarMapper;
import dev.rig.kvm.pci.PciConfigIo;
import dev.rig.kvm.pci.PciConfigSpace;
import dev.rig.kvm.virtio.IrqfdMsiDelivery;
import dev.rig.kvm.virtio.VirtioBlock;
import dev.rig.kvm.virtio.VirtioDoorbells;
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
 * with their apertures, the PM block for power-off and reset, pvpanic), the PM device behind them (SCI on GSI 9),
 * the pvpanic port, and segment 0's PCI root on the config ports and its ECAM window.
 */
final class PlatformDevices {
    private PlatformDevices() {}

    /** Installs the platform and returns the ACPI root pointer's guest address (for boot_params). */
    static long install(DeviceGraph graph, int cpus, GuestMemory memory, Bus pio, Bus mmio, Vm vm, Irqchip chip,
                        Runnable onPowerOff, Runnable onReset, Runnable onPanic, Consumer<AutoCloseable> own) {
        PciSegmentNode seg0 = graph.segments().getFirst();
        PciRoot root = PciRoot.withHostBridge();
        pio.register(PciConfigIo.BASE, PciConfigIo.PORTS, "pci-config", new PciConfigIo(root));
        // Config address writes need no answer: queued by KVM, replayed before the data access exits.
        CoalescedIo.coalescePio(vm, PciConfigIo.BASE, 4);
        mmio.register(seg0.aperture().ecam().start(), PciEcam.SIZE, "pci-ecam-0", new PciEcam(root));
        List<AcpiConfig.IntxRoute> intx = new ArrayList<>();
        for (GuestPciFunction f : seg0.functions()) {
            if (f instanceof GuestPciFunction.VirtioBlock disk) intx.add(addDisk(disk, memory, root, mmio, pio, vm, chip, own));
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
        pio.register(config.pvpanicPort(), 1, "pvpanic", new PvPanic(onPanic));

        AcpiTables.Image tables = AcpiTables.build(config);
        memory.write(GuestAddress.of(tables.baseAddress()), tables.bytes());
        return tables.rsdpAddress();
    }

    /**
     * A disk as virtio-blk at the slot, BAR address and INTx GSI the plan gave it. INTx is a level on the IOAPIC
     * pin; MSI-X vectors get GSI routes and irqfds. Queue notifications ring ioeventfds served by the disk's own
     * threads, so neither direction of a request costs a vCPU exit; both follow the BAR when the guest moves it.
     */
    private static AcpiConfig.IntxRoute addDisk(GuestPciFunction.VirtioBlock disk, GuestMemory memory, PciRoot root,
                                                Bus mmio, Bus pio, Vm vm, Irqchip chip, Consumer<AutoCloseable> own) {
        VirtioBlock block;
        try {
            block = VirtioBlock.open(disk.disk().path(), disk.disk().readonly(), disk.label());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open disk image " + disk.disk().path(), e);
        }
        own.accept(block);
        int gsi = disk.intxGsi().orElseThrow();
        VirtioPciDevice device = new VirtioPciDevice(block, memory, level -> chip.setLine(gsi, level));
        IrqfdMsiDelivery msi = new IrqfdMsiDelivery(chip, device.msix().vectors());
        own.accept(msi);
        device.setMsiDelivery(msi);
        device.configSpace().set8(PciConfigSpace.INTERRUPT_LINE, gsi);
        for (BarPlacement bar : disk.bars()) device.configSpace().setBarAddress(bar.bar().barIndex(), bar.range().start());
        int slot = disk.guestAddress().device();
        String name = "virtio-blk-" + disk.label();
        BusBarMapper mapper = new BusBarMapper(device, name, mmio, pio);
        VirtioDoorbells doorbells = new VirtioDoorbells(device, name, vm);
        own.accept(doorbells);   // closed (threads stopped) before the disk and the VM
        root.add(slot, device, (bar, from, to) -> {
            mapper.barMoved(bar, from, to);
            doorbells.barMoved(bar, from, to);
        });
        mapper.registerAll();
        return new AcpiConfig.IntxRoute(slot, 0, gsi);
    }
}
