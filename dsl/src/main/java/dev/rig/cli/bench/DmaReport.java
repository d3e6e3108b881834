package dev.rig.cli.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/** What `rig bench dma` prints: a line per round, then medians (ms per GiB for DMA maps, ms for set-up phases). */
final class DmaReport {
    private static final double GiB = 1L << 30;

    private DmaReport() {}

    static String roundLine(int round, DmaRound rig, DmaRound c, List<String> chunks, long ramBytes) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d:", round));
        for (int i = 0; i < chunks.size(); i++) {
            line.append(String.format(Locale.ROOT, " map per %s (%s) Rig %.1f C %.1f ms/GiB;", chunks.get(i),
                    calls(rig.calls()[i]), perGiB(rig.map()[i], ramBytes), perGiB(c.map()[i], ramBytes)));
        }
        line.append(String.format(Locale.ROOT, " set-up Rig %.2f C %.2f ms", setupNanos(rig) / 1e6, setupNanos(c) / 1e6));
        return line.toString();
    }

    /**
     * Medians over the warm rounds (all but the first, when there are three or more), with the first round
     * beside them: it is what a single run pays, JVM warm-up and first-open costs included.
     */
    static void summary(PrintWriter out, List<DmaRound> rig, List<DmaRound> c, List<String> chunks, long ramBytes) {
        int skip = rig.size() >= 3 ? 1 : 0;
        List<DmaRound> rigWarm = rig.subList(skip, rig.size()), cWarm = c.subList(skip, c.size());
        String which = skip == 0 ? "median of " + rig.size() + " rounds" : "median of rounds 2-" + rig.size();
        DmaRound rig1 = rig.getFirst(), c1 = c.getFirst();
        for (int i = 0; i < chunks.size(); i++) {
            int g = i;
            String what = chunks.get(i).equals("range") ? "one call per RAM range" : chunks.get(i) + " per call";
            double rigMap = perGiB(median(rigWarm, r -> r.map()[g]), ramBytes), cMap = perGiB(median(cWarm, r -> r.map()[g]), ramBytes);
            out.printf(Locale.ROOT, "DMA map, %s (%s): Rig %.1f ms/GiB   C %.1f ms/GiB   ratio %.3f (target <= 1.2; "
                            + "%s; round 1: Rig %.1f C %.1f)%n", what, calls(rig1.calls()[g]), rigMap, cMap, rigMap / cMap, which,
                    perGiB(rig1.map()[g], ramBytes), perGiB(c1.map()[g], ramBytes));
            out.printf(Locale.ROOT, "DMA unmap, %s: Rig %.1f ms/GiB   C %.1f ms/GiB (%s)%n", what,
                    perGiB(median(rigWarm, r -> r.unmap()[g]), ramBytes), perGiB(median(cWarm, r -> r.unmap()[g]), ramBytes), which);
        }
        out.printf("VFIO set-up per phase, ms: %s (round 1 in brackets; Rig's is a cold JVM)%n", which);
        for (int p = 0; p < DmaRound.PHASES.length; p++) {
            int phase = p;
            phaseLine(out, DmaRound.PHASES[p], rigWarm, cWarm, r -> r.phase(phase));
        }
        phaseLine(out, "total", rigWarm, cWarm, DmaReport::setupNanos);
        phaseLine(out, "close (device, group, container)", rigWarm, cWarm, DmaRound::close);
        out.printf(Locale.ROOT, "round 1 set-up: Rig %.3f ms, C %.3f ms%n", setupNanos(rig1) / 1e6, setupNanos(c1) / 1e6);
    }

    private static void phaseLine(PrintWriter out, String name, List<DmaRound> rig, List<DmaRound> c, ToLongFunction<DmaRound> v) {
        out.printf(Locale.ROOT, "  %-38s Rig %8.3f   C %8.3f%n", name, median(rig, v) / 1e6, median(c, v) / 1e6);
    }

    private static String calls(int n) {
        return n + (n == 1 ? " call" : " calls");
    }

    static long setupNanos(DmaRound r) {
        long sum = 0;
        for (int p = 0; p < DmaRound.PHASES.length; p++) sum += r.phase(p);
        return sum;
    }

    /** The median (the mean of the middle two for an even count). */
    static double median(List<DmaRound> rounds, ToLongFunction<DmaRound> value) {
        long[] v = rounds.stream().mapToLong(value).sorted().toArray();
        if (v.length == 0) throw new IllegalArgumentException("no rounds");
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }

    static double perGiB(double nanos, long bytes) {
        return nanos / 1e6 * GiB / bytes;
    }
}
