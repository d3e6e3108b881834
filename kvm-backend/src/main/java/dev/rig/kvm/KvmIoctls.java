package dev.rig.kvm;

import dev.rig.sys.IoctlRequest;

import static dev.rig.sys.IoctlRequest.io;
import static dev.rig.sys.IoctlRequest.ior;
import static dev.rig.sys.IoctlRequest.iow;
import static dev.rig.sys.IoctlRequest.iowr;

/** KVM ioctl requests, computed from their struct layouts as include/uapi/linux/kvm.h defines them. */
public final class KvmIoctls {
    private static final int KVMIO = 0xAE;

    private KvmIoctls() {}

    public static final IoctlRequest GET_API_VERSION = io("KVM_GET_API_VERSION", KVMIO, 0x00);
    public static final IoctlRequest CREATE_VM = io("KVM_CREATE_VM", KVMIO, 0x01);
    public static final IoctlRequest CHECK_EXTENSION = io("KVM_CHECK_EXTENSION", KVMIO, 0x03);
    public static final IoctlRequest GET_VCPU_MMAP_SIZE = io("KVM_GET_VCPU_MMAP_SIZE", KVMIO, 0x04);
    public static final IoctlRequest GET_SUPPORTED_CPUID =
            iowr("KVM_GET_SUPPORTED_CPUID", KVMIO, 0x05, KvmStructs.CPUID2_HEADER);
    public static final IoctlRequest CREATE_VCPU = io("KVM_CREATE_VCPU", KVMIO, 0x41);
    public static final IoctlRequest SET_USER_MEMORY_REGION =
            iow("KVM_SET_USER_MEMORY_REGION", KVMIO, 0x46, KvmStructs.USERSPACE_MEMORY_REGION);
    public static final IoctlRequest SET_TSS_ADDR = io("KVM_SET_TSS_ADDR", KVMIO, 0x47);
    public static final IoctlRequest SET_IDENTITY_MAP_ADDR =
            iow("KVM_SET_IDENTITY_MAP_ADDR", KVMIO, 0x48, java.lang.foreign.ValueLayout.JAVA_LONG);
    public static final IoctlRequest CREATE_IRQCHIP = io("KVM_CREATE_IRQCHIP", KVMIO, 0x60);
    public static final IoctlRequest IRQ_LINE = iow("KVM_IRQ_LINE", KVMIO, 0x61, KvmStructs.IRQ_LEVEL);
    public static final IoctlRequest SET_GSI_ROUTING = iow("KVM_SET_GSI_ROUTING", KVMIO, 0x6a, KvmStructs.IRQ_ROUTING_HEADER);
    public static final IoctlRequest IRQFD = iow("KVM_IRQFD", KVMIO, 0x76, KvmStructs.IRQFD);
    public static final IoctlRequest CREATE_PIT2 = iow("KVM_CREATE_PIT2", KVMIO, 0x77, KvmStructs.PIT_CONFIG);
    public static final IoctlRequest IOEVENTFD = iow("KVM_IOEVENTFD", KVMIO, 0x79, KvmStructs.IOEVENTFD);
    public static final IoctlRequest SIGNAL_MSI = iow("KVM_SIGNAL_MSI", KVMIO, 0xa5, KvmStructs.MSI);
    public static final IoctlRequest CREATE_DEVICE = iowr("KVM_CREATE_DEVICE", KVMIO, 0xe0, KvmStructs.CREATE_DEVICE);
    public static final IoctlRequest SET_DEVICE_ATTR = iow("KVM_SET_DEVICE_ATTR", KVMIO, 0xe1, KvmStructs.DEVICE_ATTR);
    public static final IoctlRequest RUN = io("KVM_RUN", KVMIO, 0x80);
    public static final IoctlRequest GET_REGS = ior("KVM_GET_REGS", KVMIO, 0x81, KvmStructs.REGS);
    public static final IoctlRequest SET_REGS = iow("KVM_SET_REGS", KVMIO, 0x82, KvmStructs.REGS);
    public static final IoctlRequest GET_SREGS = ior("KVM_GET_SREGS", KVMIO, 0x83, KvmStructs.SREGS);
    public static final IoctlRequest SET_SREGS = iow("KVM_SET_SREGS", KVMIO, 0x84, KvmStructs.SREGS);
    public static final IoctlRequest SET_CPUID2 = iow("KVM_SET_CPUID2", KVMIO, 0x90, KvmStructs.CPUID2_HEADER);
}
