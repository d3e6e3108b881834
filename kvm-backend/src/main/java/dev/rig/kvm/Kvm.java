package dev.rig.kvm;

import dev.rig.sys.Errno;
import dev.rig.sys.Libc;
import dev.rig.sys.NativeFd;
import dev.rig.sys.SyscallException;

import java.nio.file.Path;

/** The /dev/kvm system fd: capability checks, CPUID, VM creation. Parent of every {@link Vm}. */
public final class Kvm implements AutoCloseable {
    public static final Path DEFAULT_DEVICE = Path.of("/dev/kvm");
    private static final int API_VERSION = 12;

    private final NativeFd fd;
    private final int vcpuMmapSize;

    private Kvm(NativeFd fd) {
        this.fd = fd;
        try {
            int version = fd.ioctl(KvmIoctls.GET_API_VERSION, 0);
            if (version != API_VERSION)
                throw new KvmException(fd.description() + " speaks KVM API " + version + ", Rig needs " + API_VERSION);
            require(KvmCapability.USER_MEMORY, KvmCapability.EXT_CPUID);
            this.vcpuMmapSize = fd.ioctl(KvmIoctls.GET_VCPU_MMAP_SIZE, 0);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    public static Kvm open() { return open(DEFAULT_DEVICE); }

    /** Opens the KVM device; a missing or inaccessible device gets a message that says how to fix it. */
    public static Kvm open(Path device) {
        NativeFd fd;
        try {
            fd = NativeFd.open(device.toString(), Libc.O_RDWR);
        } catch (SyscallException e) {
            String fix = switch (e.errno()) {
                case Errno.EACCES, Errno.EPERM -> "Add your user to the kvm group (sudo usermod -aG kvm $USER, then "
                        + "log in again) or grant access: sudo setfacl -m u:$USER:rw " + device;
                case Errno.ENOENT, Errno.ENODEV, Errno.ENXIO -> "Load KVM (sudo modprobe kvm_intel or kvm_amd) and "
                        + "enable virtualization (VT-x/AMD-V) in the firmware";
                default -> null;
            };
            throw new KvmException("cannot open " + device + ": " + Errno.name(e.errno()) + " ("
                    + Libc.strerror(e.errno()) + ")" + (fix == null ? "" : ". " + fix), e);
        }
        return new Kvm(fd);  // closes fd itself if the device does not speak KVM
    }

    /** KVM_CHECK_EXTENSION: 0 when absent, otherwise a capability-specific positive value. */
    public int checkExtension(KvmCapability cap) {
        return fd.ioctl(KvmIoctls.CHECK_EXTENSION, cap.number);
    }

    /** Fails with one message naming every missing capability and what it is needed for. */
    public void require(KvmCapability... caps) {
        StringBuilder missing = new StringBuilder();
        for (KvmCapability cap : caps) {
            if (checkExtension(cap) <= 0)
                missing.append(missing.isEmpty() ? "" : ", ").append("KVM_CAP_").append(cap.name())
                        .append(" (needed for ").append(cap.neededFor).append(')');
        }
        if (!missing.isEmpty()) throw new KvmException(fd.description() + " lacks " + missing);
    }

    /** The vCPU limit KVM reports (KVM_CAP_MAX_VCPUS, falling back to NR_VCPUS as the API says). */
    public int maxVcpus() {
        int max = checkExtension(KvmCapability.MAX_VCPUS);
        return max > 0 ? max : Math.max(4, checkExtension(KvmCapability.NR_VCPUS));
    }

    public Cpuid supportedCpuid() { return Cpuid.supported(this); }

    int vcpuMmapSize() { return vcpuMmapSize; }

    NativeFd fd() { return fd; }

    public Vm createVm() {
        return new Vm(this, new NativeFd(fd.ioctl(KvmIoctls.CREATE_VM, 0), "vm"));
    }

    @Override
    public void close() { fd.close(); }
}
