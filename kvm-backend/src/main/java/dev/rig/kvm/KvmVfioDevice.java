package dev.rig.kvm;

import dev.rig.sys.NativeFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The KVM-VFIO pseudo device ({@link Vm#createVfioDevice()}): KVM is told each VFIO group file the VM uses, so it
 * can keep coherent DMA working (no-snoop handling on Intel) and let VFIO find the KVM instance (needed by some
 * drivers, e.g. for GPUs). Closing it closes its fd; KVM then drops the groups.
 */
public final class KvmVfioDevice implements AutoCloseable {
    static final int TYPE_VFIO = 4;                     // enum kvm_device_type: KVM_DEV_TYPE_VFIO
    private static final int GROUP_FILE = 1, FILE_ADD = 1, FILE_DEL = 2;  // KVM_DEV_VFIO_FILE, _ADD, _DEL

    private final NativeFd fd;
    private final Set<Integer> files = new LinkedHashSet<>();

    KvmVfioDevice(NativeFd fd) { this.fd = fd; }

    /** KVM_DEV_VFIO_FILE_ADD: a VFIO group (or iommufd device) file descriptor of this process. */
    public synchronized void addFile(int vfioFd) {
        setAttr(FILE_ADD, vfioFd);
        files.add(vfioFd);
    }

    /** KVM_DEV_VFIO_FILE_DEL, before the file itself is closed. */
    public synchronized void removeFile(int vfioFd) {
        if (!files.remove(vfioFd) || fd.isClosed()) return;
        setAttr(FILE_DEL, vfioFd);
    }

    public synchronized Set<Integer> files() { return Set.copyOf(files); }

    private void setAttr(int attr, int vfioFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            value.set(ValueLayout.JAVA_INT, 0, vfioFd);
            MemorySegment a = arena.allocate(KvmStructs.DEVICE_ATTR);
            a.set(ValueLayout.JAVA_INT, KvmStructs.offset(KvmStructs.DEVICE_ATTR, "group"), GROUP_FILE);
            a.set(ValueLayout.JAVA_LONG, KvmStructs.offset(KvmStructs.DEVICE_ATTR, "attr"), attr);
            a.set(ValueLayout.JAVA_LONG, KvmStructs.offset(KvmStructs.DEVICE_ATTR, "addr"), value.address());
            fd.ioctl(KvmIoctls.SET_DEVICE_ATTR, a);
        }
    }

    public boolean isClosed() { return fd.isClosed(); }

    @Override
    public synchronized void close() {
        files.clear();
        fd.close();
    }

    @Override
    public String toString() { return fd.toString(); }
}
