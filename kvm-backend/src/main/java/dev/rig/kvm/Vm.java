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

    /** Closes vCPUs first (their kvm_run mappings), then the VM fd, which frees the slots in KVM. */
    @Override
    public synchronized void close() {
        RuntimeException first = null;
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
