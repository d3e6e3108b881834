package dev.rig.vfio;

import dev.rig.vfio.fake.FakeDevice;
import dev.rig.vfio.fake.FakeVfioHost;
import dev.rig.vfio.pci.PciFixtures;
import dev.rig.vfio.sys.VfioStructs;

import java.util.List;

/** Fake devices for the VFIO layer: edu as the lab's kernel reported it, and a synthetic NVIDIA GPU with its audio. */
public final class VfioFixtures {
    private VfioFixtures() {}

    public static final int RW = VfioStructs.RegionInfo.FLAG_READ | VfioStructs.RegionInfo.FLAG_WRITE;
    public static final int RW_MMAP = RW | VfioStructs.RegionInfo.FLAG_MMAP;
    static final int EVENTFD = 1, MASKABLE = 2, AUTOMASKED = 4, NORESIZE = 8;
    public static final String EDU = "0000:00:03.0", GPU = "0000:01:00.0", GPU_AUDIO = "0000:01:00.1";

    /**
     * edu as vfio-pci describes it (EduLabProbe in the lab): flags PCI only (no reset), 9 regions (BAR0 1 MiB
     * read/write/mmap, config 256 bytes read/write, VGA absent), IRQs INTx 1 (eventfd, maskable, automasked),
     * MSI 1 and MSI-X 0 (eventfd, noresize), ERR 0, REQ 1.
     */
    public static FakeDevice edu() {
        return new FakeDevice(EDU, VfioStructs.DeviceInfo.FLAG_PCI, 9, 5, PciFixtures.eduConfig())
                .region(0, 1 << 20, RW_MMAP)
                .region(VfioStructs.PCI_CONFIG_REGION, 256, RW)
                .irq(0, 1, EVENTFD | MASKABLE | AUTOMASKED)
                .irq(1, 1, EVENTFD | NORESIZE)
                .irq(2, 0, EVENTFD | NORESIZE)
                .irq(3, 0, 0)
                .irq(4, 1, EVENTFD | NORESIZE);
    }

    /**
     * A synthetic GPU with reset: BAR0's sparse areas leave out the pages of the MSI-X table (0xb90000) and PBA
     * (0xba0000) as older kernels do; BAR3 is MSI-X mappable as newer ones report; region 9 is device specific with
     * a type and one sparse area (a chain of two).
     */
    public static FakeDevice gpu() {
        return new FakeDevice(GPU, VfioStructs.DeviceInfo.FLAG_PCI | VfioStructs.DeviceInfo.FLAG_RESET, 10, 5,
                PciFixtures.nvidiaGpuConfig())
                .region(new FakeDevice.Region(0, 16 << 20, RW_MMAP, List.of(new long[] {0, 0xb90000},
                        new long[] {0xb91000, 0xf000}, new long[] {0xba1000, (16 << 20) - 0xba1000}), null, false))
                .region(1, 256L << 20, RW_MMAP)
                .region(new FakeDevice.Region(3, 32 << 20, RW_MMAP, null, null, true))
                .region(5, 128, RW)
                .region(VfioStructs.PCI_ROM_REGION, 512 << 10, VfioStructs.RegionInfo.FLAG_READ)
                .region(VfioStructs.PCI_CONFIG_REGION, 4096, RW)
                .region(new FakeDevice.Region(9, 0x2000, RW_MMAP, List.<long[]>of(new long[] {0x1000, 0x1000}),
                        new int[] {0x800010de, 1}, false))
                .irq(0, 1, EVENTFD | MASKABLE | AUTOMASKED)
                .irq(1, 1, EVENTFD | NORESIZE)
                .irq(2, 6, EVENTFD | NORESIZE)
                .irq(3, 1, EVENTFD)
                .irq(4, 1, EVENTFD);
    }

    public static FakeDevice gpuAudio() {
        byte[] config = new byte[256];
        PciFixtures.put(config, 0, 4, 0x1aef10de);
        PciFixtures.put(config, 8, 4, 0x040300a1);
        return new FakeDevice(GPU_AUDIO, VfioStructs.DeviceInfo.FLAG_PCI, 9, 5, config)
                .region(0, 0x4000, RW_MMAP)
                .region(VfioStructs.PCI_CONFIG_REGION, 256, RW)
                .irq(0, 1, EVENTFD | MASKABLE | AUTOMASKED)
                .irq(1, 1, EVENTFD | NORESIZE);
    }

    /** Group 3 holds edu; group 22 the GPU and its audio function. */
    public static FakeVfioHost host() {
        return new FakeVfioHost()
                .group(3, true, List.of(EDU), edu())
                .group(22, true, List.of(GPU, GPU_AUDIO), gpu(), gpuAudio());
    }
}
