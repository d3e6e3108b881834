package dev.rig.vfio.kvm;

import dev.rig.kvm.Irqchip;
import dev.rig.kvm.IrqFd;
import dev.rig.kvm.MsiVector;
import dev.rig.vfio.VfioDevice;
import dev.rig.vfio.pci.ConfigSpaceListener;
import dev.rig.vfio.pci.MsiMessage;
import dev.rig.vfio.pci.MsixTable;
import dev.rig.vfio.pci.VirtualConfigSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import static dev.rig.vfio.sys.VfioStructs.PCI_INTX_IRQ;
import static dev.rig.vfio.sys.VfioStructs.PCI_MSIX_IRQ;
import static dev.rig.vfio.sys.VfioStructs.PCI_MSI_IRQ;

/**
 * A passed-through function's interrupts, delivered by the kernel alone: VFIO signals an eventfd that KVM has as an
 * irqfd, so no interrupt passes through Rig. INTx: a level-triggered irqfd on the planned GSI whose resample eventfd
 * is VFIO's unmask eventfd (the line re-arms when the guest EOIs). MSI and MSI-X: one irqfd per vector on a GSI of
 * its own, whose MSI route follows what the guest programs; a masked vector's irqfd is detached from KVM, so what
 * arrives meanwhile waits in the eventfd and is injected at unmask. VFIO allows one index at a time, so enabling
 * MSI or MSI-X turns INTx off and disabling them turns it back on, as on hardware.
 */
final class PassthroughInterrupts implements ConfigSpaceListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PassthroughInterrupts.class);

    private final VfioDevice device;
    private final VirtualConfigSpace config;
    private final Irqchip chip;
    private final int intxGsi;          // -1: no INTx for this function
    private IrqFd intx;
    private List<MsiVector> msi = List.of(), msix = List.of();
    private MsixTable table;
    private boolean msixFunctionMasked;
    private boolean[] vectorMasked = new boolean[0];  // the table's per-vector mask bits, as last reported

    PassthroughInterrupts(VfioDevice device, VirtualConfigSpace config, Irqchip chip, int intxGsi) {
        this.device = device;
        this.config = config;
        this.chip = chip;
        this.intxGsi = intxGsi;
    }

    void setMsixTable(MsixTable table) { this.table = table; }

    /** Whether the function raises INTx at all (pin set, VFIO offers the index, the plan gave it a GSI). */
    boolean hasIntx() {
        return intxGsi >= 0 && config.read(0x3d, 1) != 0 && device.irqs().size() > PCI_INTX_IRQ
                && device.irq(PCI_INTX_IRQ).count() > 0;
    }

    /** The state after reset: INTx on (when the function has it). */
    synchronized void start() { enableIntx(); }

    private void enableIntx() {
        if (!hasIntx() || intx != null) return;
        IrqFd fd = chip.levelIrqfd(intxGsi);
        try {
            device.setIrqEventfds(PCI_INTX_IRQ, 0, fd.trigger().fd());
            device.setIrqUnmaskEventfd(PCI_INTX_IRQ, 0, fd.resample().fd());
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
        intx = fd;
    }

    private void disableIntx() {
        if (intx == null) return;
        try {
            device.disableIrq(PCI_INTX_IRQ);
        } finally {
            intx.close();
            intx = null;
        }
    }

    // ---- MSI ----

    @Override
    public synchronized void msiEnabled(boolean enabled, int vectors) {
        closeVectors(PCI_MSI_IRQ, msi);
        msi = List.of();
        if (!enabled) {
            enableIntx();
            return;
        }
        disableIntx();
        msi = openVectors(PCI_MSI_IRQ, vectors, v -> config.msiMessage(v));
        for (int v = 0; v < vectors; v++) if (config.msiMasked(v)) msi.get(v).mask(true);
    }

    @Override
    public synchronized void msiVectorProgrammed(int vector, MsiMessage message) {
        if (vector < msi.size()) route(msi.get(vector), message);
    }

    @Override
    public synchronized void msiVectorMasked(int vector, boolean masked) {
        if (vector < msi.size()) msi.get(vector).mask(masked);
    }

    // ---- MSI-X ----

    @Override
    public void msixEnabled(boolean enabled, boolean functionMasked) {
        // The table's state is read before taking this object's lock: the table calls in here holding its own.
        int size = table.layout().tableSize();
        MsiMessage[] messages = new MsiMessage[size];
        boolean[] masked = new boolean[size];
        for (int v = 0; v < size; v++) {
            messages[v] = table.message(v);
            masked[v] = table.masked(v);
        }
        synchronized (this) {
            msixFunctionMasked = functionMasked;
            if (!enabled) {
                closeVectors(PCI_MSIX_IRQ, msix);
                msix = List.of();
                enableIntx();
                return;
            }
            if (msix.isEmpty()) {
                disableIntx();
                msix = openVectors(PCI_MSIX_IRQ, size, v -> messages[v]);
                vectorMasked = masked.clone();
            }
            for (int v = 0; v < msix.size(); v++) msix.get(v).mask(functionMasked || vectorMasked[v]);
        }
    }

    @Override
    public synchronized void msixVectorProgrammed(int vector, MsiMessage message) {
        if (vector < msix.size()) route(msix.get(vector), message);
    }

    @Override
    public synchronized void msixVectorMasked(int vector, boolean masked) {
        if (vector >= msix.size()) return;
        vectorMasked[vector] = masked;
        msix.get(vector).mask(masked || msixFunctionMasked);
    }

    // ---- vectors ----

    private List<MsiVector> openVectors(int index, int count, IntFunction<MsiMessage> message) {
        List<MsiVector> fds = new ArrayList<>();
        try {
            for (int v = 0; v < count; v++) {
                MsiVector fd = MsiVector.open(chip);
                fds.add(fd);
                route(fd, message.apply(v));
            }
            device.setIrqEventfds(index, 0, fds.stream().mapToInt(f -> f.trigger().fd()).toArray());
        } catch (RuntimeException e) {
            release(fds);
            throw e;
        }
        return List.copyOf(fds);
    }

    private void closeVectors(int index, List<MsiVector> fds) {
        if (fds.isEmpty()) return;
        try {
            device.disableIrq(index);
        } catch (RuntimeException e) {
            log.warn("{}: disabling IRQ index {}: {}", device.name(), index, e.getMessage());
        } finally {
            release(fds);
        }
    }

    private static void release(List<MsiVector> fds) { fds.forEach(MsiVector::close); }

    private static void route(MsiVector v, MsiMessage m) { v.route(m.address(), m.data()); }


    /** Turns every index off on the device and drops the irqfds and routes. */
    @Override
    public synchronized void close() {
        closeVectors(PCI_MSIX_IRQ, msix);
        closeVectors(PCI_MSI_IRQ, msi);
        msix = msi = List.of();
        disableIntx();
    }
}
