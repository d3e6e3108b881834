package dev.rig.cli.bench;

import dev.rig.engine.alloc.AddressRange;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The C reference (scripts/bench/dma-map.c) as a process that stays up between rounds, so its guest RAM is
 * allocated and touched once, as Rig's is; each "round" line makes it do one round, answered by one line.
 */
final class CDmaSide implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final int granularities;
    private final String placedAt;

    /** @param hugePageOffsets where in a 2 MiB page each of Rig's RAM mappings starts: the C side's start there too */
    CDmaSide(Path binary, String bdf, int group, List<AddressRange> ram, List<Long> hugePageOffsets,
             List<Long> granularities) throws IOException {
        this.granularities = granularities.size();
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), bdf, Integer.toString(group),
                granularities.stream().map(String::valueOf).collect(Collectors.joining(","))));
        for (int i = 0; i < ram.size(); i++)
            cmd.add(String.format("0x%x:%d@0x%x", ram.get(i).start(), ram.get(i).size(), hugePageOffsets.get(i)));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        String ready = out.readLine();
        if (ready == null || !ready.startsWith("ready")) throw failed("did not start (" + ready + ")");
        placedAt = ready.substring("ready".length()).strip();
    }

    /** Where each of its RAM mappings starts within a 2 MiB page, as hex. */
    String hugePageOffsets() { return placedAt; }

    DmaRound round() throws IOException {
        in.write("round\n");
        in.flush();
        String line = out.readLine();
        if (line == null) throw failed("stopped mid-round");
        return DmaRound.parse(line, granularities);
    }

    private IllegalStateException failed(String what) {
        return new IllegalStateException("the C reference (scripts/bench/dma-map.c) " + what
                + ": its error is printed above");
    }

    @Override
    public void close() throws IOException {
        in.close();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
