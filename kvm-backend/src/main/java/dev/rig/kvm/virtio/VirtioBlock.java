package dev.rig.kvm.virtio;

import dev.rig.kvm.GuestMemory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * virtio-blk over a raw image file: one request queue; T_IN, T_OUT, T_FLUSH and T_GET_ID (include/uapi/linux/
 * virtio_blk.h). Requests run synchronously on the notifying thread (the queue's doorbell thread, see
 * {@link VirtioDoorbells}, or a vCPU when no ioeventfd caught the notification), straight between the
 * FileChannel and guest memory. A read-only image offers VIRTIO_BLK_F_RO and fails writes with IOERR (the
 * request type is supported, the medium refuses it); unknown types get UNSUPP. An image whose size is not a
 * multiple of 512 exposes only its whole sectors.
 */
public final class VirtioBlock implements VirtioDevice, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VirtioBlock.class);

    public static final int SECTOR_SIZE = 512, ID_BYTES = 20, QUEUE_SIZE = 256;
    /** Feature bits. */
    public static final int F_SIZE_MAX = 1, F_SEG_MAX = 2, F_RO = 5, F_BLK_SIZE = 6, F_FLUSH = 9;
    public static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
    public static final int S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;
    /** Largest segment and segment count we advertise: 1 MiB segments, a queue's worth less header and status. */
    public static final int SIZE_MAX = 1 << 20, SEG_MAX = QUEUE_SIZE - 2;
    /** virtio_blk_config: capacity@0 (le64), size_max@8, seg_max@12, geometry@16, blk_size@20 (le32). */
    private static final int CONFIG_SIZE = 24;

    private final FileChannel file;
    private final boolean readOnly;
    private final long capacitySectors;
    private final byte[] id;
    private Virtqueue queue;
    private VirtioInterrupts interrupts = VirtioInterrupts.NONE;

    /** Opens image (which must exist) read-write or read-only; id is the GET_ID serial (up to 20 bytes used). */
    public static VirtioBlock open(Path image, boolean readOnly, String id) throws IOException {
        FileChannel ch = readOnly ? FileChannel.open(image, StandardOpenOption.READ)
                : FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new VirtioBlock(ch, readOnly, id);
    }

    public VirtioBlock(FileChannel file, boolean readOnly, String id) throws IOException {
        this.file = file;
        this.readOnly = readOnly;
        this.capacitySectors = file.size() / SECTOR_SIZE;
        byte[] bytes = id.getBytes(StandardCharsets.US_ASCII);
        this.id = java.util.Arrays.copyOf(bytes, Math.min(bytes.length, ID_BYTES));
    }

    public long capacitySectors() { return capacitySectors; }

    @Override public int deviceType() { return Virtio.TYPE_BLOCK; }
    @Override public int queueCount() { return 1; }
    @Override public int maxQueueSize() { return QUEUE_SIZE; }
    @Override public int configSize() { return CONFIG_SIZE; }

    @Override
    public long deviceFeatures() {
        long f = Virtio.bit(F_SIZE_MAX) | Virtio.bit(F_SEG_MAX) | Virtio.bit(F_BLK_SIZE) | Virtio.bit(F_FLUSH);
        return readOnly ? f | Virtio.bit(F_RO) : f;
    }

    @Override
    public long readConfig(int offset, int size) {
        byte[] cfg = new byte[CONFIG_SIZE];
        put(cfg, 0, capacitySectors, 8);
        put(cfg, 8, SIZE_MAX, 4);
        put(cfg, 12, SEG_MAX, 4);
        put(cfg, 20, SECTOR_SIZE, 4);   // geometry@16 stays zero: not offered
        long v = 0;
        for (int i = 0; i < size && offset + i < CONFIG_SIZE; i++) v |= (cfg[offset + i] & 0xffL) << (8 * i);
        return v;
    }

    private static void put(byte[] b, int at, long v, int n) { for (int i = 0; i < n; i++) b[at + i] = (byte) (v >>> (8 * i)); }

    @Override
    public void writeConfig(int offset, int size, long value) { }   // nothing writable without CONFIG_WCE

    @Override
    public void activate(GuestMemory memory, List<Virtqueue> queues, long ackedFeatures, VirtioInterrupts interrupts) {
        this.queue = queues.get(0);
        this.interrupts = interrupts;
    }

    @Override
    public void reset() {
        queue = null;
        interrupts = VirtioInterrupts.NONE;
    }

    @Override
    public boolean queueNotified(int q) {
        if (queue == null) return true;
        try {
            DescriptorChain chain;
            while ((chain = queue.pop()) != null) queue.push(chain.head(), process(chain));
            return true;
        } catch (VirtqueueException e) {
            log.error("virtio-blk: {}", e.getMessage());
            return false;
        } finally {
            if (queue.needsNotification()) interrupts.signalQueue(0);
        }
    }

    /** Runs one request; returns the bytes written into the chain's device-writable buffers. */
    private int process(DescriptorChain chain) {
        List<DescriptorChain.Descriptor> in = chain.readable(), out = chain.writable();
        if (chain.readableLength() < 16 || out.isEmpty() || out.getLast().length() < 1) {
            log.error("virtio-blk: request {} without header or status byte", chain.head());
            return 0;
        }
        ByteBuffer header = ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        copyReadable(in, 0, header);
        int type = header.getInt(0);
        long sector = header.getLong(8);
        // The status byte is the last byte of the last writable descriptor; data lies between header and status.
        DescriptorChain.Descriptor last = out.getLast();
        MemorySegment statusByte = queue.buffer(last).asSlice(last.length() - 1, 1);
        List<MemorySegment> dataOut = segments(out, 0, chain.writableLength() - 1);
        List<MemorySegment> dataIn = segments(in, 16, chain.readableLength() - 16);
        int written = 0;
        int status;
        try {
            status = switch (type) {
                case T_IN -> {
                    long n = total(dataOut);
                    if (!inRange(sector, n)) yield S_IOERR;
                    transfer(dataOut, sector, false);
                    written = (int) n;
                    yield S_OK;
                }
                case T_OUT -> {
                    if (readOnly) yield S_IOERR;
                    if (!inRange(sector, total(dataIn))) yield S_IOERR;
                    transfer(dataIn, sector, true);
                    yield S_OK;
                }
                case T_FLUSH -> {
                    if (!readOnly) file.force(true);
                    yield S_OK;
                }
                case T_GET_ID -> {
                    written = copyId(dataOut);
                    yield S_OK;
                }
                default -> S_UNSUPP;
            };
        } catch (IOException e) {
            log.error("virtio-blk: request type {} at sector {} failed", type, sector, e);
            status = S_IOERR;
            written = 0;
        }
        statusByte.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) status);
        return written + 1;
    }

    /** Whole sectors only, and within the image. */
    private boolean inRange(long sector, long bytes) {
        if (bytes % SECTOR_SIZE != 0 || sector < 0 || sector > capacitySectors) return false;
        return bytes / SECTOR_SIZE <= capacitySectors - sector;
    }

    private void transfer(List<MemorySegment> buffers, long sector, boolean toFile) throws IOException {
        long pos = sector * SECTOR_SIZE;
        for (MemorySegment s : buffers) {
            ByteBuffer b = s.asByteBuffer();
            while (b.hasRemaining()) {
                int n = toFile ? file.write(b, pos) : file.read(b, pos);
                if (n < 0) throw new IOException("unexpected end of image at " + pos);
                pos += n;
            }
        }
    }

    private int copyId(List<MemorySegment> buffers) {
        int done = 0;
        for (MemorySegment s : buffers) {
            int n = (int) Math.min(s.byteSize(), ID_BYTES - done);
            for (int i = 0; i < n; i++) s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, i + done < id.length ? id[i + done] : 0);
            done += n;
            if (done == ID_BYTES) break;
        }
        return done;
    }

    /** The guest buffers covering bytes [skip, skip+length) of the given descriptors. */
    private List<MemorySegment> segments(List<DescriptorChain.Descriptor> ds, long skip, long length) {
        List<MemorySegment> out = new java.util.ArrayList<>();
        for (DescriptorChain.Descriptor d : ds) {
            if (length <= 0) break;
            long len = Integer.toUnsignedLong(d.length());
            if (skip >= len) {
                skip -= len;
                continue;
            }
            long take = Math.min(len - skip, length);
            out.add(queue.buffer(d).asSlice(skip, take));
            length -= take;
            skip = 0;
        }
        return out;
    }

    private static long total(List<MemorySegment> ss) { return ss.stream().mapToLong(MemorySegment::byteSize).sum(); }

    private void copyReadable(List<DescriptorChain.Descriptor> ds, int skip, ByteBuffer into) {
        for (MemorySegment s : segments(ds, skip, into.remaining())) into.put(s.asByteBuffer());
    }

    @Override
    public void close() throws IOException { file.close(); }
}
