package dev.rig.vfio.sys;

import dev.rig.sys.IoctlRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemoryLayout;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Request numbers and struct sizes as the kernel headers give them: printed by a C program built against
 * /usr/include/linux/vfio.h (x86-64) with gcc, e.g. printf("%lx", VFIO_IOMMU_MAP_DMA) and sizeof(struct ...).
 */
class VfioIoctlsTest {
    static Stream<Arguments> numbers() {
        return Stream.of(
                Arguments.of(VfioIoctls.GET_API_VERSION, 0x3b64L), Arguments.of(VfioIoctls.CHECK_EXTENSION, 0x3b65L),
                Arguments.of(VfioIoctls.SET_IOMMU, 0x3b66L), Arguments.of(VfioIoctls.GROUP_GET_STATUS, 0x3b67L),
                Arguments.of(VfioIoctls.GROUP_SET_CONTAINER, 0x3b68L), Arguments.of(VfioIoctls.GROUP_UNSET_CONTAINER, 0x3b69L),
                Arguments.of(VfioIoctls.GROUP_GET_DEVICE_FD, 0x3b6aL), Arguments.of(VfioIoctls.DEVICE_GET_INFO, 0x3b6bL),
                Arguments.of(VfioIoctls.DEVICE_GET_REGION_INFO, 0x3b6cL), Arguments.of(VfioIoctls.DEVICE_GET_IRQ_INFO, 0x3b6dL),
                Arguments.of(VfioIoctls.DEVICE_SET_IRQS, 0x3b6eL), Arguments.of(VfioIoctls.DEVICE_RESET, 0x3b6fL),
                Arguments.of(VfioIoctls.IOMMU_GET_INFO, 0x3b70L), Arguments.of(VfioIoctls.IOMMU_MAP_DMA, 0x3b71L),
                Arguments.of(VfioIoctls.IOMMU_UNMAP_DMA, 0x3b72L));
    }

    @ParameterizedTest
    @MethodSource("numbers")
    void requestNumbersMatchTheHeader(IoctlRequest request, long number) {
        assertEquals(number, request.number(), request.name());
    }

    static Stream<Arguments> sizes() {
        return Stream.of(
                Arguments.of(VfioStructs.GroupStatus.LAYOUT, 8L), Arguments.of(VfioStructs.DeviceInfo.LAYOUT, 20L),
                Arguments.of(VfioStructs.RegionInfo.LAYOUT, 32L), Arguments.of(VfioStructs.IrqInfo.LAYOUT, 16L),
                Arguments.of(VfioStructs.IrqSet.LAYOUT, 20L), Arguments.of(VfioStructs.DmaMap.LAYOUT, 32L),
                Arguments.of(VfioStructs.DmaUnmap.LAYOUT, 24L), Arguments.of(VfioStructs.IommuType1Info.LAYOUT, 24L),
                Arguments.of(VfioStructs.CapHeader.LAYOUT, 8L), Arguments.of(VfioStructs.SparseMmap.LAYOUT, 16L),
                Arguments.of(VfioStructs.SparseMmap.AREA, 16L), Arguments.of(VfioStructs.CapType.LAYOUT, 16L));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void structSizesMatchTheHeader(MemoryLayout layout, long size) {
        assertEquals(size, layout.byteSize(), layout.name().orElse("?"));
    }
}
