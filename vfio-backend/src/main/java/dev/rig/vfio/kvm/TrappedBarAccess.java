package dev.rig.vfio.kvm;

import dev.rig.kvm.devices.BusDevice;
import dev.rig.vfio.VfioDevice;
import dev.rig.vfio.pci.MsixLayout;
import dev.rig.vfio.pci.MsixTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The part of a passed-through BAR that exits to Rig: the MSI-X table and PBA (emulated, because the guest's
 * messages are guest addresses that KVM routes), and whatever VFIO does not let Rig mmap (I/O BARs, small BARs,
 * the ROM), forwarded to the device with pread/pwrite on its region. Registered over the whole BAR: the mmapped
 * areas are KVM memory slots, which take precedence, so their accesses never arrive here.
 */
final class TrappedBarAccess implements BusDevice {
    private static final Logger log = LoggerFactory.getLogger(TrappedBarAccess.class);

    private final VfioDevice device;
    private final int region;
    private final MsixTable msix;  // null unless the table or PBA lives in this BAR
    private final boolean table, pba;

    TrappedBarAccess(VfioDevice device, int region, MsixTable msix) {
        this.device = device;
        this.region = region;
        MsixLayout l = msix == null ? null : msix.layout();
        this.table = l != null && l.tableBar() == region;
        this.pba = l != null && l.pbaBar() == region;
        this.msix = table || pba ? msix : null;
    }

    @Override
    public long read(long offset, int size) {
        MsixLayout l = msix == null ? null : msix.layout();
        try {
            if (table && within(offset, size, l.tableOffset(), l.tableBytes())) return msix.readTable(offset - l.tableOffset(), size);
            if (pba && within(offset, size, l.pbaOffset(), l.pbaBytes())) return msix.readPba(offset - l.pbaOffset(), size);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(8, 8);
                device.readRegion(region, offset, buf.asSlice(0, size));
                long v = buf.get(ValueLayout.JAVA_LONG, 0);
                return size == 8 ? v : v & ((1L << (8 * size)) - 1);
            }
        } catch (RuntimeException e) {
            log.warn("{} region {}: read of {} bytes at 0x{}: {}", device.name(), region, size, Long.toHexString(offset),
                    e.getMessage());
            return size == 8 ? -1L : (1L << (8 * size)) - 1;
        }
    }

    @Override
    public void write(long offset, int size, long value) {
        MsixLayout l = msix == null ? null : msix.layout();
        try {
            if (table && within(offset, size, l.tableOffset(), l.tableBytes())) {
                msix.writeTable(offset - l.tableOffset(), size, value);
                return;
            }
            if (pba && within(offset, size, l.pbaOffset(), l.pbaBytes())) return;  // the PBA is read-only
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(8, 8);
                buf.set(ValueLayout.JAVA_LONG, 0, value);
                device.writeRegion(region, offset, buf.asSlice(0, size));
            }
        } catch (RuntimeException e) {
            // A bad guest access must not kill the vCPU that made it; real hardware would drop it too.
            log.warn("{} region {}: write of {} bytes at 0x{}: {}", device.name(), region, size, Long.toHexString(offset),
                    e.getMessage());
        }
    }

    private static boolean within(long offset, int size, long start, long length) {
        return offset >= start && offset + size <= start + length;
    }
}
