package dev.rig.kvm.virtio;

import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.devices.BusDevice;
import dev.rig.kvm.devices.InterruptLine;
import dev.rig.kvm.pci.MsiDelivery;
import dev.rig.kvm.pci.MsixTable;
import dev.rig.kvm.pci.PciBar;
import dev.rig.kvm.pci.PciConfigSpace;
import dev.rig.kvm.pci.EmulatedPciFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The modern (virtio 1.x only) PCI transport: device id 0x1040 + type, revision 1, and one 32-bit memory BAR 0
 * of 16 KiB holding every structure the vendor capabilities point at:
 * <pre>
 *   0x0000  common configuration (virtio_pci_common_cfg, 0x38 bytes)
 *   0x1000  ISR status (1 byte, read-to-clear; INTx only)
 *   0x1800  device-specific configuration
 *   0x2000  notifications: queue q at 0x2000 + 4*q (notify_off_multiplier 4, queue_notify_off = q)
 *   0x3000  MSI-X table (16 bytes per vector, up to 128 vectors)
 *   0x3800  MSI-X pending bit array
 * </pre>
 * 16 KiB is what the engine's planner already allocates (GraphPlanner.VIRTIO_BAR_SIZE). The spec's
 * VIRTIO_PCI_CAP_PCI_CFG window (BAR access through config space, for firmware that cannot reach the BAR) is
 * there too. Legacy (0.9) drivers are not served. All state is guarded by this object's lock.
 */
public final class VirtioPciDevice implements EmulatedPciFunction {
    private static final Logger log = LoggerFactory.getLogger(VirtioPciDevice.class);

    public static final int VENDOR_VIRTIO = 0x1af4, DEVICE_ID_BASE = 0x1040, SUBSYSTEM_ID = 0x1100;
    public static final int BAR_INDEX = 0;
    public static final long BAR_SIZE = 0x4000;
    public static final int COMMON_OFFSET = 0x0000, COMMON_SIZE = 0x38, ISR_OFFSET = 0x1000, DEVICE_CFG_OFFSET = 0x1800,
            DEVICE_CFG_MAX = 0x800, NOTIFY_OFFSET = 0x2000, NOTIFY_MULTIPLIER = 4, MSIX_TABLE_OFFSET = 0x3000,
            MSIX_PBA_OFFSET = 0x3800, MAX_VECTORS = 128;
    /** virtio_pci_cap cfg_type values. */
    public static final int CAP_COMMON_CFG = 1, CAP_NOTIFY_CFG = 2, CAP_ISR_CFG = 3, CAP_DEVICE_CFG = 4, CAP_PCI_CFG = 5;
    private static final int CAP_VENDOR = 0x09;

    // virtio_pci_common_cfg register offsets.
    static final int DEVICE_FEATURE_SELECT = 0x00, DEVICE_FEATURE = 0x04, DRIVER_FEATURE_SELECT = 0x08,
            DRIVER_FEATURE = 0x0c, MSIX_CONFIG = 0x10, NUM_QUEUES = 0x12, DEVICE_STATUS = 0x14,
            CONFIG_GENERATION = 0x15, QUEUE_SELECT = 0x16, QUEUE_SIZE = 0x18, QUEUE_MSIX_VECTOR = 0x1a,
            QUEUE_ENABLE = 0x1c, QUEUE_NOTIFY_OFF = 0x1e, QUEUE_DESC = 0x20, QUEUE_DRIVER = 0x28, QUEUE_DEVICE = 0x30;

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final PciConfigSpace config;
    private final MsixTable msix;
    private final InterruptLine intx;
    private final Virtqueue[] queues;
    private final long offeredFeatures;
    private final BusDevice barDevice = new Bar();
    private final VirtioInterrupts interrupts = new Interrupts();
    private final int pciCfgCap;

    private int deviceFeatureSelect, driverFeatureSelect, queueSelect, status, isr, configGeneration;
    private int msixConfigVector = MsixTable.NO_VECTOR;
    private long driverFeatures;
    private boolean activated, intxAsserted;
    private long mmioNotifications;   // doorbells that reached us as MMIO exits (no ioeventfd caught them)

    /** intx is the function's INTA# line (the VMM routes it to a GSI); used while MSI-X is disabled. */
    public VirtioPciDevice(VirtioDevice device, GuestMemory memory, InterruptLine intx) {
        if (device.configSize() > DEVICE_CFG_MAX) throw new IllegalArgumentException("device config too large");
        if (device.queueCount() + 1 > MAX_VECTORS) throw new IllegalArgumentException("too many queues");
        this.device = device;
        this.memory = memory;
        this.intx = intx;
        this.offeredFeatures = device.deviceFeatures() | Virtio.bit(Virtio.F_VERSION_1)
                | Virtio.bit(Virtio.F_RING_INDIRECT_DESC) | Virtio.bit(Virtio.F_RING_EVENT_IDX);
        this.queues = new Virtqueue[device.queueCount()];
        for (int i = 0; i < queues.length; i++) queues[i] = new Virtqueue(i, device.maxQueueSize());

        config = new PciConfigSpace(VENDOR_VIRTIO, DEVICE_ID_BASE + device.deviceType(), classCode(device.deviceType()),
                1, VENDOR_VIRTIO, SUBSYSTEM_ID);
        config.set8(PciConfigSpace.INTERRUPT_PIN, 1);   // INTA#
        config.addBar(PciBar.mem32(BAR_INDEX, BAR_SIZE));
        addVirtioCap(CAP_COMMON_CFG, COMMON_OFFSET, COMMON_SIZE, -1);
        addVirtioCap(CAP_NOTIFY_CFG, NOTIFY_OFFSET, NOTIFY_MULTIPLIER * queues.length, NOTIFY_MULTIPLIER);
        addVirtioCap(CAP_ISR_CFG, ISR_OFFSET, 1, -1);
        if (device.configSize() > 0) addVirtioCap(CAP_DEVICE_CFG, DEVICE_CFG_OFFSET, device.configSize(), -1);
        // virtio_pci_cfg_cap: the driver writes bar/offset/length, then accesses pci_cfg_data (cap + 16).
        pciCfgCap = addVirtioCap(CAP_PCI_CFG, 0, 0, 0);
        config.setWriteMask(pciCfgCap + 4, 1, 0xff);
        config.setWriteMask(pciCfgCap + 8, 4, -1);
        config.setWriteMask(pciCfgCap + 12, 4, -1);
        config.setWriteMask(pciCfgCap + 16, 4, -1);
        // One vector for config changes plus one per queue, as Linux asks for first.
        msix = new MsixTable(config, queues.length + 1, BAR_INDEX, MSIX_TABLE_OFFSET, MSIX_PBA_OFFSET);
    }

    private static int classCode(int type) {
        return switch (type) {
            case Virtio.TYPE_BLOCK -> 0x018000;   // mass storage, other
            case Virtio.TYPE_NET -> 0x020000;     // ethernet
            case Virtio.TYPE_CONSOLE -> 0x078000; // communication, other
            default -> 0xff0000;
        };
    }

    /** A virtio_pci_cap (16 bytes), or 20 bytes with a trailing dword (notify_off_multiplier, pci_cfg_data). */
    private int addVirtioCap(int type, int offset, int length, int notifyMultiplier) {
        byte[] body = new byte[notifyMultiplier >= 0 ? 18 : 14];
        body[0] = (byte) (body.length + 2);   // cap_len
        body[1] = (byte) type;
        body[2] = (byte) BAR_INDEX;
        putLe(body, 6, offset);
        putLe(body, 10, length);
        if (notifyMultiplier >= 0) putLe(body, 14, notifyMultiplier);
        return config.addCapability(CAP_VENDOR, body);
    }

    private static void putLe(byte[] b, int at, int v) { for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >>> (8 * i)); }

    // ---- PciFunction ----

    @Override
    public PciConfigSpace configSpace() { return config; }

    @Override
    public int readConfig(int offset, int size) {
        if (touchesPciCfgData(offset, size)) {
            long v = pciCfgAccess(false, 0);
            config.set32(pciCfgCap + 16, (int) v);
        }
        return config.read(offset, size);
    }

    @Override
    public void writeConfig(int offset, int size, int value) {
        config.write(offset, size, value);
        if (touchesPciCfgData(offset, size)) pciCfgAccess(true, config.get32(pciCfgCap + 16) & 0xffff_ffffL);
        msix.configWritten();
        // The command register's INTx-disable bit masks the line without losing the ISR state behind it.
        synchronized (this) { setIntx(isr != 0 && !msix.enabled()); }
    }

    private boolean touchesPciCfgData(int offset, int size) {
        return offset < pciCfgCap + 20 && offset + size > pciCfgCap + 16;
    }

    /** One BAR access through the VIRTIO_PCI_CAP_PCI_CFG window; an invalid window reads 0 and drops writes. */
    private long pciCfgAccess(boolean write, long value) {
        int bar = config.get8(pciCfgCap + 4);
        long offset = config.get32(pciCfgCap + 8) & 0xffff_ffffL;
        int length = config.get32(pciCfgCap + 12);
        if (bar != BAR_INDEX || (length != 1 && length != 2 && length != 4) || offset + length > BAR_SIZE
                || offset % length != 0) return 0;
        if (!write) return barDevice.read(offset, length);
        barDevice.write(offset, length, value & ((1L << (8 * length)) - 1));
        return 0;
    }

    @Override
    public BusDevice barDevice(int index) { return index == BAR_INDEX ? barDevice : null; }

    /** Wires MSI-X messages to the VMM (irqfd/GSI routes or KVM_SIGNAL_MSI). */
    public void setMsiDelivery(MsiDelivery delivery) { msix.setDelivery(delivery); }

    public MsixTable msix() { return msix; }

    /** The guest physical address the driver writes to notify queue (for an ioeventfd; 2-byte writes). */
    public long notifyAddress(int queue) {
        return config.barAddress(BAR_INDEX) + NOTIFY_OFFSET + (long) NOTIFY_MULTIPLIER * queue;
    }

    public int queueCount() { return queues.length; }

    public synchronized int status() { return status; }

    /** Queue notifications that arrived as BAR writes on a vCPU (an MMIO exit) rather than through an ioeventfd. */
    public synchronized long mmioNotifications() { return mmioNotifications; }

    public synchronized long driverFeatures() { return driverFeatures; }

    /** What a write to the queue's notify address does; an ioeventfd handler calls this directly. */
    public synchronized void notifyQueue(int queue) {
        if (!activated || queue < 0 || queue >= queues.length || !queues[queue].isActive()) return;
        try {
            if (!device.queueNotified(queue)) needsReset("device reported an unrecoverable queue error");
        } catch (RuntimeException e) {
            // A device bug must not unwind into the vCPU loop.
            log.error("virtio {}: queue {} handler failed", device.deviceType(), queue, e);
            needsReset(e.toString());
        }
    }

    /** The device configuration changed (e.g. a resized image): bumps config_generation and interrupts. */
    public synchronized void configChanged() {
        configGeneration = (configGeneration + 1) & 0xff;
        if ((status & Virtio.STATUS_DRIVER_OK) != 0) interrupts.signalConfig();
    }

    private void needsReset(String why) {
        log.error("virtio {}: device needs reset: {}", device.deviceType(), why);
        status |= Virtio.STATUS_NEEDS_RESET;
        if ((status & Virtio.STATUS_DRIVER_OK) != 0) interrupts.signalConfig();
    }

    // ---- common configuration ----

    private synchronized long readCommon(int offset, int size) {
        Virtqueue q = queueSelect < queues.length ? queues[queueSelect] : null;
        // 64-bit fields may be read as two dwords.
        int field = offset >= QUEUE_DESC ? offset & ~7 : offset;
        long value = switch (field) {
            case DEVICE_FEATURE_SELECT -> deviceFeatureSelect;
            case DEVICE_FEATURE -> deviceFeatureSelect < 2 ? (offeredFeatures >>> (32 * deviceFeatureSelect)) & 0xffff_ffffL : 0;
            case DRIVER_FEATURE_SELECT -> driverFeatureSelect;
            case DRIVER_FEATURE -> driverFeatureSelect < 2 ? (driverFeatures >>> (32 * driverFeatureSelect)) & 0xffff_ffffL : 0;
            case MSIX_CONFIG -> msixConfigVector;
            case NUM_QUEUES -> queues.length;
            case DEVICE_STATUS -> status;
            case CONFIG_GENERATION -> configGeneration;
            case QUEUE_SELECT -> queueSelect;
            case QUEUE_SIZE -> q == null ? 0 : q.size();
            case QUEUE_MSIX_VECTOR -> q == null ? MsixTable.NO_VECTOR : q.msixVector();
            case QUEUE_ENABLE -> q != null && q.enabled() ? 1 : 0;
            case QUEUE_NOTIFY_OFF -> q == null ? 0 : queueSelect;
            case QUEUE_DESC -> q == null ? 0 : q.descTable();
            case QUEUE_DRIVER -> q == null ? 0 : q.availRing();
            case QUEUE_DEVICE -> q == null ? 0 : q.usedRing();
            default -> 0;
        };
        value >>>= 8 * (offset - field);
        return size == 8 ? value : value & ((1L << (8 * size)) - 1);
    }

    private synchronized void writeCommon(int offset, int size, long value) {
        Virtqueue q = queueSelect < queues.length ? queues[queueSelect] : null;
        boolean queueWritable = q != null && (status & Virtio.STATUS_DRIVER_OK) == 0;
        int v = (int) value;
        switch (offset) {
            case DEVICE_FEATURE_SELECT -> deviceFeatureSelect = v;
            case DRIVER_FEATURE_SELECT -> driverFeatureSelect = v;
            case DRIVER_FEATURE -> {
                // Features are fixed once FEATURES_OK is set.
                if ((status & Virtio.STATUS_FEATURES_OK) == 0 && driverFeatureSelect < 2) {
                    int shift = 32 * driverFeatureSelect;
                    driverFeatures = (driverFeatures & ~(0xffff_ffffL << shift)) | ((value & 0xffff_ffffL) << shift);
                }
            }
            case MSIX_CONFIG -> msixConfigVector = vectorOrNone(v);
            case DEVICE_STATUS -> writeStatus(v & 0xff);
            case QUEUE_SELECT -> queueSelect = v & 0xffff;
            case QUEUE_SIZE -> { if (queueWritable) q.setSize(v & 0xffff); }
            case QUEUE_MSIX_VECTOR -> { if (q != null) q.setMsixVector(vectorOrNone(v)); }
            case QUEUE_ENABLE -> { if (queueWritable && (v & 1) == 1) q.setEnabled(true); }
            case QUEUE_DESC, QUEUE_DESC + 4, QUEUE_DRIVER, QUEUE_DRIVER + 4, QUEUE_DEVICE, QUEUE_DEVICE + 4 -> {
                if (queueWritable) writeQueueAddress(q, offset, size, value);
            }
            default -> { }   // read-only fields
        }
    }

    /** A vector the table has, else NO_VECTOR: the driver reads back to learn whether the mapping took. */
    private int vectorOrNone(int v) {
        v &= 0xffff;
        return v < msix.vectors() ? v : MsixTable.NO_VECTOR;
    }

    private static void writeQueueAddress(Virtqueue q, int offset, int size, long value) {
        int field = offset & ~7;
        long old = switch (field) {
            case QUEUE_DESC -> q.descTable();
            case QUEUE_DRIVER -> q.availRing();
            default -> q.usedRing();
        };
        long updated;
        if (size == 8) updated = value;
        else if (offset == field) updated = (old & ~0xffff_ffffL) | (value & 0xffff_ffffL);
        else updated = (old & 0xffff_ffffL) | (value << 32);
        switch (field) {
            case QUEUE_DESC -> q.setDescTable(updated);
            case QUEUE_DRIVER -> q.setAvailRing(updated);
            default -> q.setUsedRing(updated);
        }
    }

    private void writeStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int added = value & ~status;
        int next = value | (status & Virtio.STATUS_NEEDS_RESET);
        if ((added & Virtio.STATUS_FEATURES_OK) != 0 && !featuresAcceptable()) {
            // Leaving FEATURES_OK clear tells the driver we refuse this feature set.
            log.warn("virtio {}: refusing driver features 0x{}", device.deviceType(), Long.toHexString(driverFeatures));
            next &= ~Virtio.STATUS_FEATURES_OK;
        }
        status = next;
        if ((added & Virtio.STATUS_DRIVER_OK) != 0 && !activated) activate();
    }

    private boolean featuresAcceptable() {
        return (driverFeatures & ~offeredFeatures) == 0 && (driverFeatures & Virtio.bit(Virtio.F_VERSION_1)) != 0;
    }

    private void activate() {
        if ((status & Virtio.STATUS_FEATURES_OK) == 0) {
            needsReset("DRIVER_OK without FEATURES_OK");
            return;
        }
        List<Virtqueue> ready = new ArrayList<>();
        for (Virtqueue q : queues) {
            if (!q.enabled()) {
                ready.add(null);
            } else if (q.activate(memory, driverFeatures)) {
                ready.add(q);
            } else {
                needsReset("queue " + q.index() + " is not usable");
                return;
            }
        }
        device.activate(memory, ready, driverFeatures, interrupts);
        activated = true;
    }

    private void reset() {
        if (activated) device.reset();
        activated = false;
        for (Virtqueue q : queues) q.reset();
        status = 0;
        driverFeatures = 0;
        deviceFeatureSelect = driverFeatureSelect = queueSelect = 0;
        msixConfigVector = MsixTable.NO_VECTOR;
        isr = 0;
        setIntx(false);
    }

    private synchronized int readIsr() {
        int v = isr;
        isr = 0;          // reading acknowledges, and deasserts INTx
        setIntx(false);
        return v;
    }

    private void setIntx(boolean level) {
        if ((config.get16(PciConfigSpace.COMMAND) & PciConfigSpace.COMMAND_INTX_DISABLE) != 0) level = false;
        if (level == intxAsserted) return;
        intxAsserted = level;
        intx.set(level);
    }

    private final class Interrupts implements VirtioInterrupts {
        @Override
        public void signalQueue(int queue) { raise(queues[queue].msixVector(), Virtio.ISR_QUEUE); }

        @Override
        public void signalConfig() { raise(msixConfigVector, Virtio.ISR_CONFIG); }

        private void raise(int vector, int isrBit) {
            synchronized (VirtioPciDevice.this) {
                if (msix.enabled()) {
                    msix.signal(vector);   // NO_VECTOR: the driver asked for no interrupt
                    return;
                }
                isr |= isrBit;
                setIntx(true);
            }
        }
    }

    /** BAR 0: dispatches to the structures in the layout above. */
    private final class Bar implements BusDevice {
        @Override
        public long read(long offset, int size) {
            if (offset >= COMMON_OFFSET && offset + size <= COMMON_OFFSET + COMMON_SIZE) return readCommon((int) offset, size);
            if (offset == ISR_OFFSET) return readIsr();
            if (offset >= DEVICE_CFG_OFFSET && offset + size <= DEVICE_CFG_OFFSET + device.configSize()) {
                synchronized (VirtioPciDevice.this) { return device.readConfig((int) offset - DEVICE_CFG_OFFSET, size); }
            }
            if (offset >= MSIX_TABLE_OFFSET && offset < MSIX_PBA_OFFSET) return msix.readTable(offset - MSIX_TABLE_OFFSET, size);
            if (offset >= MSIX_PBA_OFFSET && offset < BAR_SIZE) return msix.readPba(offset - MSIX_PBA_OFFSET, size);
            return 0;
        }

        @Override
        public void write(long offset, int size, long value) {
            if (offset >= COMMON_OFFSET && offset + size <= COMMON_OFFSET + COMMON_SIZE) writeCommon((int) offset, size, value);
            else if (offset >= NOTIFY_OFFSET && offset < NOTIFY_OFFSET + (long) NOTIFY_MULTIPLIER * queues.length) {
                synchronized (VirtioPciDevice.this) { mmioNotifications++; }
                notifyQueue((int) (offset - NOTIFY_OFFSET) / NOTIFY_MULTIPLIER);
            }
            else if (offset >= DEVICE_CFG_OFFSET && offset + size <= DEVICE_CFG_OFFSET + device.configSize()) {
                synchronized (VirtioPciDevice.this) { device.writeConfig((int) offset - DEVICE_CFG_OFFSET, size, value); }
            }
            else if (offset >= MSIX_TABLE_OFFSET && offset < MSIX_PBA_OFFSET) msix.writeTable(offset - MSIX_TABLE_OFFSET, size, value);
        }
    }

    @Override
    public String toString() {
        return "virtio-pci(type " + device.deviceType() + ", status 0x" + Integer.toHexString(status) + ", queues "
                + Arrays.stream(queues).map(q -> q.size() + (q.enabled() ? "+" : "-")).toList() + ")";
    }
}
