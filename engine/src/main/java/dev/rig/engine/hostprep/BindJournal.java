package dev.rig.engine.hostprep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rig.engine.host.PciAddress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The devices Rig took and has not given back, in {@code <stateDir>/host-journal.json}. An entry is written (and
 * forced to disk) before the first sysfs write for its device and removed once the device is back on its driver,
 * so after a crash or kill -9 the file lists exactly what {@code rig host restore} has to undo.
 *
 * <pre>{@code
 * {
 *   "format": "rig-host-journal",
 *   "version": 1,
 *   "entries": [ {
 *     "address": "0000:01:00.0", "originalDriver": "nvidia", "originalOverride": null,
 *     "owner": { "kind": "run", "pid": 4242, "processStart": "2026-01-02T03:04:05.060Z", "description": "rig run vm.groovy" },
 *     "taken": "2026-01-02T03:04:07.123Z"
 *   } ]
 * }
 * }</pre>
 *
 * Rig processes serialize on an exclusive lock of {@code host-journal.lock} held for a whole operation
 * ({@link #locked}), so two binds cannot interleave their read-modify-write of the file or of sysfs.
 */
public final class BindJournal {

    public static final String FORMAT = "rig-host-journal";
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** One per state directory in this JVM: file locks are per process, so threads queue here first. */
    private static final Map<Path, ReentrantLock> THREAD_LOCKS = new ConcurrentHashMap<>();

    private final Path stateDir;
    private final ReentrantLock threadLock;
    private FileChannel lockChannel;

    public BindJournal(Path stateDir) {
        this.stateDir = stateDir;
        this.threadLock = THREAD_LOCKS.computeIfAbsent(stateDir.toAbsolutePath().normalize(), k -> new ReentrantLock());
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path file() {
        return stateDir.resolve("host-journal.json");
    }

    /**
     * Runs {@code action} holding the journal's lock, waiting for other Rig processes (and threads) that hold it.
     * Reentrant in the same thread. Creates the state directory.
     */
    public <T> T locked(Supplier<T> action) {
        threadLock.lock();
        try {
            boolean outermost = threadLock.getHoldCount() == 1;
            if (outermost) {
                lockFile();
            }
            try {
                return action.get();
            } finally {
                if (outermost) {
                    unlockFile();
                }
            }
        } finally {
            threadLock.unlock();
        }
    }

    /** Every entry, sorted by address; none when the journal does not exist. */
    public List<JournalEntry> entries() {
        Path file = file();
        if (!Files.exists(file)) {
            return List.of();
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new HostPrepException("cannot read the journal " + file + ": " + e.getMessage(), e);
        }
        return parse(text);
    }

    public Optional<JournalEntry> entry(PciAddress address) {
        return entries().stream().filter(e -> e.address().equals(address)).findFirst();
    }

    /** Adds an entry unless the device has one: the oldest entry holds the driver it really had. */
    public void add(JournalEntry entry) {
        locked(() -> {
            List<JournalEntry> all = new ArrayList<>(entries());
            if (all.stream().noneMatch(e -> e.address().equals(entry.address()))) {
                all.add(entry);
                store(all);
            }
            return null;
        });
    }

    public void remove(PciAddress address) {
        locked(() -> {
            List<JournalEntry> all = new ArrayList<>(entries());
            if (all.removeIf(e -> e.address().equals(address))) {
                store(all);
            }
            return null;
        });
    }

    private void lockFile() {
        try {
            Files.createDirectories(stateDir);
            lockChannel = FileChannel.open(stateDir.resolve("host-journal.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            lockChannel.lock();     // released when the channel closes, or when the process dies
        } catch (IOException e) {
            unlockFile();
            throw new HostPrepException("cannot lock the journal in " + stateDir + ": " + e.getMessage()
                    + " (set another state directory with --state-dir or RIG_STATE_DIR)", e);
        }
    }

    private void unlockFile() {
        try {
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // the lock goes with the channel either way
        }
        lockChannel = null;
    }

    /** Writes a temporary file, forces it to disk, then renames it over the journal: never a half-written file. */
    private void store(List<JournalEntry> entries) {
        Path file = file();
        Path tmp = stateDir.resolve("host-journal.json.tmp");
        try {
            if (entries.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            byte[] bytes = (MAPPER.writeValueAsString(toJson(entries)) + "\n").getBytes(StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new HostPrepException("cannot write the journal " + file + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode toJson(List<JournalEntry> entries) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ArrayNode list = root.putArray("entries");
        entries.stream().sorted(Comparator.comparing(JournalEntry::address)).forEach(e -> {
            ObjectNode o = list.addObject();
            o.put("address", e.address().toString());
            o.put("originalDriver", e.originalDriver().orElse(null));
            o.put("originalOverride", e.originalOverride().orElse(null));
            ObjectNode owner = o.putObject("owner");
            owner.put("kind", e.owner().kind().jsonName());
            owner.put("pid", e.owner().pid());
            owner.put("processStart", e.owner().processStart().map(Instant::toString).orElse(null));
            owner.put("description", e.owner().description());
            o.put("taken", e.taken().toString());
        });
        return root;
    }

    private List<JournalEntry> parse(String text) {
        try {
            JsonNode root = MAPPER.readTree(text);
            if (root == null || !FORMAT.equals(root.path("format").asText()) || root.path("version").asInt() != VERSION
                    || !root.path("entries").isArray()) {
                throw new IllegalArgumentException("not a version " + VERSION + " " + FORMAT + " file");
            }
            List<JournalEntry> entries = new ArrayList<>();
            for (JsonNode e : root.get("entries")) {
                JsonNode owner = e.path("owner");
                entries.add(new JournalEntry(
                        PciAddress.parse(required(e, "address")),
                        optional(e, "originalDriver"),
                        optional(e, "originalOverride"),
                        new Owner(Owner.Kind.valueOf(required(owner, "kind").toUpperCase(java.util.Locale.ROOT)),
                                owner.path("pid").asLong(-1),
                                optional(owner, "processStart").map(Instant::parse),
                                owner.path("description").asText("")),
                        Instant.parse(required(e, "taken"))));
            }
            entries.sort(Comparator.comparing(JournalEntry::address));
            return entries;
        } catch (JsonProcessingException | IllegalArgumentException | DateTimeParseException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new HostPrepException("the journal " + file() + " is damaged: " + why
                    + "; give its devices back by hand (rig host unbind BDF...) and delete it", e);
        }
    }

    private static String required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("missing text field \"" + field + "\"");
        }
        return v.asText();
    }

    private static Optional<String> optional(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }
}
