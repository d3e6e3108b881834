package dev.rig.kvm;

/** KVM_CAP_* numbers Rig checks for, with what they are needed for (used in error messages). */
public enum KvmCapability {
    USER_MEMORY(3, "guest memory slots"),
    SET_TSS_ADDR(4, "the TSS address on Intel hosts"),
    EXT_CPUID(7, "CPUID configuration"),
    NR_VCPUS(9, "the recommended vCPU count"),
    NR_MEMSLOTS(10, "the memory slot count"),
    IRQFD(32, "interrupts through eventfds"),
    IOEVENTFD(36, "doorbells through eventfds"),
    MAX_VCPUS(66, "the maximum vCPU count"),
    IMMEDIATE_EXIT(136, "stopping vCPUs promptly");

    public final int number;
    public final String neededFor;

    KvmCapability(int number, String neededFor) {
        this.number = number;
        this.neededFor = neededFor;
    }
}
