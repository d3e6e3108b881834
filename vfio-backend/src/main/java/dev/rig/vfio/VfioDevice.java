package dev.rig.vfio;

import dev.rig.sys.Errno;
import dev.rig.sys.IoctlRequest;
import dev.rig.sys.Libc;
import dev.rig.sys.SyscallException;
import dev.rig.vfio.pci.ConfigSource;
import dev.rig.vfio.sys.SysFd;
import dev.rig.vfio.sys.VfioIoctls;
import dev.rig.vfio.sys.VfioStructs;
import dev.rig.vfio.sys.VfioStructs.DeviceInfo;
import dev.rig.vfio.sys.VfioStructs.IrqInfo;
import dev.rig.vfio.sys.VfioStructs.IrqSet;
import dev.rig.vfio.sys.VfioSys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A device fd from {@link VfioGroup#device(String)}: its info, regions and IRQs (read once at open), interrupt
 * set-up, reset, config space and region access, and region mmaps, which live in this device's arena and are
 * unmapped when it closes. Errors name the device, the ioctl and errno.
 */
public final class VfioDevice implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VfioDevice.class);
    private static final long PAGE = 4096;

    private final VfioGroup group;
    private final String name;
    private final SysFd fd;
    private final VfioSys sys;
    private final VfioDeviceInfo info;
    private final List<VfioRegionInfo> regions;
    private final List<VfioIrqInfo> irqs;
    private final Arena mappings = Arena.ofShared();
    private final Map<Integer, List<SysFd>> ownedTriggers = new HashMap<>();

    private VfioDevice(VfioGroup group, String name, SysFd fd) {
        this.group = group;
        this.name = name;
        this.fd = fd;
        this.sys = group.container().sys();
        this.info = readInfo();
        List<VfioRegionInfo> r = new ArrayList<>();
        for (int i = 0; i < info.numRegions(); i++) r.add(RegionInfoReader.read(this, i));
        this.regions = List.copyOf(r);
        List<VfioIrqInfo> q = new ArrayList<>();
        for (int i = 0; i < info.numIrqs(); i++) q.add(readIrqInfo(i));
        this.irqs = List.copyOf(q);
    }

    /** Reads everything about the device; closes the fd if that fails. */
    static VfioDevice open(VfioGroup group, String name, SysFd fd) {
        try {
            return new VfioDevice(group, name, fd);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    public String name() { return name; }

    public VfioGroup group() { return group; }

    public VfioDeviceInfo info() { return info; }

    public List<VfioRegionInfo> regions() { return regions; }

    public VfioRegionInfo region(int index) {
        if (index < 0 || index >= regions.size())
            throw new IllegalArgumentException(who() + " has no region " + index + " (it has " + regions.size() + ")");
        return regions.get(index);
    }

    public List<VfioIrqInfo> irqs() { return irqs; }

    public VfioIrqInfo irq(int index) {
        if (index < 0 || index >= irqs.size())
            throw new IllegalArgumentException(who() + " has no IRQ index " + index + " (it has " + irqs.size() + ")");
        return irqs.get(index);
    }

    private String who() { return "VFIO device " + name; }

    private VfioDeviceInfo readInfo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(DeviceInfo.LAYOUT.byteSize(), 8);
            DeviceInfo.ARGSZ.set(s, (int) DeviceInfo.LAYOUT.byteSize());
            ioctl(VfioIoctls.DEVICE_GET_INFO, s, null);
            return new VfioDeviceInfo(DeviceInfo.FLAGS.get(s), DeviceInfo.NUM_REGIONS.get(s), DeviceInfo.NUM_IRQS.get(s));
        }
    }

    private VfioIrqInfo readIrqInfo(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(IrqInfo.LAYOUT.byteSize(), 8);
            IrqInfo.ARGSZ.set(s, (int) IrqInfo.LAYOUT.byteSize());
            IrqInfo.INDEX.set(s, index);
            try {
                fd.ioctl(VfioIoctls.DEVICE_GET_IRQ_INFO, s);
            } catch (SyscallException e) {
                if (e.errno() == Errno.EINVAL) return new VfioIrqInfo(index, 0, 0);  // index not implemented
                throw new VfioException(who(), e, null);
            }
            return new VfioIrqInfo(index, IrqInfo.FLAGS.get(s), IrqInfo.COUNT.get(s));
        }
    }

    int ioctl(IoctlRequest request, MemorySegment arg, String hint) {
        try {
            return fd.ioctl(request, arg);
        } catch (SyscallException e) {
            throw new VfioException(who(), e, hint);
        }
    }

    SysFd fd() { return fd; }

    // ---- interrupts (VFIO_DEVICE_SET_IRQS) ----

    /**
     * ACTION_TRIGGER | DATA_EVENTFD: the kernel signals eventfds[i] for vector start+i; -1 de-assigns one.
     * The eventfds stay the caller's (e.g. KVM irqfds).
     */
    public void setIrqEventfds(int index, int start, int... eventfds) {
        requireIrq(index, start, eventfds.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = irqSet(arena, IrqSet.DATA_EVENTFD | IrqSet.ACTION_TRIGGER, index, start,
                    eventfds.length, eventfds.length * 4L);
            for (int i = 0; i < eventfds.length; i++) set.set(ValueLayout.JAVA_INT_UNALIGNED, IrqSet.DATA + 4L * i, eventfds[i]);
            ioctl(VfioIoctls.DEVICE_SET_IRQS, set, "check the IRQ index's count (VFIO_DEVICE_GET_IRQ_INFO) and, "
                    + "for MSI/MSI-X, that the vectors are enabled as one set");
        }
    }

    /**
     * Creates {@code count} eventfds owned by this device and makes them the triggers of vectors 0..count-1 of the
     * index; they are closed by {@link #disableIrq} or when the device closes.
     */
    public synchronized List<SysFd> enableIrq(int index, int count) {
        requireIrq(index, 0, count);
        if (ownedTriggers.containsKey(index)) disableIrq(index);
        List<SysFd> fds = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++)
                fds.add(new SysFd(sys, sys.eventfd(0, Libc.EFD_NONBLOCK), name + " IRQ " + index + "." + i));
            setIrqEventfds(index, 0, fds.stream().mapToInt(SysFd::fd).toArray());
        } catch (RuntimeException e) {
            fds.forEach(SysFd::close);
            throw e;
        }
        ownedTriggers.put(index, List.copyOf(fds));
        return List.copyOf(fds);
    }

    /**
     * ACTION_UNMASK | DATA_EVENTFD: the kernel unmasks the vector whenever the eventfd is signalled. With a KVM
     * resample irqfd as that eventfd, a level-triggered INTx is re-armed when the guest EOIs, with no exit.
     */
    public void setIrqUnmaskEventfd(int index, int vector, int eventfd) {
        requireIrq(index, vector, 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = irqSet(arena, IrqSet.DATA_EVENTFD | IrqSet.ACTION_UNMASK, index, vector, 1, 4);
            set.set(ValueLayout.JAVA_INT_UNALIGNED, IrqSet.DATA, eventfd);
            ioctl(VfioIoctls.DEVICE_SET_IRQS, set, "the IRQ index must be maskable (VFIO_IRQ_INFO_MASKABLE), as INTx is");
        }
    }

    /** DATA_NONE | ACTION_UNMASK: re-arms automasked (INTx) lines after the VMM handled them. */
    public void unmaskIrq(int index, int start, int count) {
        requireIrq(index, start, count);
        irqAction(IrqSet.DATA_NONE | IrqSet.ACTION_UNMASK, index, start, count);
    }

    /** DATA_NONE | ACTION_MASK. */
    public void maskIrq(int index, int start, int count) {
        requireIrq(index, start, count);
        irqAction(IrqSet.DATA_NONE | IrqSet.ACTION_MASK, index, start, count);
    }

    /** DATA_NONE | ACTION_TRIGGER with count 0: disables the whole index; closes eventfds this device made for it. */
    public synchronized void disableIrq(int index) {
        irq(index);
        try {
            irqAction(IrqSet.DATA_NONE | IrqSet.ACTION_TRIGGER, index, 0, 0);
        } finally {
            List<SysFd> owned = ownedTriggers.remove(index);
            if (owned != null) owned.forEach(SysFd::close);
        }
    }

    private void irqAction(int flags, int index, int start, int count) {
        try (Arena arena = Arena.ofConfined()) {
            ioctl(VfioIoctls.DEVICE_SET_IRQS, irqSet(arena, flags, index, start, count, 0), null);
        }
    }

    private static MemorySegment irqSet(Arena arena, int flags, int index, int start, int count, long dataBytes) {
        long argsz = IrqSet.DATA + dataBytes;
        MemorySegment s = arena.allocate(argsz, 8);
        IrqSet.ARGSZ.set(s, (int) argsz);
        IrqSet.FLAGS.set(s, flags);
        IrqSet.INDEX.set(s, index);
        IrqSet.START.set(s, start);
        IrqSet.COUNT.set(s, count);
        return s;
    }

    private void requireIrq(int index, int start, int count) {
        VfioIrqInfo irq = irq(index);
        if (start < 0 || count < 0 || (long) start + count > irq.count())
            throw new IllegalArgumentException(String.format("%s IRQ index %d has %d vectors: %d..%d is out of range",
                    who(), index, irq.count(), start, start + count - 1));
    }

    // ---- reset ----

    /** VFIO_DEVICE_RESET when the device offers it; false (and nothing done) when it has no reset mechanism. */
    public boolean reset() {
        if (!info.supportsReset()) {
            log.info("{} has no reset mechanism (VFIO_DEVICE_FLAGS_RESET is clear); not resetting it", who());
            return false;
        }
        try {
            fd.ioctl(VfioIoctls.DEVICE_RESET, 0);
        } catch (SyscallException e) {
            throw new VfioException(who(), e, "the device said it supports reset; check dmesg");
        }
        return true;
    }

    // ---- region access ----

    /** pread of dst.byteSize() bytes at offset within a region. */
    public void readRegion(int index, long offset, MemorySegment dst) {
        VfioRegionInfo r = regionForAccess(index, offset, dst.byteSize(), false);
        try {
            long n = sys.pread(fd.fd(), dst, r.offset() + offset, name + " region " + index);
            if (n != dst.byteSize()) throw new VfioException(String.format("%s: short read of region %d at 0x%x: %d of %d bytes",
                    who(), index, offset, n, dst.byteSize()));
        } catch (SyscallException e) {
            throw new VfioException(who(), e, null);
        }
    }

    /** pwrite of src.byteSize() bytes at offset within a region. */
    public void writeRegion(int index, long offset, MemorySegment src) {
        VfioRegionInfo r = regionForAccess(index, offset, src.byteSize(), true);
        try {
            long n = sys.pwrite(fd.fd(), src, r.offset() + offset, name + " region " + index);
            if (n != src.byteSize()) throw new VfioException(String.format("%s: short write of region %d at 0x%x: %d of %d bytes",
                    who(), index, offset, n, src.byteSize()));
        } catch (SyscallException e) {
            throw new VfioException(who(), e, null);
        }
    }

    private VfioRegionInfo regionForAccess(int index, long offset, long length, boolean write) {
        VfioRegionInfo r = region(index);
        if (write ? !r.writable() : !r.readable())
            throw new IllegalArgumentException(who() + " region " + index + " is not " + (write ? "writable" : "readable"));
        if (offset < 0 || length < 0 || offset + length > r.size())
            throw new IllegalArgumentException(String.format("%s region %d: 0x%x+0x%x is outside its 0x%x bytes",
                    who(), index, offset, length, r.size()));
        return r;
    }

    /** A config space read (1, 2 or 4 bytes, little-endian), through VFIO's config region. */
    public int readConfig(int offset, int width) {
        checkWidth(offset, width);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4, 4);
            readRegion(VfioStructs.PCI_CONFIG_REGION, offset, buf.asSlice(0, width));
            int v = buf.get(ValueLayout.JAVA_INT, 0);
            return width == 4 ? v : v & ((1 << (8 * width)) - 1);
        }
    }

    public void writeConfig(int offset, int width, int value) {
        checkWidth(offset, width);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4, 4);
            buf.set(ValueLayout.JAVA_INT, 0, value);
            writeRegion(VfioStructs.PCI_CONFIG_REGION, offset, buf.asSlice(0, width));
        }
    }

    private static void checkWidth(int offset, int width) {
        if ((width != 1 && width != 2 && width != 4) || offset % width != 0)
            throw new IllegalArgumentException("config access of " + width + " bytes at 0x" + Integer.toHexString(offset)
                    + " must be 1, 2 or 4 bytes, naturally aligned");
    }

    /** The physical config space for {@link dev.rig.vfio.pci.VirtualConfigSpace}. */
    public ConfigSource configSource() {
        int size = (int) Math.min(4096, region(VfioStructs.PCI_CONFIG_REGION).size());
        return new ConfigSource() {
            @Override public int size() { return size; }
            @Override public int read(int offset, int width) { return readConfig(offset, width); }
            @Override public void write(int offset, int width, int value) { writeConfig(offset, width, value); }
        };
    }

    /** A virtual config space over this device, with BAR and ROM sizes from its regions (add options, build). */
    public dev.rig.vfio.pci.VirtualConfigSpace.Builder virtualConfigSpace(boolean exposeRom) {
        return dev.rig.vfio.pci.VirtualConfigSpace.builder(configSource()).barSizes(barSizes()).rom(romSize(), exposeRom);
    }

    /** Region sizes of BAR0..BAR5 (0 for unimplemented ones and for the upper halves of 64-bit BARs). */
    public long[] barSizes() {
        long[] sizes = new long[6];
        for (int i = 0; i < 6 && i < regions.size(); i++) sizes[i] = regions.get(i).size();
        return sizes;
    }

    public long romSize() {
        return regions.size() > VfioStructs.PCI_ROM_REGION ? regions.get(VfioStructs.PCI_ROM_REGION).size() : 0;
    }

    /**
     * mmap of [offset, offset+length) of a region, which must lie in one mmap-able area (the sparse capability
     * leaves out what must be trapped, such as the MSI-X table). Unmapped when this device closes.
     */
    public MemorySegment mapRegion(int index, long offset, long length) {
        VfioRegionInfo r = region(index);
        if (((offset | length) & (PAGE - 1)) != 0)
            throw new IllegalArgumentException(String.format("%s region %d: mmap of 0x%x+0x%x must be page aligned",
                    who(), index, offset, length));
        if (!r.canMap(offset, length))
            throw new IllegalArgumentException(String.format("%s region %d: 0x%x+0x%x is not in an mmap-able area %s",
                    who(), index, offset, length, r.mmapAreas()));
        int prot = (r.readable() ? Libc.PROT_READ : 0) | (r.writable() ? Libc.PROT_WRITE : 0);
        long address;
        try {
            address = sys.mmap(fd.fd(), r.offset() + offset, length, prot, name + " region " + index);
        } catch (SyscallException e) {
            throw new VfioException(who(), e, "for a BAR, the device's memory decoding must be enabled");
        }
        return MemorySegment.ofAddress(address).reinterpret(length, mappings, s -> sys.munmap(address, length));
    }

    /** Unmaps every region mapping, closes the device fd and then the eventfds this device created. */
    @Override
    public void close() {
        synchronized (this) {
            if (fd.isClosed()) return;
            try {
                if (mappings.scope().isAlive()) mappings.close();
            } finally {
                try {
                    fd.close();
                } finally {
                    ownedTriggers.values().forEach(l -> l.forEach(SysFd::close));
                    ownedTriggers.clear();
                }
            }
        }
        group.forget(this);
    }

    @Override
    public String toString() { return who(); }
}
