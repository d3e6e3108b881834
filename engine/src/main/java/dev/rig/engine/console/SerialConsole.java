package dev.rig.engine.console;

import dev.rig.engine.spi.SerialPort;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The test-rig view of a guest's serial console: everything it printed, {@link #expect} (a regex, waited for
 * with a timeout, optionally failing on other patterns) and {@link #send}. Matching starts after the previous
 * match, as expect(1) and pexpect do, so a script reads the console forward. The pattern is tried against the
 * output as it arrives, byte by byte: to capture a whole word or line, end the pattern with what follows it
 * ({@code 'kernel (\S+)\r?\n'}), or a greedy group matches only what has arrived so far.
 */
public final class SerialConsole {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final int CONTEXT_CHARS = 400;

    private final String vmName;
    private final SerialPort port;
    private final StringBuilder text = new StringBuilder();  // ISO-8859-1: one char per byte, nothing lost
    private int position;
    private String endedBecause;

    public SerialConsole(String vmName, SerialPort port) {
        this.vmName = vmName;
        this.port = port;
        port.addOutputListener(this::append);
    }

    private synchronized void append(byte[] bytes) {
        text.append(new String(bytes, StandardCharsets.ISO_8859_1));
        notifyAll();
    }

    /** Marks the guest as gone: expectations still pending fail at once, saying why. */
    public synchronized void ended(String why) {
        endedBecause = why;
        notifyAll();
    }

    /** Everything the guest has printed so far. */
    public synchronized String output() { return text.toString(); }

    /** Waits up to {@link #DEFAULT_TIMEOUT} for the pattern. */
    public MatchResult expect(String regex) { return expect(regex, DEFAULT_TIMEOUT, List.of()); }

    public MatchResult expect(String regex, Duration timeout) { return expect(regex, timeout, List.of()); }

    /** Groovy's form: {@code vm.serial.expect 'login:', timeout: 60, fail: ['Kernel panic']} (seconds). */
    public MatchResult expect(Map<String, ?> options, String regex) {
        Object t = options.get("timeout");
        Duration timeout = t == null ? DEFAULT_TIMEOUT : Duration.ofMillis(Math.round(((Number) t).doubleValue() * 1000));
        Object f = options.get("fail");
        List<String> failures = f == null ? List.of() : f instanceof List<?> l ? l.stream().map(String::valueOf).toList()
                : List.of(String.valueOf(f));
        return expect(regex, timeout, failures);
    }

    /**
     * Waits until the console shows {@code regex} after the previous match; fails at once if it shows one of
     * {@code failures} first, or the guest ends, and when the timeout passes. The message names the pattern and
     * shows the console's last lines.
     */
    public synchronized MatchResult expect(String regex, Duration timeout, List<String> failures) {
        Pattern wanted = Pattern.compile(regex, Pattern.MULTILINE);
        List<Pattern> bad = failures.stream().map(p -> Pattern.compile(p, Pattern.MULTILINE)).toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = wanted.matcher(text);
            boolean found = m.find(position);
            for (Pattern p : bad) {
                Matcher b = p.matcher(text);
                if (b.find(position) && (!found || b.start() < m.start()))
                    throw new ExpectException(vmName + ": saw '" + b.group() + "' (failure pattern '" + p.pattern()
                            + "') while waiting for '" + regex + "'" + tail());
            }
            if (found) {
                position = m.end();
                return m.toMatchResult();
            }
            if (endedBecause != null)
                throw new ExpectException(vmName + ": the guest ended (" + endedBecause + ") before '" + regex
                        + "' appeared" + tail());
            long left = deadline - System.nanoTime();
            if (left <= 0)
                throw new ExpectException(vmName + ": timed out after " + seconds(timeout) + " waiting for '" + regex
                        + "'" + tail());
            try {
                wait(Math.max(1, left / 1_000_000), (int) (left % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ExpectException(vmName + ": interrupted while waiting for '" + regex + "'");
            }
        }
    }

    /** Sends a line (with a newline) to the guest, as typed on its console. */
    public void send(String line) { sendRaw(line + "\n"); }

    /** Sends text as it is. */
    public void sendRaw(String text) { port.receive(text.getBytes(StandardCharsets.ISO_8859_1)); }

    private String tail() {
        String unread = text.substring(Math.max(0, text.length() - CONTEXT_CHARS));
        if (unread.isBlank()) return "; the console printed nothing" + (text.isEmpty() ? "" : " more");
        return "; the console's last lines:\n" + unread.lines().map(l -> "  | " + l).collect(Collectors.joining("\n"));
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
    }

    public Optional<String> endedBecause() { return Optional.ofNullable(endedBecause); }
}
