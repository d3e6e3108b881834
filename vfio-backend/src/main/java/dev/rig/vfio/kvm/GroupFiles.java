package dev.rig.vfio.kvm;

import dev.rig.kvm.KvmVfioDevice;
import dev.rig.kvm.Vm;

/**
 * Where a VM's VFIO group files are announced: KVM's KVM-VFIO device on a real host. A seam so that passthrough
 * runs against the fake VFIO kernel in tests (whose group fds KVM would rightly refuse) with a real KVM VM.
 */
interface GroupFiles extends AutoCloseable {
    void add(int groupFd);

    void remove(int groupFd);

    @Override
    void close();

    /** The KVM-VFIO device of vm. */
    static GroupFiles kvm(Vm vm) {
        KvmVfioDevice device = vm.createVfioDevice();
        return new GroupFiles() {
            @Override public void add(int fd) { device.addFile(fd); }
            @Override public void remove(int fd) { device.removeFile(fd); }
            @Override public void close() { device.close(); }
        };
    }
}
