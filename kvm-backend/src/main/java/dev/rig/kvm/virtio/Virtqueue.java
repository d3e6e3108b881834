package dev.rig.kvm.virtio;

import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.pci.MsixTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A split virtqueue (virtio 1.x 2.7): the descriptor table, the driver ("available") ring and the device
 * ("used") ring in guest memory. The driver-side configuration fields are set through the transport's common
 * config; {@link #activate} validates them against guest RAM once, after which {@link #pop} and {@link #push}
 * work on cached views.
 *
 * <p>Failure policy, so a guest can never throw into the vCPU loop: a chain with a bad descriptor (index out of
 * range, loop, buffer outside RAM, bad indirect table) is logged, returned to the driver as used with length 0,
 * and skipped; a broken ring (avail index more than a queue ahead, head index out of range) raises
 * {@link VirtqueueException}, on which the transport sets NEEDS_RESET.
 *
 * <p>Supports VIRTIO_RING_F_INDIRECT_DESC and VIRTIO_RING_F_EVENT_IDX. Not thread-safe: the transport's lock
 * serializes all use.
 */
public final class Virtqueue {
    private static final Logger log = LoggerFactory.getLogger(Virtqueue.class);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    public static final int DESCRIPTOR_SIZE = 16;

    private final int index, maxSize;

    // Driver-written configuration (common config registers).
    private int size;
    private boolean enabled;
    private long descTable, availRing, usedRing;
    private int msixVector = MsixTable.NO_VECTOR;

    // Runtime, valid after activate().
    private GuestMemory memory;
    private MemorySegment desc, avail, used;
    private boolean indirect, eventIdx;
    private int nextAvail, nextUsed, signalledUsed;
    private boolean pushedSinceSignal;

    public Virtqueue(int index, int maxSize) {
        if (maxSize < 1 || maxSize > 32768 || Integer.bitCount(maxSize) != 1)
            throw new IllegalArgumentException("queue size must be a power of two up to 32768: " + maxSize);
        this.index = index;
        this.maxSize = maxSize;
        this.size = maxSize;
    }

    public int index() { return index; }
    public int maxSize() { return maxSize; }
    public int size() { return size; }
    public boolean enabled() { return enabled; }
    public long descTable() { return descTable; }
    public long availRing() { return availRing; }
    public long usedRing() { return usedRing; }
    public int msixVector() { return msixVector; }

    /** The driver's queue_size; any value up to the maximum is stored, {@link #activate} rejects non-powers of two. */
    public void setSize(int size) { this.size = size; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public void setDescTable(long gpa) { this.descTable = gpa; }
    public void setAvailRing(long gpa) { this.availRing = gpa; }
    public void setUsedRing(long gpa) { this.usedRing = gpa; }
    public void setMsixVector(int vector) { this.msixVector = vector; }

    /** Back to the power-on configuration. */
    public void reset() {
        size = maxSize;
        enabled = false;
        descTable = availRing = usedRing = 0;
        msixVector = MsixTable.NO_VECTOR;
        memory = null;
        desc = avail = used = null;
        nextAvail = nextUsed = signalledUsed = 0;
        pushedSinceSignal = false;
    }

    /**
     * Checks the configuration and maps the three areas; false (with a log line) if the size is not a power of
     * two up to the maximum, an area is misaligned, or an area is not guest RAM.
     */
    public boolean activate(GuestMemory memory, long ackedFeatures) {
        if (size < 1 || size > maxSize || Integer.bitCount(size) != 1) {
            log.error("virtqueue {}: bad size {}", index, size);
            return false;
        }
        if ((descTable & 15) != 0 || (availRing & 1) != 0 || (usedRing & 3) != 0) {
            log.error("virtqueue {}: misaligned ring addresses", index);
            return false;
        }
        try {
            desc = memory.slice(GuestAddress.of(descTable), (long) DESCRIPTOR_SIZE * size);
            avail = memory.slice(GuestAddress.of(availRing), 6 + 2L * size);
            used = memory.slice(GuestAddress.of(usedRing), 6 + 8L * size);
        } catch (IndexOutOfBoundsException e) {
            log.error("virtqueue {}: ring outside guest RAM: {}", index, e.getMessage());
            desc = avail = used = null;
            return false;
        }
        this.memory = memory;
        this.indirect = (ackedFeatures & Virtio.bit(Virtio.F_RING_INDIRECT_DESC)) != 0;
        this.eventIdx = (ackedFeatures & Virtio.bit(Virtio.F_RING_EVENT_IDX)) != 0;
        nextAvail = nextUsed = signalledUsed = 0;
        return true;
    }

    public boolean isActive() { return used != null; }

    /** The guest memory the chains' buffers live in. */
    public GuestMemory memory() { return memory; }

    /** The next available chain, or null when the driver has made none available. */
    public DescriptorChain pop() throws VirtqueueException {
        while (true) {
            int availIdx = availIdx();
            if (availIdx == nextAvail) {
                if (!eventIdx) return null;
                // Ask for a notification at the next entry, then re-check: the driver may have added one
                // between our read and its read of avail_event.
                used.set(U16, 4 + 8L * size, (short) nextAvail);
                VarHandle.fullFence();
                if (availIdx() == nextAvail) return null;
                continue;
            }
            if (((availIdx - nextAvail) & 0xffff) > size)
                throw new VirtqueueException("virtqueue " + index + ": avail index " + availIdx + " is more than a queue ahead of " + nextAvail);
            VarHandle.acquireFence();   // ring entries are read after the index that published them
            int head = avail.get(U16, 4 + 2L * (nextAvail % size)) & 0xffff;
            nextAvail = (nextAvail + 1) & 0xffff;
            if (head >= size) throw new VirtqueueException("virtqueue " + index + ": head index " + head + " >= size " + size);
            String problem = walk(head, new ArrayList<>());
            if (problem == null) return lastChain;
            log.error("virtqueue {}: skipping descriptor chain {}: {}", index, head, problem);
            push(head, 0);
        }
    }

    private DescriptorChain lastChain;

    /** Follows the chain from head; returns why it is malformed, or null with the chain in lastChain. */
    private String walk(int head, List<DescriptorChain.Descriptor> out) {
        MemorySegment table = desc;
        int tableSize = size, i = head, count = 0;
        boolean inIndirect = false;
        while (true) {
            if (i >= tableSize) return "descriptor index " + i + " outside a table of " + tableSize;
            if (++count > tableSize) return "descriptor loop";
            long off = (long) DESCRIPTOR_SIZE * i;
            long addr = table.get(U64, off);
            int len = table.get(U32, off + 8);
            int flags = table.get(U16, off + 12) & 0xffff;
            int next = table.get(U16, off + 14) & 0xffff;
            if ((flags & Virtio.DESC_F_INDIRECT) != 0) {
                if (!indirect) return "indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC";
                if (inIndirect) return "nested indirect table";
                if ((flags & Virtio.DESC_F_NEXT) != 0) return "indirect descriptor with NEXT";
                if (len == 0 || len % DESCRIPTOR_SIZE != 0 || Integer.toUnsignedLong(len) > DESCRIPTOR_SIZE * 65536L)
                    return "indirect table length " + Integer.toUnsignedString(len);
                MemorySegment t = slice(addr, len);
                if (t == null) return String.format("indirect table 0x%x+0x%x outside guest RAM", addr, len);
                table = t;
                tableSize = Integer.divideUnsigned(len, DESCRIPTOR_SIZE);
                i = 0;
                count = 0;
                inIndirect = true;
                continue;
            }
            if (slice(addr, len) == null) return String.format("buffer 0x%x+0x%x outside guest RAM", addr, Integer.toUnsignedLong(len));
            out.add(new DescriptorChain.Descriptor(addr, len, (flags & Virtio.DESC_F_WRITE) != 0));
            if ((flags & Virtio.DESC_F_NEXT) == 0) break;
            i = next;
        }
        lastChain = new DescriptorChain(head, out);
        return null;
    }

    private MemorySegment slice(long addr, int len) {
        try {
            return memory.slice(GuestAddress.of(addr), Integer.toUnsignedLong(len));
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** A view of a descriptor's buffer (checked when its chain was popped). */
    public MemorySegment buffer(DescriptorChain.Descriptor d) {
        return memory.slice(GuestAddress.of(d.address()), Integer.toUnsignedLong(d.length()));
    }

    /** Returns chain head to the driver with written bytes written into its device-writable buffers. */
    public void push(int head, int written) {
        long off = 4 + 8L * (nextUsed % size);
        used.set(U32, off, head);
        used.set(U32, off + 4, written);
        nextUsed = (nextUsed + 1) & 0xffff;
        VarHandle.releaseFence();   // the element is visible before the index that publishes it
        used.set(U16, 2, (short) nextUsed);
        pushedSinceSignal = true;
    }

    /**
     * Whether the driver wants an interrupt for what was pushed since the last call: with EVENT_IDX when the
     * used index passed used_event, otherwise unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT.
     */
    public boolean needsNotification() {
        if (!pushedSinceSignal) return false;
        pushedSinceSignal = false;
        VarHandle.fullFence();   // our used index store before reading the driver's suppression fields
        if (eventIdx) {
            int usedEvent = avail.get(U16, 4 + 2L * size) & 0xffff;
            int old = signalledUsed;
            signalledUsed = nextUsed;
            // vring_need_event(): did new - old cross usedEvent + 1?
            return ((nextUsed - usedEvent - 1) & 0xffff) < ((nextUsed - old) & 0xffff);
        }
        return (avail.get(U16, 0) & Virtio.AVAIL_F_NO_INTERRUPT) == 0;
    }

    private int availIdx() { return avail.get(U16, 2) & 0xffff; }
}
