package dev.rig.vfio.lab;

import dev.rig.sys.Libc;
import dev.rig.vfio.DmaMapping;
import dev.rig.vfio.VfioContainer;
import dev.rig.vfio.VfioDevice;
import dev.rig.vfio.VfioGroup;
import dev.rig.vfio.VfioIrqInfo;
import dev.rig.vfio.VfioMemlock;
import dev.rig.vfio.VfioRegionInfo;
import dev.rig.vfio.pci.ConfigSpaceListener;
import dev.rig.vfio.pci.MsiMessage;
import dev.rig.kvm.pci.PciBar;
import dev.rig.vfio.pci.VirtualConfigSpace;
import dev.rig.vfio.sys.NativeVfioSys;
import dev.rig.vfio.sys.SysFd;
import dev.rig.vfio.sys.VfioStructs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs Rig's VFIO code against the real edu device inside the nested lab (not a unit test: it needs /dev/vfio):
 * <pre>
 *   /work/shared/lab/lab.sh --only 'java --enable-native-access=ALL-UNNAMED -cp CP dev.rig.vfio.lab.EduLabProbe'
 * </pre>
 * LAB_EDU names the device. Prints what the kernel reports (the fake's edu description is checked against this) and
 * "EDU-LAB-PROBE PASSED" when the open sequence, BAR0 mmap, a DMA round trip, MSI on an eventfd and clean close work.
 */
public final class EduLabProbe {
    private static int failures;

    private static void check(boolean ok, String what) {
        System.out.println((ok ? "  OK   " : "  FAIL ") + what);
        if (!ok) failures++;
    }

    public static void main(String[] args) throws Exception {
        String bdf = System.getenv("LAB_EDU");
        int group = Integer.parseInt(Files.readSymbolicLink(Path.of("/sys/bus/pci/devices", bdf, "iommu_group"))
                .getFileName().toString());
        long fdsBefore = openFds();
        System.out.println("edu " + bdf + " in IOMMU group " + group + "; memlock " + VfioMemlock.current(NativeVfioSys.INSTANCE));
        try (VfioContainer container = VfioContainer.open(); Arena arena = Arena.ofConfined()) {
            VfioGroup g = container.group(group);
            check(container.group(group) == g, "the group is opened once");
            VfioDevice dev = g.device(bdf);
            System.out.println("info " + dev.info() + " reset=" + dev.info().supportsReset());
            for (VfioRegionInfo r : dev.regions())
                System.out.printf("region %d flags 0x%x size 0x%x offset 0x%x sparse %s type %s msixMappable %s%n",
                        r.index(), r.flags(), r.size(), r.offset(), r.sparseAreas(), r.type(), r.msixMappable());
            for (VfioIrqInfo q : dev.irqs()) System.out.printf("irq %d flags 0x%x count %d%n", q.index(), q.flags(), q.count());
            System.out.printf("iommu page sizes 0x%x%n", container.iommuPageSizes());
            StringBuilder cfg = new StringBuilder("config:");
            for (int off = 0; off < 0x50; off += 4) cfg.append(String.format(" %08x", dev.readConfig(off, 4)));
            System.out.println(cfg);

            VirtualConfigSpace vcs = dev.virtualConfigSpace(false).build();
            vcs.addListener(new ConfigSpaceListener() {
                @Override public void barMoved(PciBar bar, long o, long n) { System.out.println("  listener: moved " + bar); }
                @Override public void commandChanged(int o, int n) { System.out.printf("  listener: command 0x%x -> 0x%x%n", o, n); }
                @Override public void msiEnabled(boolean e, int v) { System.out.println("  listener: MSI enabled " + e + " x" + v); }
                @Override public void msiVectorProgrammed(int v, MsiMessage m) { System.out.println("  listener: MSI " + v + " " + m); }
            });
            System.out.printf("virtual: %04x:%04x class %06x caps %s bars %s%n", vcs.vendorId(), vcs.deviceId(),
                    vcs.classCode(), vcs.capabilities(), vcs.bars());
            vcs.write(0x10, 4, 0xffffffff);
            check(vcs.read(0x10, 4) == 0xfff00000, String.format("BAR0 sizing probe reads 0x%08x", vcs.read(0x10, 4)));
            vcs.write(0x10, 4, 0xfea00000);
            vcs.write(0x04, 2, 0x6);  // memory + bus master, written through to the device
            check((dev.readConfig(0x04, 2) & 0x6) == 0x6, String.format("command written through: device has 0x%x",
                    dev.readConfig(0x04, 2)));
            vcs.write(0x44, 4, 0xfee00000);
            vcs.write(0x4c, 2, 0x41);
            vcs.write(0x42, 2, 0x1);
            check(vcs.msiEnabled() && vcs.msiMessage(0).equals(new MsiMessage(0xfee00000L, 0x41)), "MSI programmed in the virtual copy");

            MemorySegment bar0 = dev.mapRegion(0, 0, 1 << 20);
            check(bar0.get(ValueLayout.JAVA_INT, 0) == 0x010000ed, String.format("BAR0 mmap ident 0x%08x", bar0.get(ValueLayout.JAVA_INT, 0)));
            bar0.set(ValueLayout.JAVA_INT, 4, 0x12345678);
            check(bar0.get(ValueLayout.JAVA_INT, 4) == ~0x12345678, "liveness register inverts");

            MemorySegment buf = arena.allocate(0x10000, 4096);
            for (int i = 0; i < 2048; i++) buf.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + 3));
            VfioMemlock.current(NativeVfioSys.INSTANCE).require(buf.byteSize());
            DmaMapping m = container.mapDma(0x100000, buf, true, true);
            dma(bar0, 0x100000, 0x40000, 1);
            dma(bar0, 0x40000, 0x102000, 3);
            check(buf.asSlice(0, 2048).mismatch(buf.asSlice(0x2000, 2048)) == -1, "DMA round trip through IOVA 0x100000");

            List<SysFd> efd = dev.enableIrq(VfioStructs.PCI_MSI_IRQ, 1);
            bar0.set(ValueLayout.JAVA_INT, 0x60, 0x42);
            check(waitEventfd(efd.getFirst(), arena), "MSI delivered to the eventfd");
            bar0.set(ValueLayout.JAVA_INT, 0x64, bar0.get(ValueLayout.JAVA_INT, 0x24));
            dev.disableIrq(VfioStructs.PCI_MSI_IRQ);
            check(efd.getFirst().isClosed(), "disabling MSI closed the eventfd the device made");
            check(!dev.reset(), "edu has no reset: reset() says so and goes on");
            container.unmapDma(m);
            check(container.dmaMappings().isEmpty(), "unmapped");
            container.mapDma(0x200000, buf, true, true);  // left for close() to unmap
            check(openFds() - fdsBefore == 3, "container, group and device fds open while in use: " + (openFds() - fdsBefore));
        }
        check(openFds() == fdsBefore, "every fd closed (" + openFds() + " open, " + fdsBefore + " before)");
        System.out.println(failures == 0 ? "EDU-LAB-PROBE PASSED" : "EDU-LAB-PROBE FAILED (" + failures + ")");
        System.exit(failures == 0 ? 0 : 1);
    }

    private static void dma(MemorySegment bar0, long src, long dst, int cmd) throws InterruptedException {
        bar0.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x80, src);
        bar0.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x88, dst);
        bar0.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x90, 2048);
        bar0.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x98, cmd);
        for (int i = 0; i < 5000 && (bar0.get(ValueLayout.JAVA_INT, 0x98) & 1) != 0; i++) Thread.sleep(1);
    }

    private static boolean waitEventfd(SysFd fd, Arena arena) throws InterruptedException {
        MemorySegment counter = arena.allocate(8);
        for (int i = 0; i < 3000; i++) {
            if (Libc.read(fd.fd(), counter, 8) == 8) return counter.get(ValueLayout.JAVA_LONG, 0) >= 1;
            Thread.sleep(1);
        }
        return false;
    }

    /** The fds that are VFIO files or eventfds (the JVM opens jars and such on its own meanwhile). */
    private static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> {
                try {
                    return Files.readSymbolicLink(p).toString();
                } catch (Exception e) {
                    return "";
                }
            }).filter(t -> t.startsWith("/dev/vfio") || t.contains("eventfd") || t.contains("vfio-device")).count();
        }
    }
}
