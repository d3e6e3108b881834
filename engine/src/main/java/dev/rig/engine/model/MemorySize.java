package dev.rig.engine.model;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A byte count written the way users write memory sizes: "64M", "512MiB", "2G", "1048576". Powers of 1024. */
public record MemorySize(long bytes) {
    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*([KMGT]?)(I?B)?", Pattern.CASE_INSENSITIVE);

    public MemorySize {
        if (bytes < 0) throw new IllegalArgumentException("a size cannot be negative: " + bytes);
    }

    public static MemorySize ofMiB(long mib) { return new MemorySize(mib << 20); }

    /** Parses a size; the message of a bad one shows the accepted forms. */
    public static MemorySize parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches())
            throw new IllegalArgumentException("'" + text + "' is not a size: write a number with an optional unit, "
                    + "e.g. '512M', '2G', '64MiB' (K, M, G, T are powers of 1024)");
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large", e);
        }
        if (n > (Long.MAX_VALUE >> shift)) throw new IllegalArgumentException("'" + text + "' is too large");
        return new MemorySize(n << shift);
    }

    @Override
    public String toString() {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        long v = bytes;
        int u = 0;
        while (u < units.length - 1 && v != 0 && (v & 1023) == 0) {
            v >>= 10;
            u++;
        }
        return v + " " + units[u];
    }
}
