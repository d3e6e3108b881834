package dev.rig.cli;

import dev.rig.engine.Rig;
import dev.rig.engine.spi.RunOutcome;
import dev.rig.kvm.guest.BuiltinGuests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * rig bench: PIO exits per second in Rig's run loop against a C KVM_RUN loop running the same guest image,
 * measured in the same run, and the time from process start to the hello guest's first serial byte. Its
 * subcommand {@code dma} ({@link dev.rig.cli.bench.BenchDmaCommand}) measures VFIO DMA mapping in the lab.
 */
@Command(name = "bench", description = "Measure Rig's PIO exit rate against a C reference loop, and start-up time; "
        + "`rig bench dma` measures VFIO DMA mapping.", subcommands = dev.rig.cli.bench.BenchDmaCommand.class)
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--rounds", defaultValue = "2", description = "Alternating Rig/C rounds; the best of each is kept (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--startup-runs", defaultValue = "3", description = "Runs of `bin/rig run examples/hello.groovy` timed to the first serial byte (default ${DEFAULT-VALUE}).")
    int startupRuns;

    private final Path home = Path.of(System.getProperty("rig.home", ".")).toAbsolutePath().normalize();

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("rig-bench");
        try {
            Path image = work.resolve("pio-loop.bin");
            Files.write(image, BuiltinGuests.pioLoop(BuiltinGuests.PIO_LOOP_ITERATIONS).image());
            Path reference = CReference.compile(home, "pio-loop", work);
            double bestRig = 0, bestC = 0;
            for (int round = 1; round <= rounds; round++) {
                double c = runReference(reference, image);
                double rig = runRig();
                System.out.printf("round %d: rig %,.0f exits/s, C %,.0f exits/s%n", round, rig, c);
                bestRig = Math.max(bestRig, rig);
                bestC = Math.max(bestC, c);
            }
            System.out.printf("PIO exits/s (best of %d, %,d exits each): rig %,.0f   C reference %,.0f   ratio %.3f (target >= 0.9)%n",
                    rounds, BuiltinGuests.PIO_LOOP_ITERATIONS + 1, bestRig, bestC, bestRig / bestC);
            if (startupRuns > 0) {
                double[] ms = new double[startupRuns];
                for (int i = 0; i < startupRuns; i++) ms[i] = timeToFirstSerialByte();
                Arrays.sort(ms);
                System.out.printf("process start to first serial byte of the hello guest (bin/rig run examples/hello.groovy): "
                        + "median %.0f ms, min %.0f ms, max %.0f ms over %d runs%n", ms[ms.length / 2], ms[0], ms[ms.length - 1], startupRuns);
            }
            return 0;
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }


    private static double runReference(Path binary, Path image) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary.toString(), image.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || !out.startsWith("exits ")) throw new IllegalStateException("C reference failed: " + out);
        String[] f = out.split("\\s+");
        return Long.parseLong(f[1]) / Double.parseDouble(f[3]);
    }

    private static double runRig() {
        RunOutcome o = Rig.withDefaultBackend().run(Rig.vm("bench").guest("pio-loop").serial("off").build());
        if (!(o instanceof RunOutcome.GuestExit(int code, var s)) || code != 0)
            throw new IllegalStateException("the pio-loop guest did not finish: " + o.describe());
        return o.stats().pioExits() / (o.stats().runNanos() / 1e9);
    }

    private double timeToFirstSerialByte() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/rig").toString(), "run",
                home.resolve("examples/hello.groovy").toString()));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (InputStream in = p.getInputStream()) {
            if (in.read() < 0) throw new IllegalStateException("the hello guest printed nothing");
            double ms = (System.nanoTime() - start) / 1e6;
            in.readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new IllegalStateException("bin/rig run examples/hello.groovy failed");
            return ms;
        }
    }
}
