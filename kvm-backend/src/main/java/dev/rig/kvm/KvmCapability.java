package dev.rig.kvm;

/** KVM_CAP_* numbers Rig checks for, with what they are needed for (used in error messages). */
public enum KvmCapability {
    IRQCHIP(0, "the in-kernel interrupt controllers"),
    USER_MEMORY(3, "guest memory slots"),
    SET_TSS_ADDR(4, "the TSS address on Intel hosts"),
    EXT_CPUID(7, "CPUID configuration"),
    NR_VCPUS(9, "the recommended vCPU count"),
    NR_MEMSLOTS(10, "the memory slot count"),
    IRQ_ROUTING(25, "GSI routing (MSI)"),
    IRQFD(32, "interrupts through eventfds"),
    PIT2(33, "the in-kernel timer"),
    IOEVENTFD(36, "doorbells through eventfds"),
    MAX_VCPUS(66, "the maximum vCPU count"),
    SIGNAL_MSI(77, "injecting MSIs"),
    IRQFD_RESAMPLE(82, "level-triggered INTx through eventfds"),
    IMMEDIATE_EXIT(136, "stopping vCPUs promptly");

    public final int number;
    public final String neededFor;

    KvmCapability(int number, String neededFor) {
        this.number = number;
        this.neededFor = neededFor;
    }
}
