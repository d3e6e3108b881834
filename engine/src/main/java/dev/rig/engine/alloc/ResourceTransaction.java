package dev.rig.engine.alloc;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Groups allocations from several allocators so that they stand or fall together: every
 * allocation made through the transaction is undone, newest first, unless {@link #commit()} is
 * called. Use it with try-with-resources:
 *
 * <pre>{@code
 * try (var tx = new ResourceTransaction()) {
 *     AddressRange bar = tx.allocate(mmio64, 64 * Sizes.GiB, 64 * Sizes.GiB);
 *     List<Integer> vectors = tx.allocateMsiGsis(gsis, 9);
 *     tx.commit();
 * }   // an exception before commit() frees both
 * }</pre>
 *
 * <p>Not thread-safe: one transaction belongs to one planning thread.
 */
public final class ResourceTransaction implements AutoCloseable {
    private enum State { OPEN, COMMITTED, ROLLED_BACK }

    private final Deque<Runnable> undo = new ArrayDeque<>();
    private State state = State.OPEN;

    public AddressRange allocate(AddressAllocator allocator, long size, long alignment) {
        checkOpen();
        AddressRange range = allocator.allocate(size, alignment);
        undo.push(() -> allocator.free(range));
        return range;
    }

    public AddressRange allocateAt(AddressAllocator allocator, long address, long size) {
        checkOpen();
        AddressRange range = allocator.allocateAt(address, size);
        undo.push(() -> allocator.free(range));
        return range;
    }

    public int allocateLegacyIrq(GsiAllocator gsis) {
        checkOpen();
        int line = gsis.allocateLegacyIrq();
        undo.push(() -> gsis.freeLegacyIrq(line));
        return line;
    }

    public int allocateMsiGsi(GsiAllocator gsis) {
        checkOpen();
        int gsi = gsis.allocateMsiGsi();
        undo.push(() -> gsis.freeMsiGsi(gsi));
        return gsi;
    }

    public List<Integer> allocateMsiGsis(GsiAllocator gsis, int count) {
        checkOpen();
        List<Integer> allocated = gsis.allocateMsiGsis(count);
        undo.push(() -> allocated.reversed().forEach(gsis::freeMsiGsi));
        return allocated;
    }

    /** Registers the undo of something allocated elsewhere (a BAR placement, a KVM memslot). */
    public void onRollback(Runnable action) {
        checkOpen();
        undo.push(action);
    }

    /** Keeps everything allocated so far; the transaction is finished afterwards. */
    public void commit() {
        checkOpen();
        undo.clear();
        state = State.COMMITTED;
    }

    /**
     * Undoes every allocation, newest first. Every undo runs even if one throws; the first
     * failure is rethrown with the others attached as suppressed.
     */
    public void rollback() {
        checkOpen();
        state = State.ROLLED_BACK;
        RuntimeException failure = null;
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Rolls back unless committed or already rolled back. */
    @Override
    public void close() {
        if (state == State.OPEN) {
            rollback();
        }
    }

    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** How many undo steps a rollback would run now. */
    public int pendingCount() {
        return undo.size();
    }

    private void checkOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("transaction already " + (state == State.COMMITTED ? "committed" : "rolled back"));
        }
    }
}
