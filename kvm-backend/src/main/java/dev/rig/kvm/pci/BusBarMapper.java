package dev.rig.kvm.pci;

import dev.rig.kvm.devices.Bus;
import dev.rig.kvm.devices.BusConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a function's memory BARs registered on the MMIO bus (I/O BARs on the PIO bus) at the addresses the
 * guest programs: the {@link BarMoveListener} a VMM passes to {@link PciRoot#add} when it has nothing else to
 * move (ioeventfds inside a BAR need their own listener that also re-registers them).
 */
public final class BusBarMapper implements BarMoveListener {
    private static final Logger log = LoggerFactory.getLogger(BusBarMapper.class);
    private final EmulatedPciFunction function;
    private final String name;
    private final Bus mmio, pio;

    public BusBarMapper(EmulatedPciFunction function, String name, Bus mmio, Bus pio) {
        this.function = function;
        this.name = name;
        this.mmio = mmio;
        this.pio = pio;
    }

    /** Registers every BAR that already has an address (the VMM's initial placement). */
    public void registerAll() {
        for (PciBar bar : function.bars()) {
            long at = function.configSpace().barAddress(bar.index());
            if (at != 0) barMoved(bar, 0, at);
        }
    }

    public String id(PciBar bar) { return name + "-bar" + bar.index(); }

    @Override
    public void barMoved(PciBar bar, long oldAddress, long newAddress) {
        Bus bus = bar.isMemory() ? mmio : pio;
        if (function.barDevice(bar.index()) == null) return;
        bus.unregister(id(bar));
        if (newAddress == 0) return;
        try {
            bus.register(newAddress, bar.size(), id(bar), function.barDevice(bar.index()));
        } catch (BusConflictException e) {
            // The guest placed the BAR over something else: leave it unmapped (a real bus would misdecode),
            // rather than throwing into the vCPU that wrote config space.
            log.error("{}: BAR {} not mapped: {}", name, bar.index(), e.getMessage());
        }
    }
}
