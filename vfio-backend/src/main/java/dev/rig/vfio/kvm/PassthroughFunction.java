package dev.rig.vfio.kvm;

import dev.rig.engine.alloc.BarPlacement;
import dev.rig.engine.graph.GuestPciFunction;
import dev.rig.kvm.acpi.AcpiConfig;
import dev.rig.kvm.backend.PassthroughProvider;
import dev.rig.kvm.pci.PciFunction;
import dev.rig.vfio.BarMmapAreas;
import dev.rig.vfio.VfioDevice;
import dev.rig.vfio.VfioRegionInfo;
import dev.rig.vfio.pci.ConfigSpaceListener;
import dev.rig.vfio.pci.GpuDirectClique;
import dev.rig.vfio.pci.MsixTable;
import dev.rig.kvm.pci.PciBar;
import dev.rig.vfio.pci.PciRegs;
import dev.rig.vfio.pci.VirtualConfigSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A host PCI function as the guest sees it: config cycles answered by a {@link VirtualConfigSpace} over the VFIO
 * device, each BAR a {@link PassthroughBar} that follows the guest's placement and decode enables, interrupts wired
 * by {@link PassthroughInterrupts}. Built with the plan's placement written into the BARs, as firmware would, so a
 * guest that keeps firmware assignments (Linux does) finds the device where the plan put it.
 */
final class PassthroughFunction implements PciFunction, ConfigSpaceListener, AutoCloseable {
    private final VfioDevice device;
    private final GuestPciFunction.Passthrough plan;
    private final VirtualConfigSpace config;
    private final PassthroughInterrupts interrupts;
    private final Map<Integer, PassthroughBar> bars = new TreeMap<>();

    PassthroughFunction(VfioDevice device, GuestPciFunction.Passthrough plan, PassthroughProvider.Target target) {
        this.device = device;
        this.plan = plan;
        device.reset();  // a clean device before the guest's first look (a no-op without a reset mechanism)
        this.config = device.virtualConfigSpace(plan.romExposed()).build();
        plan.spec().gpudirectClique().ifPresent(clique -> GpuDirectClique.add(config, clique));
        MsixTable table = config.msixLayout().map(l -> new MsixTable(l, forwardToInterrupts())).orElse(null);
        this.interrupts = new PassthroughInterrupts(device, config, target.irqchip(), plan.intxGsi().orElse(-1));
        interrupts.setMsixTable(table);
        String name = "vfio-" + device.name();
        for (PciBar bar : config.bars()) bars.put(bar.index(), newBar(name, bar, table, target));
        config.rom().ifPresent(rom -> bars.put(rom.index(), newBar(name, rom, null, target)));
        config.addListener(this);
        config.addListener(interrupts);
        placeAsFirmware();
        interrupts.start();
    }

    /** MSI-X table events go to the interrupts, which exist only after the table: a late-bound forwarder. */
    private ConfigSpaceListener forwardToInterrupts() {
        return new ConfigSpaceListener() {
            @Override public void msixVectorProgrammed(int v, dev.rig.vfio.pci.MsiMessage m) { interrupts.msixVectorProgrammed(v, m); }
            @Override public void msixVectorMasked(int v, boolean masked) { interrupts.msixVectorMasked(v, masked); }
        };
    }

    private PassthroughBar newBar(String name, PciBar bar, MsixTable table, PassthroughProvider.Target target) {
        int region = bar.index();  // VFIO's BAR regions are 0..5 and the ROM is 6, as the BAR indexes here
        VfioRegionInfo info = device.region(region);
        List<PassthroughBar.MappedArea> mapped = new ArrayList<>();
        if (bar.kind() != PciBar.Kind.IO && bar.kind() != PciBar.Kind.ROM && info.mmapable()) {
            for (VfioRegionInfo.Area a : BarMmapAreas.of(info, region, config.msixLayout()))
                mapped.add(new PassthroughBar.MappedArea(a, device.mapRegion(region, a.offset(), a.size())));
        }
        String id = name + (bar.kind() == PciBar.Kind.ROM ? "-rom" : "-bar" + bar.index());
        return new PassthroughBar(id, bar, mapped, new TrappedBarAccess(device, region, table), target.vm(),
                target.mmio(), target.pio());
    }

    /** Writes the plan's BAR addresses and INTx line the way firmware does, through the guest's view. */
    private void placeAsFirmware() {
        for (BarPlacement p : plan.bars()) {
            int index = p.bar().barIndex();
            long at = p.range().start();
            if (index == PciBar.ROM_INDEX) {
                if (bars.containsKey(index)) config.write(PciRegs.ROM_ADDRESS, 4, (int) at);
                continue;
            }
            PassthroughBar bar = bars.get(index);
            if (bar == null) continue;
            int reg = PciRegs.BAR0 + 4 * index;
            config.write(reg, 4, (int) at);
            if (bar.kind() == PciBar.Kind.MEM64) config.write(reg + 4, 4, (int) (at >>> 32));
        }
        for (GuestPciFunction.IoBar io : plan.ioBars())
            if (bars.containsKey(io.index())) config.write(PciRegs.BAR0 + 4 * io.index(), 4, (int) io.ports().start());
        plan.intxGsi().ifPresent(gsi -> config.write(PciRegs.INTERRUPT_LINE, 1, gsi));
    }

    /** The _PRT entry for this function's pin, when it raises INTx. */
    Optional<AcpiConfig.IntxRoute> intxRoute() {
        if (!interrupts.hasIntx()) return Optional.empty();
        int pin = config.read(PciRegs.INTERRUPT_PIN, 1);
        return Optional.of(new AcpiConfig.IntxRoute(plan.guestAddress().device(), pin - 1, plan.intxGsi().getAsInt()));
    }

    // ---- guest config cycles ----

    @Override
    public int readConfig(int offset, int size) {
        if (offset + size > config.size()) return size == 4 ? -1 : (1 << (8 * size)) - 1;
        return config.read(offset, size);
    }

    @Override
    public void writeConfig(int offset, int size, int value) {
        if (offset + size <= config.size()) config.write(offset, size, value);
    }

    // ---- what the guest's config writes mean for the BARs ----

    @Override
    public void barMoved(PciBar bar, long oldAddress, long newAddress) {
        PassthroughBar b = bars.get(bar.index());
        if (b != null) b.moveTo(newAddress);
    }

    @Override
    public void commandChanged(int oldCommand, int newCommand) {
        boolean mem = (newCommand & PciRegs.COMMAND_MEMORY) != 0, io = (newCommand & PciRegs.COMMAND_IO) != 0;
        bars.forEach((i, b) -> b.setDecoding(b.kind() == PciBar.Kind.IO ? io
                : b.kind() == PciBar.Kind.ROM ? mem && config.romEnabled() : mem));
    }

    /** Interrupts off, BARs out of the guest, the device reset; the caller closes the device (its mmaps) after. */
    @Override
    public void close() {
        try {
            interrupts.close();
        } finally {
            bars.values().forEach(PassthroughBar::close);
            device.reset();
        }
    }

    @Override
    public String toString() { return device.name() + " at guest " + plan.guestAddress(); }
}
