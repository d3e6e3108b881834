package dev.rig.sys;

import dev.rig.kvm.KvmIoctls;
import dev.rig.kvm.KvmStructs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Numbers computed from struct layouts must equal the kernel headers' values (linux/kvm.h on x86-64). */
class IoctlRequestTest {
    static Stream<Arguments> kernelValues() {
        return Stream.of(
                Arguments.of(KvmIoctls.GET_API_VERSION, 0xAE00L),
                Arguments.of(KvmIoctls.CREATE_VM, 0xAE01L),
                Arguments.of(KvmIoctls.CHECK_EXTENSION, 0xAE03L),
                Arguments.of(KvmIoctls.GET_VCPU_MMAP_SIZE, 0xAE04L),
                Arguments.of(KvmIoctls.GET_SUPPORTED_CPUID, 0xC008AE05L),
                Arguments.of(KvmIoctls.CREATE_VCPU, 0xAE41L),
                Arguments.of(KvmIoctls.SET_USER_MEMORY_REGION, 0x4020AE46L),
                Arguments.of(KvmIoctls.SET_TSS_ADDR, 0xAE47L),
                Arguments.of(KvmIoctls.RUN, 0xAE80L),
                Arguments.of(KvmIoctls.GET_REGS, 0x8090AE81L),
                Arguments.of(KvmIoctls.SET_REGS, 0x4090AE82L),
                Arguments.of(KvmIoctls.GET_SREGS, 0x8138AE83L),
                Arguments.of(KvmIoctls.SET_SREGS, 0x4138AE84L),
                Arguments.of(KvmIoctls.SET_CPUID2, 0x4008AE90L),
                Arguments.of(KvmIoctls.SET_IDENTITY_MAP_ADDR, 0x4008AE48L),
                Arguments.of(KvmIoctls.CREATE_IRQCHIP, 0xAE60L),
                Arguments.of(KvmIoctls.IRQ_LINE, 0x4008AE61L),
                Arguments.of(KvmIoctls.SET_GSI_ROUTING, 0x4008AE6AL),
                Arguments.of(KvmIoctls.IRQFD, 0x4020AE76L),
                Arguments.of(KvmIoctls.CREATE_PIT2, 0x4040AE77L),
                Arguments.of(KvmIoctls.IOEVENTFD, 0x4040AE79L),
                Arguments.of(KvmIoctls.SIGNAL_MSI, 0x4020AEA5L),
                Arguments.of(KvmIoctls.CREATE_DEVICE, 0xC00CAEE0L),
                Arguments.of(KvmIoctls.SET_DEVICE_ATTR, 0x4018AEE1L));
    }

    @ParameterizedTest
    @MethodSource("kernelValues")
    void matchesTheKernelHeader(IoctlRequest request, long expected) {
        assertEquals(expected, request.number(), request.name());
    }

    @ParameterizedTest
    @MethodSource("structSizes")
    void structLayoutsHaveTheKernelSizes(java.lang.foreign.MemoryLayout layout, long size) {
        assertEquals(size, layout.byteSize(), layout.name().orElse("?"));
    }

    static Stream<Arguments> structSizes() {
        return Stream.of(
                Arguments.of(KvmStructs.USERSPACE_MEMORY_REGION, 32L),
                Arguments.of(KvmStructs.REGS, 144L),
                Arguments.of(KvmStructs.SEGMENT, 24L),
                Arguments.of(KvmStructs.SREGS, 312L),
                Arguments.of(KvmStructs.CPUID_ENTRY2, 40L),
                Arguments.of(KvmStructs.RUN, 32L + 256L),
                Arguments.of(KvmStructs.IRQ_ROUTING_ENTRY, 48L),
                Arguments.of(KvmStructs.IOEVENTFD, 64L),
                Arguments.of(KvmStructs.CREATE_DEVICE, 12L),
                Arguments.of(KvmStructs.DEVICE_ATTR, 24L));
    }
}
