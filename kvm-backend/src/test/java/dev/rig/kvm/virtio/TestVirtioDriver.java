package dev.rig.kvm.virtio;

import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.devices.Bus;
import dev.rig.kvm.pci.BarMoveListener;
import dev.rig.kvm.pci.BusBarMapper;
import dev.rig.kvm.pci.PciConfigIo;
import dev.rig.kvm.pci.PciRoot;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What Linux's virtio_pci_modern and virtio_blk do, reduced to the steps the device can observe: enumerate
 * through 0xCF8/0xCFC, program BAR 0, walk the vendor capabilities to find the structures, negotiate, set up
 * queue 0 in guest memory and submit requests through its split ring. All device access goes through the
 * PIO and MMIO buses, as a guest's would.
 */
final class TestVirtioDriver {
    static final long BAR = 0xe000_0000L;
    static final int SLOT = 3;
    static final long DESC = 0x1000, AVAIL = 0x2000, USED = 0x3000, INDIRECT = 0x4000;
    static final long HEADER = 0x10000, DATA = 0x20000, STATUS = 0x30000;

    final GuestMemory memory;
    final Bus pio = new Bus("pio"), mmio = new Bus("mmio");
    int common = -1, notify = -1, notifyMultiplier, isr = -1, deviceCfg = -1, msixCap = -1;
    int queueSize;
    private int availIdx, nextDesc;

    TestVirtioDriver(GuestMemory memory, VirtioPciDevice device) { this(memory, device, (bar, from, to) -> {}); }

    /** also hears the BAR moves after the bus mapper (e.g. ioeventfds that follow the BAR). */
    TestVirtioDriver(GuestMemory memory, VirtioPciDevice device, BarMoveListener also) {
        this.memory = memory;
        PciRoot root = PciRoot.withHostBridge();
        BusBarMapper mapper = new BusBarMapper(device, "virtio-blk", mmio, pio);
        root.add(SLOT, device, (bar, from, to) -> {
            mapper.barMoved(bar, from, to);
            also.barMoved(bar, from, to);
        });
        pio.register(PciConfigIo.BASE, PciConfigIo.PORTS, "pci-cf8", new PciConfigIo(root));
    }

    // ---- config space through the ports ----

    long cfgRead(int reg, int size) {
        io(0, 4, 0x8000_0000L | SLOT << 11 | (reg & 0xfc));
        return pioRead(PciConfigIo.BASE + 4 + (reg & 3), size);
    }

    void cfgWrite(int reg, int size, long value) {
        io(0, 4, 0x8000_0000L | SLOT << 11 | (reg & 0xfc));
        pioWrite(PciConfigIo.BASE + 4 + (reg & 3), size, value);
    }

    private void io(int port, int size, long value) { pioWrite(PciConfigIo.BASE + port, size, value); }

    private long pioRead(long port, int size) { return busRead(pio, port, size); }

    private void pioWrite(long port, int size, long value) { busWrite(pio, port, size, value); }

    static long busRead(Bus bus, long address, int size) {
        Bus.Mapping m = bus.find(address);
        if (m == null) return size == 8 ? -1L : (1L << (8 * size)) - 1;
        return m.device().read(address - m.base(), size);
    }

    static void busWrite(Bus bus, long address, int size, long value) {
        Bus.Mapping m = bus.find(address);
        if (m != null) m.device().write(address - m.base(), size, value);
    }

    long bar(long offset, int size) { return busRead(mmio, BAR + offset, size); }

    void bar(long offset, int size, long value) { busWrite(mmio, BAR + offset, size, value); }

    /** Programs BAR 0, enables memory decode and bus mastering, and finds the virtio structures. */
    void probe() {
        cfgWrite(0x10, 4, 0xffff_ffffL);
        long sizeMask = cfgRead(0x10, 4) & ~0xfL;
        if (((~sizeMask + 1) & 0xffff_ffffL) != VirtioPciDevice.BAR_SIZE) throw new AssertionError("BAR size");
        cfgWrite(0x10, 4, BAR);
        cfgWrite(0x04, 2, 0x6);
        for (int at = (int) cfgRead(0x34, 1); at != 0; at = (int) cfgRead(at + 1, 1)) {
            int id = (int) cfgRead(at, 1);
            if (id == 0x11) msixCap = at;
            if (id != 0x09) continue;
            int type = (int) cfgRead(at + 3, 1);
            if (cfgRead(at + 4, 1) != 0) throw new AssertionError("structure not in BAR 0");
            int offset = (int) cfgRead(at + 8, 4);
            switch (type) {
                case 1 -> common = offset;
                case 2 -> { notify = offset; notifyMultiplier = (int) cfgRead(at + 16, 4); }
                case 3 -> isr = offset;
                case 4 -> deviceCfg = offset;
                default -> { }
            }
        }
    }

    int status() { return (int) bar(common + VirtioPciDevice.DEVICE_STATUS, 1); }

    void setStatus(int s) { bar(common + VirtioPciDevice.DEVICE_STATUS, 1, s); }

    long deviceFeatures() {
        bar(common + VirtioPciDevice.DEVICE_FEATURE_SELECT, 4, 0);
        long lo = bar(common + VirtioPciDevice.DEVICE_FEATURE, 4);
        bar(common + VirtioPciDevice.DEVICE_FEATURE_SELECT, 4, 1);
        return lo | bar(common + VirtioPciDevice.DEVICE_FEATURE, 4) << 32;
    }

    /** reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns whether the device kept FEATURES_OK. */
    boolean negotiate(long features) {
        setStatus(0);
        setStatus(Virtio.STATUS_ACKNOWLEDGE);
        setStatus(Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER);
        bar(common + VirtioPciDevice.DRIVER_FEATURE_SELECT, 4, 0);
        bar(common + VirtioPciDevice.DRIVER_FEATURE, 4, features & 0xffff_ffffL);
        bar(common + VirtioPciDevice.DRIVER_FEATURE_SELECT, 4, 1);
        bar(common + VirtioPciDevice.DRIVER_FEATURE, 4, features >>> 32);
        setStatus(Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER | Virtio.STATUS_FEATURES_OK);
        return (status() & Virtio.STATUS_FEATURES_OK) != 0;
    }

    /** Queue 0 with size entries, vector as its MSI-X vector (0xffff: none); 64-bit fields as two dwords. */
    void setUpQueue(int size, int vector) {
        bar(common + VirtioPciDevice.QUEUE_SELECT, 2, 0);
        if (bar(common + VirtioPciDevice.QUEUE_SIZE, 2) < size) throw new AssertionError("queue too small");
        bar(common + VirtioPciDevice.QUEUE_SIZE, 2, size);
        queueSize = size;
        writeQueueAddress(VirtioPciDevice.QUEUE_DESC, DESC);
        writeQueueAddress(VirtioPciDevice.QUEUE_DRIVER, AVAIL);
        writeQueueAddress(VirtioPciDevice.QUEUE_DEVICE, USED);
        bar(common + VirtioPciDevice.QUEUE_MSIX_VECTOR, 2, vector);
        bar(common + VirtioPciDevice.QUEUE_ENABLE, 2, 1);
        availIdx = 0;
        nextDesc = 0;
        seg(AVAIL, 6 + 2L * size).fill((byte) 0);
        seg(USED, 6 + 8L * size).fill((byte) 0);
    }

    private void writeQueueAddress(int reg, long gpa) {
        bar(common + reg, 4, gpa & 0xffff_ffffL);
        bar(common + reg + 4, 4, gpa >>> 32);
    }

    void driverOk() { setStatus(status() | Virtio.STATUS_DRIVER_OK); }

    MemorySegment seg(long gpa, long len) { return memory.slice(GuestAddress.of(gpa), len); }

    /** A descriptor in the table at tableGpa (the queue's, or an indirect one). */
    void descriptor(long tableGpa, int index, long addr, int len, int flags, int next) {
        MemorySegment d = seg(tableGpa + 16L * index, 16);
        d.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, addr);
        d.set(ValueLayout.JAVA_INT_UNALIGNED, 8, len);
        d.set(ValueLayout.JAVA_SHORT_UNALIGNED, 12, (short) flags);
        d.set(ValueLayout.JAVA_SHORT_UNALIGNED, 14, (short) next);
    }

    /** Builds header (+ data) + status as a direct chain; returns its head. data may be 0 length. */
    int blkChain(int type, long sector, long dataGpa, int dataLen, boolean dataWritable) {
        writeHeader(type, sector);
        int head = nextDesc;
        int n = dataLen > 0 ? 3 : 2;
        nextDesc = (nextDesc + n) % queueSize;
        int h = head, d = (head + 1) % queueSize, s = (head + n - 1) % queueSize;
        descriptor(DESC, h, HEADER, 16, Virtio.DESC_F_NEXT, dataLen > 0 ? d : s);
        if (dataLen > 0) descriptor(DESC, d, dataGpa, dataLen, Virtio.DESC_F_NEXT | (dataWritable ? Virtio.DESC_F_WRITE : 0), s);
        descriptor(DESC, s, STATUS, 1, Virtio.DESC_F_WRITE, 0);
        seg(STATUS, 1).set(ValueLayout.JAVA_BYTE, 0, (byte) 0x7f);
        return head;
    }

    void writeHeader(int type, long sector) {
        MemorySegment h = seg(HEADER, 16);
        h.set(ValueLayout.JAVA_INT_UNALIGNED, 0, type);
        h.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 0);
        h.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, sector);
    }

    /** Puts head in the available ring, publishes it and notifies queue 0 through the notify region. */
    void submit(int head) {
        publish(head);
        bar(notify + (long) notifyMultiplier * bar(common + VirtioPciDevice.QUEUE_NOTIFY_OFF, 2), 2, 0);
    }

    /** Puts head in the available ring and publishes it, without notifying (a guest's doorbell write does that). */
    void publish(int head) {
        seg(AVAIL + 4 + 2L * (availIdx % queueSize), 2).set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) head);
        availIdx = (availIdx + 1) & 0xffff;
        seg(AVAIL + 2, 2).set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) availIdx);
    }

    int usedIdx() { return seg(USED + 2, 2).get(ValueLayout.JAVA_SHORT_UNALIGNED, 0) & 0xffff; }

    /** The used element at ring position i: {id, len}. */
    int[] used(int i) {
        MemorySegment e = seg(USED + 4 + 8L * (i % queueSize), 8);
        return new int[] {e.get(ValueLayout.JAVA_INT_UNALIGNED, 0), e.get(ValueLayout.JAVA_INT_UNALIGNED, 4)};
    }

    int blkStatus() { return seg(STATUS, 1).get(ValueLayout.JAVA_BYTE, 0) & 0xff; }
}
