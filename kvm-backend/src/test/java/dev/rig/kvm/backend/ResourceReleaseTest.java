package dev.rig.kvm.backend;

import dev.rig.kvm.testing.RequiresKvm;
import dev.rig.engine.Rig;
import dev.rig.engine.spi.Machine;
import dev.rig.engine.spi.RunOutcome;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every fd and mapping a VM takes is given back: observed through /proc/self. */
@RequiresKvm
class ResourceReleaseTest {
    private static final long MiB = 1 << 20;
    private final Rig rig = new Rig(new KvmHypervisor());

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static List<String> maps() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps"));
    }

    /** Total size of the process's mappings (VmSize), in bytes. */
    private static long mappedBytes() throws IOException {
        return maps().stream().mapToLong(l -> {
            String[] range = l.substring(0, l.indexOf(' ')).split("-");
            return Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
        }).sum();
    }

    private static long residentBytes() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElseThrow();
    }

    private void cycle() {
        RunOutcome o = rig.run(Rig.vm("cycle").memory("64M").serial("off").build());
        assertEquals(0, o.exitStatus(), o.describe());
    }

    @Test
    void twoHundredCreateRunCloseCyclesLeaveFdsAndMappingsUnchanged() throws IOException {
        for (int i = 0; i < 10; i++) cycle();  // warm up: classes, JIT, thread stack caches
        long fds = openFds();
        long mapped = mappedBytes();
        for (int i = 0; i < 200; i++) cycle();
        assertEquals(fds, openFds(), "open fds after 200 cycles");
        assertTrue(maps().stream().noneMatch(l -> l.contains("kvm")), "no kvm_run page is still mapped");
        long grown = mappedBytes() - mapped;
        // One leaked guest would be 64 MiB; 200 of them 12.5 GiB.
        assertTrue(grown < 64 * MiB, "mapped memory grew by " + grown / MiB + " MiB over 200 cycles");
    }

    @Test
    void a64GiBGuestCostsAboutWhatA1GiBGuestCosts() throws IOException {
        costOfCreating("1G");  // warm up: the first VM also loads classes, which would hide the difference
        long small = costOfCreating("1G");
        long large = costOfCreating("64G");
        assertTrue(large < small + 16 * MiB,
                "creating 64 GiB took " + large / MiB + " MiB resident, 1 GiB took " + small / MiB + " MiB");
    }

    /** Resident memory added by creating (not running) a VM, which maps all its RAM. */
    private long costOfCreating(String memory) throws IOException {
        var plan = rig.plan(Rig.vm("size").memory(memory).serial("off").build());
        long before = residentBytes();
        try (Machine m = rig.hypervisor().create(plan)) {
            long mapped = maps().stream().filter(l -> !l.contains("/")).count();
            assertTrue(mapped > 0);
            return residentBytes() - before;
        }
    }
}
