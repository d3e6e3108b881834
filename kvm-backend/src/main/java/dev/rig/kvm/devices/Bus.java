package dev.rig.kvm.devices;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * An address range map from (PIO port or guest physical) address to device. Lookups from vCPU threads read
 * an immutable sorted snapshot (binary search, no locks); registration replaces the snapshot.
 */
public final class Bus {
    /** A device's window on the bus. */
    public record Mapping(long base, long length, String id, BusDevice device, LongAdder accesses) {
        long end() { return base + length; }
    }

    private final String name;
    private volatile Mapping[] mappings = new Mapping[0];
    private final Map<String, LongAdder> accesses = new ConcurrentHashMap<>();  // kept across moves, by id

    public Bus(String name) { this.name = name; }

    public String name() { return name; }

    /** Adds a device at [base, base+length); refuses an empty range or one that overlaps another device. */
    public synchronized void register(long base, long length, String id, BusDevice device) {
        if (length <= 0) throw new IllegalArgumentException(name + ": " + id + " has an empty range");
        for (Mapping m : mappings) {
            if (base < m.end() && m.base() < base + length)
                throw new BusConflictException(String.format("%s: %s at 0x%x-0x%x overlaps %s at 0x%x-0x%x",
                        name, id, base, base + length - 1, m.id(), m.base(), m.end() - 1));
        }
        List<Mapping> next = new ArrayList<>(List.of(mappings));
        next.add(new Mapping(base, length, id, device, accesses.computeIfAbsent(id, k -> new LongAdder())));
        next.sort(Comparator.comparingLong(Mapping::base));
        mappings = next.toArray(Mapping[]::new);
    }

    public synchronized boolean unregister(String id) {
        List<Mapping> next = new ArrayList<>(List.of(mappings));
        boolean removed = next.removeIf(m -> m.id().equals(id));
        mappings = next.toArray(Mapping[]::new);
        return removed;
    }

    public List<Mapping> mappings() { return List.of(mappings); }

    /** Accesses each device took, by id, for every id ever registered: vCPU exits, plus port writes KVM coalesced and Rig replayed (0xCF8). */
    public Map<String, Long> accessCounts() {
        Map<String, Long> out = new TreeMap<>();
        accesses.forEach((id, n) -> out.put(id, n.sum()));
        return out;
    }

    /** The mapping containing address, or null. */
    public Mapping find(long address) {
        Mapping[] ms = mappings;
        int lo = 0, hi = ms.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Mapping m = ms[mid];
            if (address < m.base()) hi = mid - 1;
            else if (address >= m.end()) lo = mid + 1;
            else return m;
        }
        return null;
    }

    /**
     * Fills data (size bytes per access) from the device at address; unclaimed addresses read as all ones, as
     * on a real bus with nothing to answer. Returns whether a device answered.
     */
    public boolean read(long address, MemorySegment data, int size) {
        Mapping m = find(address);
        if (m != null) m.accesses().increment();
        long value = m == null ? -1L : m.device().read(address - m.base(), size);
        for (int i = 0; i < size; i++) data.set(ValueLayout.JAVA_BYTE, i, (byte) (value >>> (8 * i)));
        return m != null;
    }

    /** Sends size bytes from data to the device at address; writes to nothing are dropped. */
    public boolean write(long address, MemorySegment data, int size) {
        Mapping m = find(address);
        if (m == null) return false;
        m.accesses().increment();
        long value = 0;
        for (int i = 0; i < size; i++) value |= (data.get(ValueLayout.JAVA_BYTE, i) & 0xffL) << (8 * i);
        m.device().write(address - m.base(), size, value);
        return true;
    }
}
