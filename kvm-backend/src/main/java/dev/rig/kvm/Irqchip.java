package dev.rig.kvm;

import dev.rig.sys.NativeFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.rig.kvm.KvmStructs.IRQ_ROUTING_ENTRY;
import static dev.rig.kvm.KvmStructs.IRQ_ROUTING_HEADER;

/**
 * The in-kernel PIC, IOAPIC and local APICs of a VM ({@link Vm#createIrqchip()}), and how interrupts reach them:
 * IRQ lines, irqfds, and the GSI routing table with MSI routes. The table is a PC's, as QEMU sets it: GSI 0-15 to
 * the PICs, GSI 1-23 to the same IOAPIC pin, except that GSI 0 (the PIT's IRQ 0) goes to IOAPIC pin 2, which is
 * what the MADT's interrupt source override IRQ0 -> GSI 2 tells the guest. KVM_SET_GSI_ROUTING replaces the whole
 * table, so every change rewrites it with the MSI routes added.
 */
public final class Irqchip {
    public static final int IOAPIC_PINS = 24;
    private static final int ROUTE_IRQCHIP = 1, ROUTE_MSI = 2;
    private static final int CHIP_PIC_MASTER = 0, CHIP_PIC_SLAVE = 1, CHIP_IOAPIC = 2;
    private static final int IRQFD_DEASSIGN = 1, IRQFD_RESAMPLE = 2;

    /** An MSI route: the message a GSI delivers. */
    public record MsiRoute(long address, int data) {}

    private final NativeFd vmFd;
    private final Map<Integer, MsiRoute> msiRoutes = new TreeMap<>();
    private final List<IrqFd> irqfds = new ArrayList<>();
    private final java.util.BitSet msiGsis = new java.util.BitSet();  // GSIs handed out for MSI routes

    Irqchip(NativeFd vmFd) {
        this.vmFd = vmFd;
        commitRoutes();  // KVM's default sends GSI 0 to IOAPIC pin 0; guests told IRQ0 -> GSI 2 want pin 2
    }

    /** Drives an IOAPIC/PIC input line (KVM_IRQ_LINE): for edge-triggered ISA devices, pulse it. */
    public void setLine(int gsi, boolean high) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment level = a.allocate(KvmStructs.IRQ_LEVEL);
            level.set(ValueLayout.JAVA_INT, 0, gsi);
            level.set(ValueLayout.JAVA_INT, 4, high ? 1 : 0);
            vmFd.ioctl(KvmIoctls.IRQ_LINE, level);
        }
    }

    /** An edge-triggered irqfd: each signal injects the GSI once. */
    public synchronized IrqFd irqfd(int gsi) { return register(gsi, false); }

    /** A level-triggered irqfd with a resample eventfd (INTx passthrough). */
    public synchronized IrqFd levelIrqfd(int gsi) { return register(gsi, true); }

    private IrqFd register(int gsi, boolean level) {
        EventFd trigger = new EventFd("irqfd for GSI " + gsi);
        EventFd resample = null;
        try {
            if (level) resample = new EventFd("resample for GSI " + gsi);
            assign(gsi, trigger.fd(), level ? IRQFD_RESAMPLE : 0, level ? resample.fd() : 0);
        } catch (RuntimeException e) {
            trigger.close();
            if (resample != null) resample.close();
            throw e;
        }
        IrqFd irqfd = new IrqFd(this, gsi, trigger, resample);
        irqfds.add(irqfd);
        return irqfd;
    }

    synchronized void deassign(IrqFd irqfd) {
        irqfds.remove(irqfd);
        if (!vmFd.isClosed()) assign(irqfd.gsi(), irqfd.trigger().fd(), IRQFD_DEASSIGN, 0);
    }

    private void assign(int gsi, int fd, int flags, int resampleFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(KvmStructs.IRQFD);
            s.set(ValueLayout.JAVA_INT, 0, fd);
            s.set(ValueLayout.JAVA_INT, 4, gsi);
            s.set(ValueLayout.JAVA_INT, 8, flags);
            s.set(ValueLayout.JAVA_INT, 12, resampleFd);
            vmFd.ioctl(KvmIoctls.IRQFD, s);
        }
    }

    /** A GSI above the IOAPIC's pins for an MSI route, unused by any other device of this VM. */
    public synchronized int allocateMsiGsi() {
        int gsi = msiGsis.nextClearBit(IOAPIC_PINS);
        msiGsis.set(gsi);
        return gsi;
    }

    /** Gives back a GSI from {@link #allocateMsiGsi}, dropping its route. */
    public synchronized void releaseMsiGsi(int gsi) {
        msiGsis.clear(gsi);
        unrouteMsi(gsi);
    }

    /** Routes a GSI (24 and up) to an MSI message, replacing its previous route. */
    public synchronized void routeMsi(int gsi, long address, int data) {
        if (gsi < IOAPIC_PINS) throw new IllegalArgumentException("GSI " + gsi + " belongs to the IOAPIC");
        msiRoutes.put(gsi, new MsiRoute(address, data));
        commitRoutes();
    }

    public synchronized void unrouteMsi(int gsi) {
        if (msiRoutes.remove(gsi) != null) commitRoutes();
    }

    public synchronized Map<Integer, MsiRoute> msiRoutes() { return Map.copyOf(msiRoutes); }

    /** Injects one MSI directly (KVM_SIGNAL_MSI), without a route. */
    public void signalMsi(long address, int data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment msi = a.allocate(KvmStructs.MSI);
            msi.set(ValueLayout.JAVA_INT, 0, (int) address);
            msi.set(ValueLayout.JAVA_INT, 4, (int) (address >>> 32));
            msi.set(ValueLayout.JAVA_INT, 8, data);
            vmFd.ioctl(KvmIoctls.SIGNAL_MSI, msi);
        }
    }

    private void commitRoutes() {
        List<int[]> entries = new ArrayList<>();  // gsi, type, chip-or-addrlo, pin-or-addrhi, data
        for (int gsi = 0; gsi < IOAPIC_PINS; gsi++) {
            if (gsi < 16) entries.add(new int[]{gsi, ROUTE_IRQCHIP, gsi < 8 ? CHIP_PIC_MASTER : CHIP_PIC_SLAVE, gsi % 8, 0});
            if (gsi == 0) entries.add(new int[]{0, ROUTE_IRQCHIP, CHIP_IOAPIC, 2, 0});
            else if (gsi != 2) entries.add(new int[]{gsi, ROUTE_IRQCHIP, CHIP_IOAPIC, gsi, 0});
        }
        msiRoutes.forEach((gsi, r) -> entries.add(new int[]{gsi, ROUTE_MSI, (int) r.address(), (int) (r.address() >>> 32), r.data()}));
        try (Arena a = Arena.ofConfined()) {
            long entrySize = IRQ_ROUTING_ENTRY.byteSize();
            MemorySegment table = a.allocate(IRQ_ROUTING_HEADER.byteSize() + entries.size() * entrySize, 8);
            table.set(ValueLayout.JAVA_INT, 0, entries.size());
            for (int i = 0; i < entries.size(); i++) {
                int[] e = entries.get(i);
                long at = IRQ_ROUTING_HEADER.byteSize() + i * entrySize;
                table.set(ValueLayout.JAVA_INT, at, e[0]);
                table.set(ValueLayout.JAVA_INT, at + 4, e[1]);
                table.set(ValueLayout.JAVA_INT, at + 16, e[2]);
                table.set(ValueLayout.JAVA_INT, at + 20, e[3]);
                table.set(ValueLayout.JAVA_INT, at + 24, e[4]);
            }
            vmFd.ioctl(KvmIoctls.SET_GSI_ROUTING, table);
        }
    }

    /** Closes every irqfd still registered (before the VM fd closes). */
    synchronized void closeAll() {
        for (IrqFd f : List.copyOf(irqfds)) f.close();
    }
}
