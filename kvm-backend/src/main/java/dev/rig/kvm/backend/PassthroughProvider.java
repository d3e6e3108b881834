package dev.rig.kvm.backend;

import dev.rig.engine.graph.GuestPciFunction;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.Irqchip;
import dev.rig.kvm.Vm;
import dev.rig.kvm.acpi.AcpiConfig;
import dev.rig.kvm.devices.Bus;
import dev.rig.kvm.pci.PciRoot;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Gives a KVM VM host PCI functions (vfio-backend implements this; found with ServiceLoader so kvm-backend needs
 * no VFIO code). Called while the machine is built, after guest RAM, the irqchip and the PCI root exist and
 * before the ACPI tables are written and any vCPU runs.
 */
public interface PassthroughProvider {
    /** What a provider plugs devices into. */
    record Target(Vm vm, GuestMemory memory, Irqchip irqchip, Bus mmio, Bus pio, PciRoot root) {}

    /** The attached devices: their INTx routes for the ACPI _PRT, and a close that gives everything back. */
    interface Attached extends AutoCloseable {
        List<AcpiConfig.IntxRoute> intxRoutes();

        @Override
        void close();
    }

    /**
     * Opens the functions (DMA-maps guest RAM for them, wires config space, BARs and interrupts) and adds each at its
     * planned slot of target's root. On failure nothing stays open.
     */
    Attached attach(Target target, List<GuestPciFunction.Passthrough> functions);

    static Optional<PassthroughProvider> find() {
        return ServiceLoader.load(PassthroughProvider.class, PassthroughProvider.class.getClassLoader()).findFirst();
    }
}
