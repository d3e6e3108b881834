package dev.rig.cli.bench;

import dev.rig.cli.CReference;
import dev.rig.engine.alloc.AddressRange;
import dev.rig.engine.alloc.GuestMemoryLayout;
import dev.rig.engine.alloc.Sizes;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.model.MemorySize;
import dev.rig.vfio.VfioMemlock;
import dev.rig.vfio.sys.NativeVfioSys;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * rig bench dma: the time to map guest RAM for device DMA (VFIO_IOMMU_MAP_DMA) through Rig's vfio-backend against
 * a C program making the same calls (scripts/bench/dma-map.c), alternating in one run, and the VFIO set-up phases
 * of both. Needs a device on vfio-pci: in the lab, edu.
 */
@Command(name = "dma", mixinStandardHelpOptions = true, description = {
        "Measure the time to map guest RAM for DMA through VFIO (per GiB) with Rig's vfio-backend and with a C "
                + "reference making the same calls (scripts/bench/dma-map.c, built with gcc), round by round, and "
                + "the VFIO set-up phases of both.",
        "The device must be on vfio-pci; in the lab: scripts/lab run 'bin/rig bench dma'"})
public final class BenchDmaCommand implements Callable<Integer> {
    @Option(names = "--device", paramLabel = "BDF", defaultValue = "${env:RIG_LAB_EDU}",
            description = "The device whose IOMMU group maps the RAM (default: $RIG_LAB_EDU, the lab's edu).")
    String device;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "1G",
            description = "Guest RAM to map, laid out as Rig lays it out (default ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = "--rounds", defaultValue = "5", description = "Rounds of each side, alternating (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--chunk", paramLabel = "SIZE", split = ",", defaultValue = "range,2M",
            description = "Bytes per map call, repeatable: 'range' = one call per RAM range, as Rig maps guest RAM "
                    + "(default ${DEFAULT-VALUE}).")
    List<String> chunks;

    @Spec
    CommandSpec spec;

    private final Path home = Path.of(System.getProperty("rig.home", ".")).toAbsolutePath().normalize();

    @Override
    public Integer call() throws Exception {
        if (device == null || device.isBlank())
            throw new IllegalArgumentException("rig bench dma needs --device BDF (a device on vfio-pci; in the lab $RIG_LAB_EDU is used)");
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1");
        String bdf = PciAddress.parse(device).toString();
        int group = boundGroup(bdf);
        long ramBytes = MemorySize.parse(memory).bytes();
        List<AddressRange> ram = GuestMemoryLayout.x86_64(ramBytes).ram();
        List<Long> granularities = chunks.stream().map(c -> c.equals("range") ? 0L : MemorySize.parse(c).bytes()).toList();
        VfioMemlock.current(NativeVfioSys.INSTANCE).require(ramBytes);
        // A run has its logging up before it opens VFIO (VmSession logs first); VfioDevice's logger must not bill
        // logback's start-up to the first round's device phase.
        LoggerFactory.getLogger(BenchDmaCommand.class).debug("bench dma on {}", bdf);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("rig bench dma: %s (IOMMU group %d), %s of guest RAM in %d RAM range(s), %d rounds; "
                        + "transparent hugepages: %s%n", bdf, group, Sizes.format(ramBytes), ram.size(), rounds,
                Files.exists(THP) ? Files.readString(THP).strip() : "unknown");
        out.flush();
        Path work = Files.createTempDirectory("rig-bench-dma");
        List<DmaRound> rig = new ArrayList<>(), c = new ArrayList<>();
        try (RigDmaSide rigSide = new RigDmaSide(bdf, group, ram, granularities);
             CDmaSide reference = new CDmaSide(CReference.compile(home, "dma-map", work), bdf, group, ram, rigSide.hugePageOffsets(),
                     granularities)) {
            // With transparent huge pages, where RAM starts in a 2 MiB page decides which of its pages are huge and
            // so the kernel's pinning and IOMMU work: the C side places its RAM as Rig's lies, and this shows it.
            out.printf("RAM mappings' offsets in a 2 MiB page: Rig %s, C %s%n", String.join(" ",
                    rigSide.hugePageOffsets().stream().map(o -> "0x" + Long.toHexString(o)).toList()), reference.hugePageOffsets());
            for (int round = 1; round <= rounds; round++) {
                if (round % 2 == 1) {  // alternate who goes first, so drift on a busy machine hits both alike
                    c.add(reference.round());
                    rig.add(rigSide.round());
                } else {
                    rig.add(rigSide.round());
                    c.add(reference.round());
                }
                out.println(DmaReport.roundLine(round, rig.getLast(), c.getLast(), chunks, ramBytes));
                out.flush();
            }
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
        DmaReport.summary(out, rig, c, chunks, ramBytes);
        out.flush();
        return 0;
    }

    private static final Path THP = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    /** The device's IOMMU group; the device must be on vfio-pci for the group to be usable. */
    private static int boundGroup(String bdf) throws IOException {
        Path dev = Path.of("/sys/bus/pci/devices", bdf);
        if (!Files.exists(dev)) throw new IllegalArgumentException(bdf + ": no such PCI device (rig host ls lists them)");
        Path driver = dev.resolve("driver");
        String bound = Files.isSymbolicLink(driver) ? Files.readSymbolicLink(driver).getFileName().toString() : "no driver";
        if (!bound.equals("vfio-pci"))
            throw new IllegalStateException(bdf + " is on " + bound + ", not vfio-pci: sudo rig host bind " + bdf);
        Path group = dev.resolve("iommu_group");
        if (!Files.isSymbolicLink(group))
            throw new IllegalStateException(bdf + " has no IOMMU group: the IOMMU is off (rig host check says how to turn it on)");
        return Integer.parseInt(Files.readSymbolicLink(group).getFileName().toString());
    }

}
