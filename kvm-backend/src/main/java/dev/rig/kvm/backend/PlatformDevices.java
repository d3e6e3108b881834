package dev.rig.kvm.backend;

import dev.rig.engine.graph.DeviceGraph;
import dev.rig.engine.graph.PciSegmentNode;
import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.Irqchip;
import dev.rig.kvm.acpi.AcpiConfig;
import dev.rig.kvm.acpi.AcpiPmDevice;
import dev.rig.kvm.acpi.AcpiTables;
import dev.rig.kvm.devices.Bus;
import dev.rig.kvm.pci.PciConfigIo;
import dev.rig.kvm.pci.PciEcam;
import dev.rig.kvm.pci.PciRoot;

import java.util.List;

/**
 * What a Linux guest finds beyond CPUs and RAM: ACPI tables in the BIOS area (CPUs, IOAPIC, PCI host bridges
 * with their apertures, the PM block for power-off and reset), the PM device behind them (SCI on GSI 9), and
 * segment 0's PCI root on the config ports and its ECAM window.
 */
final class PlatformDevices {
    private PlatformDevices() {}

    /** Installs the platform and returns the ACPI root pointer's guest address (for boot_params). */
    static long install(DeviceGraph graph, int cpus, GuestMemory memory, Bus pio, Bus mmio, Irqchip chip,
                        Runnable onPowerOff, Runnable onReset) {
        PciSegmentNode seg0 = graph.segments().getFirst();
        PciRoot root = PciRoot.withHostBridge();
        pio.register(PciConfigIo.BASE, PciConfigIo.PORTS, "pci-config", new PciConfigIo(root));
        mmio.register(seg0.aperture().ecam().start(), PciEcam.SIZE, "pci-ecam-0", new PciEcam(root));

        // Only segment 0 has devices behind it for now; describing more segments would promise empty buses.
        AcpiConfig.PciSegment segment = AcpiConfig.PciSegment.singleBus(0, seg0.aperture().ecam().start(),
                seg0.aperture().mmio32().start(), seg0.aperture().mmio32().size(),
                seg0.aperture().mmio64().start(), seg0.aperture().mmio64().size(),
                AcpiConfig.IoWindow.ABOVE_ISA, List.of());
        AcpiConfig config = AcpiConfig.pc(cpus, List.of(segment));
        AcpiPmDevice pm = new AcpiPmDevice(level -> chip.setLine(config.pm().sciIrq(), level), onPowerOff, onReset);
        pio.register(config.pm().basePort(), AcpiConfig.PmBlock.LENGTH, "acpi-pm", pm);

        AcpiTables.Image tables = AcpiTables.build(config);
        memory.write(GuestAddress.of(tables.baseAddress()), tables.bytes());
        return tables.rsdpAddress();
    }
}
