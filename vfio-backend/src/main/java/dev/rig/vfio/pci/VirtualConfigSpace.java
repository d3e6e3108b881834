package dev.rig.vfio.pci;

import dev.rig.kvm.pci.PciBar;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The config space a guest sees for a passed-through function. Each bit is either emulated (answered from Rig's
 * copy; writable or read-only to the guest) or passed through to the device ({@link ConfigSource}). No system call
 * is made here except through the source.
 * <p>
 * Emulated: ids, revision and class, header type (single function), subsystem ids, the BARs and ROM BAR (sizes from
 * VFIO), the capability pointer and every capability's id and link (re-linked without hidden ones), MSI and MSI-X
 * (the backend programs the device through VFIO), interrupt line/pin, the command register's I/O, memory and bus
 * master bits (also written through to the device, so BAR mmaps and DMA work). Passed through: the rest of the
 * header (command and status otherwise, cache line, latency, BIST), other capabilities' bodies, and extended config
 * space (offset 0x100 and up).
 */
public final class VirtualConfigSpace {
    private static final int COMMAND_EMULATED = PciRegs.COMMAND_IO | PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER;

    private final ConfigSource device;
    private final int size;
    private final ConfigBytes bytes = new ConfigBytes();
    private final BarEmulation bars;
    private final List<PciCapability> linked = new ArrayList<>();
    private final List<PciCapability> hidden = new ArrayList<>();
    private final MsiEmulation msi;
    private final MsixEmulation msix;
    private final List<ConfigSpaceListener> listeners = new CopyOnWriteArrayList<>();
    private final ConfigSpaceListener fanout = new Fanout();

    /** Options: BAR and ROM sizes from VFIO region info, whether to show the ROM, capability ids to hide. */
    public static final class Builder {
        private final ConfigSource device;
        private long[] barSizes = new long[6];
        private long romSize;
        private boolean exposeRom;
        private final Set<Integer> hiddenCapabilities = new HashSet<>();

        private Builder(ConfigSource device) { this.device = device; }

        public Builder barSizes(long... sizes) {
            if (sizes.length != 6) throw new IllegalArgumentException("need 6 BAR sizes, got " + sizes.length);
            this.barSizes = sizes.clone();
            return this;
        }

        /** The ROM region's size and whether the guest sees the ROM BAR at all (hidden: it reads 0). */
        public Builder rom(long size, boolean expose) {
            this.romSize = size;
            this.exposeRom = expose;
            return this;
        }

        /** Unlinks every capability with this id from the list the guest walks (its bytes then read 0). */
        public Builder hideCapability(int id) {
            hiddenCapabilities.add(id);
            return this;
        }

        public VirtualConfigSpace build() { return new VirtualConfigSpace(this); }
    }

    public static Builder builder(ConfigSource device) { return new Builder(device); }

    private VirtualConfigSpace(Builder b) {
        this.device = b.device;
        this.size = device.size();
        if (size != PciRegs.STD_CONFIG_SIZE && size != PciRegs.EXT_CONFIG_SIZE)
            throw new IllegalArgumentException("config space must be 256 or 4096 bytes, not " + size);
        for (int off = 0; off < PciRegs.STD_CONFIG_SIZE; off += 4) bytes.set(off, 4, device.read(off, 4));
        int headerType = bytes.get(PciRegs.HEADER_TYPE, 1);
        if ((headerType & 0x7f) != 0)
            throw new IllegalArgumentException(String.format("header type 0x%02x: only endpoints (type 0) can be "
                    + "passed through", headerType));
        emulateHeader(headerType);
        List<PciCapability> all = PciCapability.walk(off -> bytes.get(off, 1));
        MsiEmulation msiCap = null;
        MsixEmulation msixCap = null;
        for (PciCapability c : all) (b.hiddenCapabilities.contains(c.id()) ? hidden : linked).add(c);
        for (PciCapability c : hidden) bytes.readOnlyZeros(c.offset(), c.length());
        for (PciCapability c : linked) {
            if (c.id() == PciRegs.CAP_ID_MSI && msiCap == null) msiCap = new MsiEmulation(bytes, c.offset());
            if (c.id() == PciRegs.CAP_ID_MSIX && msixCap == null) msixCap = new MsixEmulation(bytes, c.offset());
        }
        this.msi = msiCap;
        this.msix = msixCap;
        relink();
        this.bars = new BarEmulation(bytes, b.barSizes, b.romSize, b.exposeRom);
    }

    private void emulateHeader(int headerType) {
        bytes.readOnly(PciRegs.VENDOR_ID, 4, bytes.get(PciRegs.VENDOR_ID, 4));
        // The guest's view of decode/bus master starts as after reset (off) and follows its writes.
        bytes.emulate(PciRegs.COMMAND, 2, 0, COMMAND_EMULATED, COMMAND_EMULATED);
        bytes.readOnly(PciRegs.REVISION, 4, bytes.get(PciRegs.REVISION, 4));
        bytes.readOnly(PciRegs.HEADER_TYPE, 1, headerType & ~PciRegs.HEADER_TYPE_MULTI_FUNCTION);
        bytes.readOnly(PciRegs.CARDBUS_CIS, 4, 0);
        bytes.readOnly(PciRegs.SUBSYSTEM_VENDOR_ID, 4, bytes.get(PciRegs.SUBSYSTEM_VENDOR_ID, 4));
        bytes.readOnlyZeros(PciRegs.CAPABILITY_LIST + 1, PciRegs.INTERRUPT_LINE - PciRegs.CAPABILITY_LIST - 1);
        bytes.emulate(PciRegs.INTERRUPT_LINE, 1, bytes.get(PciRegs.INTERRUPT_LINE, 1), 0xff, 0xff);
        bytes.readOnly(PciRegs.INTERRUPT_PIN, 1, bytes.get(PciRegs.INTERRUPT_PIN, 1));
    }

    /** Rewrites the pointer and every link so the guest walks exactly the linked capabilities, in order. */
    private void relink() {
        bytes.readOnly(PciRegs.CAPABILITY_LIST, 1, linked.isEmpty() ? 0 : linked.getFirst().offset());
        for (int i = 0; i < linked.size(); i++) {
            PciCapability c = linked.get(i);
            bytes.readOnly(c.offset(), 1, c.id());
            bytes.readOnly(c.offset() + 1, 1, i + 1 < linked.size() ? linked.get(i + 1).offset() : 0);
        }
        bytes.emulate(PciRegs.STATUS, 2, linked.isEmpty() ? 0 : PciRegs.STATUS_CAP_LIST, PciRegs.STATUS_CAP_LIST, 0);
    }

    // ---- guest accesses ----

    public synchronized int read(int offset, int width) {
        check(offset, width);
        if (offset >= PciRegs.STD_CONFIG_SIZE) return device.read(offset, width);
        int mask = ConfigBytes.mask(width);
        int emulated = bytes.emulatedMask(offset, width);
        int virt = bytes.get(offset, width);
        if (emulated == mask) return virt;
        return (device.read(offset, width) & ~emulated & mask) | (virt & emulated);
    }

    public synchronized void write(int offset, int width, int value) {
        check(offset, width);
        value &= ConfigBytes.mask(width);
        if (offset >= PciRegs.STD_CONFIG_SIZE) {
            device.write(offset, width, value);
            return;
        }
        passThrough(offset, width, value);
        int oldCommand = bytes.get(PciRegs.COMMAND, 2) & COMMAND_EMULATED;
        bytes.applyWrite(offset, width, value);
        if (BarEmulation.touches(offset, width)) bars.afterWrite(offset, width, fanout);
        if (msi != null && msi.touches(offset, width)) msi.afterWrite(fanout);
        if (msix != null && msix.touches(offset, width)) msix.afterWrite(fanout);
        int newCommand = bytes.get(PciRegs.COMMAND, 2) & COMMAND_EMULATED;
        if (newCommand != oldCommand) {
            if ((newCommand & ~oldCommand & (PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_IO)) != 0) bars.commitPending(fanout);
            fanout.commandChanged(oldCommand, newCommand);
        }
    }

    /**
     * Sends the bytes that are not wholly emulated to the device, in naturally aligned pieces. Partly emulated bytes
     * (the command register's low byte) go with the guest's value: that is how decode enables reach the device.
     */
    private void passThrough(int offset, int width, int value) {
        int end = offset + width;
        boolean any = false, all = true;
        for (int o = offset; o < end; o++) {
            boolean through = !bytes.fullyEmulated(o);
            any |= through;
            all &= through;
        }
        if (!any) return;
        if (all) {
            device.write(offset, width, value);
            return;
        }
        int o = offset;
        while (o < end) {
            if (bytes.fullyEmulated(o)) {
                o++;
                continue;
            }
            int w = (o % 2 == 0 && o + 2 <= end && !bytes.fullyEmulated(o + 1)) ? 2 : 1;
            device.write(o, w, (value >>> (8 * (o - offset))) & ConfigBytes.mask(w));
            o += w;
        }
    }

    private void check(int offset, int width) {
        if ((width != 1 && width != 2 && width != 4) || offset < 0 || offset % width != 0 || offset + width > size)
            throw new IllegalArgumentException(String.format("config access of %d bytes at 0x%x: must be 1, 2 or 4 "
                    + "bytes, naturally aligned, within %d bytes", width, offset, size));
    }

    // ---- what the backend needs to know ----

    public void addListener(ConfigSpaceListener listener) { listeners.add(listener); }

    public void removeListener(ConfigSpaceListener listener) { listeners.remove(listener); }

    public int size() { return size; }

    public synchronized int vendorId() { return bytes.get(PciRegs.VENDOR_ID, 2); }

    public synchronized int deviceId() { return bytes.get(PciRegs.DEVICE_ID, 2); }

    /** base class, subclass, programming interface: 0x030000 for a VGA controller. */
    public synchronized int classCode() { return bytes.get(PciRegs.REVISION, 4) >>> 8; }

    /** The guest's I/O, memory and bus master bits. */
    public synchronized int command() { return bytes.get(PciRegs.COMMAND, 2) & COMMAND_EMULATED; }

    public boolean memoryEnabled() { return (command() & PciRegs.COMMAND_MEMORY) != 0; }

    public boolean ioEnabled() { return (command() & PciRegs.COMMAND_IO) != 0; }

    public boolean busMasterEnabled() { return (command() & PciRegs.COMMAND_MASTER) != 0; }

    /** The implemented BARs (without the ROM). */
    public synchronized List<PciBar> bars() { return bars.bars(); }

    /** The address last reported to listeners for a BAR (index 6: the ROM), 0 while unplaced. */
    public synchronized long barAddress(int index) { return bars.address(index); }

    /** The ROM BAR, when exposed. */
    public synchronized Optional<PciBar> rom() { return Optional.ofNullable(bars.rom()); }

    public synchronized boolean romEnabled() { return bars.romEnabled(); }

    /** The capabilities the guest can reach, in list order. */
    public synchronized List<PciCapability> capabilities() { return List.copyOf(linked); }

    /** Capabilities unlinked by {@link Builder#hideCapability}. */
    public synchronized List<PciCapability> hiddenCapabilities() { return List.copyOf(hidden); }

    public synchronized Optional<MsixLayout> msixLayout() {
        return msix == null ? Optional.empty() : Optional.of(msix.layout);
    }

    public synchronized boolean msixEnabled() { return msix != null && msix.enabled(); }

    public synchronized boolean msixFunctionMasked() { return msix != null && msix.functionMasked(); }

    public synchronized boolean msiEnabled() { return msi != null && msi.enabled(); }

    /** The number of MSI vectors the guest enabled (1 when none are). */
    public synchronized int msiVectors() { return msi == null ? 0 : msi.vectors(); }

    public synchronized MsiMessage msiMessage(int vector) {
        if (msi == null) throw new IllegalStateException("the device has no MSI capability");
        return msi.vectorMessage(vector);
    }

    public synchronized boolean msiMasked(int vector) { return msi != null && msi.masked(vector); }

    // ---- capabilities Rig adds ----

    /**
     * Adds a capability that exists only in the virtual view: id, a link, then {@code body}; read-only, appended to
     * the end of the list. It goes at the first free dword-aligned place among {@code preferred}, else the first
     * free one in [0x40, 0x100).
     *
     * @return its offset
     * @throws IllegalStateException when no free place is left
     */
    public synchronized int addVirtualCapability(int id, byte[] body, int... preferred) {
        int length = 2 + body.length;
        int offset = -1;
        for (int p : preferred) if (free(p, length)) { offset = p; break; }
        for (int p = PciRegs.HEADER_END; offset < 0 && p + length <= PciRegs.STD_CONFIG_SIZE; p += 4)
            if (free(p, length)) offset = p;
        if (offset < 0) throw new IllegalStateException("no free " + length + "-byte place in standard config space "
                + "for capability 0x" + Integer.toHexString(id) + "; the device's capabilities are " + linked);
        bytes.readOnly(offset, 1, id);
        bytes.readOnly(offset + 1, 1, 0);
        for (int i = 0; i < body.length; i++) bytes.readOnly(offset + 2 + i, 1, body[i] & 0xff);
        linked.add(new PciCapability(id, offset, length));
        relink();
        return offset;
    }

    private boolean free(int offset, int length) {
        if (offset < PciRegs.HEADER_END || offset % 4 != 0 || offset + length > PciRegs.STD_CONFIG_SIZE) return false;
        for (PciCapability c : linked) if (c.overlaps(offset, length)) return false;
        return true;
    }

    private final class Fanout implements ConfigSpaceListener {
        @Override public void barMoved(PciBar bar, long o, long n) { listeners.forEach(l -> l.barMoved(bar, o, n)); }
        @Override public void commandChanged(int o, int n) { listeners.forEach(l -> l.commandChanged(o, n)); }
        @Override public void msiEnabled(boolean e, int v) { listeners.forEach(l -> l.msiEnabled(e, v)); }
        @Override public void msiVectorProgrammed(int v, MsiMessage m) { listeners.forEach(l -> l.msiVectorProgrammed(v, m)); }
        @Override public void msiVectorMasked(int v, boolean m) { listeners.forEach(l -> l.msiVectorMasked(v, m)); }
        @Override public void msixEnabled(boolean e, boolean m) { listeners.forEach(l -> l.msixEnabled(e, m)); }
        @Override public void msixVectorProgrammed(int v, MsiMessage m) { listeners.forEach(l -> l.msixVectorProgrammed(v, m)); }
        @Override public void msixVectorMasked(int v, boolean m) { listeners.forEach(l -> l.msixVectorMasked(v, m)); }
    }
}
