package dev.rig.vfio.kvm;

import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.MemorySlot;
import dev.rig.kvm.Vm;
import dev.rig.kvm.devices.Bus;
import dev.rig.kvm.devices.BusConflictException;
import dev.rig.vfio.VfioRegionInfo;
import dev.rig.kvm.pci.PciBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One BAR (or the ROM) of a passed-through function at the address the guest gave it: the areas VFIO lets Rig mmap
 * become KVM memory slots (guest accesses go straight to the device, no exit), and a {@link TrappedBarAccess} over
 * the whole BAR answers the rest. The mmaps are made once; a move only re-points slots and the bus registration.
 * The BAR is live only while it has an address and the guest enables its decoding, as on hardware.
 */
final class PassthroughBar {
    private static final Logger log = LoggerFactory.getLogger(PassthroughBar.class);

    /** An mmapped area of the BAR's region: offset within the BAR, and the host mapping. */
    record MappedArea(VfioRegionInfo.Area area, MemorySegment host) {}

    private final String id;
    private final PciBar.Kind kind;
    private final long size;
    private final List<MappedArea> mapped;
    private final TrappedBarAccess trapped;
    private final Vm vm;
    private final Bus bus;
    private final List<MemorySlot> slots = new ArrayList<>();
    private long address;
    private boolean decoding, live;

    PassthroughBar(String id, PciBar bar, List<MappedArea> mapped, TrappedBarAccess trapped, Vm vm, Bus mmio, Bus pio) {
        this.id = id;
        this.kind = bar.kind();
        this.size = bar.size();
        this.mapped = List.copyOf(mapped);
        this.trapped = trapped;
        this.vm = vm;
        this.bus = bar.kind() == PciBar.Kind.IO ? pio : mmio;
    }

    PciBar.Kind kind() { return kind; }

    synchronized void moveTo(long newAddress) {
        address = newAddress;
        update();
    }

    synchronized void setDecoding(boolean enabled) {
        decoding = enabled;
        update();
    }

    private void update() {
        boolean shouldBeLive = decoding && address != 0;
        if (live) unmap();
        if (shouldBeLive) map();
    }

    private void map() {
        try {
            bus.register(address, size, id, trapped);
        } catch (BusConflictException e) {
            // The guest put the BAR over something else: leave it dark (a real bus would misdecode) rather than
            // throw into the vCPU that wrote config space.
            log.error("{} not mapped at 0x{}: {}", id, Long.toHexString(address), e.getMessage());
            return;
        }
        live = true;
        for (MappedArea m : mapped) {
            try {
                slots.add(vm.addMemorySlot(GuestAddress.of(address + m.area().offset()), m.host(), 0));
            } catch (RuntimeException e) {
                log.error("{}: area 0x{}+0x{} stays trapped: {}", id, Long.toHexString(m.area().offset()),
                        Long.toHexString(m.area().size()), e.getMessage());
            }
        }
    }

    private void unmap() {
        for (MemorySlot s : slots) {
            try {
                vm.removeMemorySlot(s.slot());
            } catch (RuntimeException e) {
                log.warn("{}: removing memory slot {}: {}", id, s.slot(), e.getMessage());
            }
        }
        slots.clear();
        bus.unregister(id);
        live = false;
    }

    /** Takes the BAR out of the guest (slots before the mmaps they point at go away with the device). */
    synchronized void close() {
        if (live) unmap();
    }
}
