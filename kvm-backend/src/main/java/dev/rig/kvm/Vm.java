package dev.rig.kvm;

import dev.rig.sys.NativeFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A KVM VM fd: memory slots and vCPUs. Created by {@link Kvm#createVm()}; closing it closes its vCPUs. */
public final class Vm implements AutoCloseable {
    private final Kvm kvm;
    private final NativeFd fd;
    private final Map<Integer, MemorySlot> slots = new TreeMap<>();
    private final List<Vcpu> vcpus = new ArrayList<>();
    private final List<IoEventFd> ioeventfds = new ArrayList<>();
    private final List<KvmVfioDevice> devices = new ArrayList<>();
    private Irqchip irqchip;

    Vm(Kvm kvm, NativeFd fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    public Kvm kvm() { return kvm; }

    /** Registers a memory slot; refuses one that overlaps an existing slot. */
    public synchronized MemorySlot setMemorySlot(int slot, GuestAddress gpa, MemorySegment host, int flags) {
        long size = host.byteSize();
        for (MemorySlot s : slots.values()) {
            if (s.slot() != slot && s.overlaps(gpa, size))
                throw new KvmException(String.format("memory slot %d at %s+0x%x overlaps slot %d at %s+0x%x",
                        slot, gpa, size, s.slot(), s.guestAddress(), s.size()));
        }
        MemorySlot ms = new MemorySlot(slot, gpa, size, host.address(), flags);
        writeSlot(ms);
        slots.put(slot, ms);
        return ms;
    }

    /** Registers host memory (e.g. a device BAR's mmap) at gpa in the lowest free slot number. */
    public synchronized MemorySlot addMemorySlot(GuestAddress gpa, MemorySegment host, int flags) {
        int slot = 0;
        while (slots.containsKey(slot)) slot++;
        return setMemorySlot(slot, gpa, host, flags);
    }

    /** Deletes a slot (size 0, as the KVM API defines it). */
    public synchronized void removeMemorySlot(int slot) {
        MemorySlot ms = slots.remove(slot);
        if (ms != null) writeSlot(new MemorySlot(slot, ms.guestAddress(), 0, 0, 0));
    }

    /** Registers every region of guest RAM as its own slot, numbered from firstSlot. */
    public List<MemorySlot> mapGuestMemory(GuestMemory memory, int firstSlot) {
        List<MemorySlot> added = new ArrayList<>();
        int slot = firstSlot;
        for (GuestMemory.Region r : memory.regions()) added.add(setMemorySlot(slot++, r.start(), r.host(), 0));
        return added;
    }

    public synchronized List<MemorySlot> memorySlots() { return List.copyOf(slots.values()); }

    private void writeSlot(MemorySlot ms) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = arena.allocate(KvmStructs.USERSPACE_MEMORY_REGION);
            region.set(ValueLayout.JAVA_INT, 0, ms.slot());
            region.set(ValueLayout.JAVA_INT, 4, ms.flags());
            region.set(ValueLayout.JAVA_LONG, 8, ms.guestAddress().value());
            region.set(ValueLayout.JAVA_LONG, 16, ms.size());
            region.set(ValueLayout.JAVA_LONG, 24, ms.hostAddress());
            fd.ioctl(KvmIoctls.SET_USER_MEMORY_REGION, region);
        }
    }

    /** KVM_SET_TSS_ADDR: three pages KVM needs for real-mode emulation on Intel; harmless elsewhere. */
    public void setTssAddress(long gpa) {
        if (kvm.checkExtension(KvmCapability.SET_TSS_ADDR) > 0) fd.ioctl(KvmIoctls.SET_TSS_ADDR, gpa);
    }

    /** KVM_SET_IDENTITY_MAP_ADDR: one page KVM needs on Intel hosts; harmless elsewhere. Before any vCPU. */
    public void setIdentityMapAddress(long gpa) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(ValueLayout.JAVA_LONG);
            addr.set(ValueLayout.JAVA_LONG, 0, gpa);
            fd.ioctl(KvmIoctls.SET_IDENTITY_MAP_ADDR, addr);
        }
    }

    /** Creates the in-kernel PIC, IOAPIC and local APICs (before any vCPU): HLT then waits in the kernel. */
    public synchronized Irqchip createIrqchip() {
        if (irqchip != null) throw new IllegalStateException("the VM has its irqchip already");
        kvm.require(KvmCapability.IRQCHIP, KvmCapability.IRQFD);
        fd.ioctl(KvmIoctls.CREATE_IRQCHIP, 0);
        irqchip = new Irqchip(fd);
        return irqchip;
    }

    public synchronized java.util.Optional<Irqchip> irqchip() { return java.util.Optional.ofNullable(irqchip); }

    /** Creates the in-kernel PIT (i8254) on IRQ 0, with the PC speaker port answered by KVM as a dummy. */
    public void createPit() {
        kvm.require(KvmCapability.PIT2);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment config = arena.allocate(KvmStructs.PIT_CONFIG);
            config.set(ValueLayout.JAVA_INT, 0, 1);  // KVM_PIT_SPEAKER_DUMMY
            fd.ioctl(KvmIoctls.CREATE_PIT2, config);
        }
    }

    /**
     * An ioeventfd: guest writes of {@code length} bytes to {@code address} (a port when {@code pio}) signal the
     * returned eventfd in the kernel instead of exiting; with {@code datamatch} only writes of that value do.
     */
    public synchronized IoEventFd ioeventfd(long address, int length, boolean pio, Long datamatch) {
        kvm.require(KvmCapability.IOEVENTFD);
        EventFd event = new EventFd(String.format("ioeventfd at %s0x%x", pio ? "port " : "", address));
        try {
            writeIoEventFd(address, length, pio, datamatch, event.fd(), false);
        } catch (RuntimeException e) {
            event.close();
            throw e;
        }
        IoEventFd io = new IoEventFd(this, address, length, pio, datamatch, event);
        ioeventfds.add(io);
        return io;
    }

    synchronized void deassignIoEventFd(IoEventFd io) {
        ioeventfds.remove(io);
        if (!fd.isClosed()) writeIoEventFd(io.address(), io.length(), io.pio(), io.datamatch(), io.event().fd(), true);
    }

    private void writeIoEventFd(long address, int length, boolean pio, Long datamatch, int eventFd, boolean deassign) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.IOEVENTFD);
            s.set(ValueLayout.JAVA_LONG, 0, datamatch == null ? 0 : datamatch);
            s.set(ValueLayout.JAVA_LONG, 8, address);
            s.set(ValueLayout.JAVA_INT, 16, length);
            s.set(ValueLayout.JAVA_INT, 20, eventFd);
            s.set(ValueLayout.JAVA_INT, 24, (datamatch != null ? 1 : 0) | (pio ? 2 : 0) | (deassign ? 4 : 0));
            fd.ioctl(KvmIoctls.IOEVENTFD, s);
        }
    }

    /**
     * KVM_CREATE_DEVICE of the KVM-VFIO device; closed with the VM unless closed first. x86 KVM does not advertise
     * KVM_CAP_DEVICE_CTRL although it has the ioctl (QEMU also just tries), so there is no capability check.
     */
    public synchronized KvmVfioDevice createVfioDevice() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment create = arena.allocate(KvmStructs.CREATE_DEVICE);
            create.set(ValueLayout.JAVA_INT, 0, KvmVfioDevice.TYPE_VFIO);
            fd.ioctl(KvmIoctls.CREATE_DEVICE, create);
            KvmVfioDevice device = new KvmVfioDevice(new NativeFd(create.get(ValueLayout.JAVA_INT, 4), "kvm-vfio device"));
            devices.add(device);
            return device;
        }
    }

    public synchronized Vcpu createVcpu(int id) {
        NativeFd vcpuFd = new NativeFd(fd.ioctl(KvmIoctls.CREATE_VCPU, id), "vcpu " + id);
        Vcpu vcpu;
        try {
            vcpu = new Vcpu(id, vcpuFd, kvm.vcpuMmapSize());
        } catch (RuntimeException e) {
            vcpuFd.close();
            throw e;
        }
        vcpus.add(vcpu);
        return vcpu;
    }

    public synchronized List<Vcpu> vcpus() { return List.copyOf(vcpus); }

    NativeFd fd() { return fd; }

    /** Closes vCPUs first (their kvm_run mappings), eventfds, then the VM fd, which frees the slots in KVM. */
    @Override
    public synchronized void close() {
        RuntimeException first = null;
        try {
            if (irqchip != null) irqchip.closeAll();
            for (IoEventFd io : List.copyOf(ioeventfds)) io.close();
            for (KvmVfioDevice d : devices) d.close();
        } catch (RuntimeException e) {
            first = e;
        }
        for (Vcpu v : vcpus) {
            try {
                v.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        vcpus.clear();
        slots.clear();
        fd.close();
        if (first != null) throw first;
    }
}
