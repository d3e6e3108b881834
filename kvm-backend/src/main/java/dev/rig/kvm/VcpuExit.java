package dev.rig.kvm;

import java.lang.foreign.MemorySegment;

/**
 * Why KVM_RUN returned, decoded from kvm_run. Data segments are views of the vCPU's kvm_run page, valid until the
 * next run: for IoIn and MmioRead the handler fills them in, and KVM completes the instruction on the next run.
 */
public sealed interface VcpuExit {
    record IoIn(int port, int size, int count, MemorySegment data) implements VcpuExit {}

    record IoOut(int port, int size, int count, MemorySegment data) implements VcpuExit {}

    record MmioRead(long address, int length, MemorySegment data) implements VcpuExit {}

    record MmioWrite(long address, int length, MemorySegment data) implements VcpuExit {}

    /** HLT with no in-kernel irqchip to wait for an interrupt. */
    record Halt() implements VcpuExit {}

    /** Triple fault, or another reason the CPU shut down. */
    record Shutdown() implements VcpuExit {}

    /** KVM_RUN was interrupted by a signal or immediate_exit: someone asked this vCPU to stop. */
    record Interrupted() implements VcpuExit {}

    record FailEntry(long hardwareReason, int cpu) implements VcpuExit {}

    record InternalError(int suberror, long[] data) implements VcpuExit {}

    /** Reset, shutdown or crash requested through a platform mechanism (PSCI, ACPI). */
    record SystemEvent(int type) implements VcpuExit {}

    record Other(int reason) implements VcpuExit {}
}
