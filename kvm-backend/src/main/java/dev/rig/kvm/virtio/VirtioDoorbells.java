package dev.rig.kvm.virtio;

import dev.rig.kvm.IoEventFd;
import dev.rig.kvm.Vm;
import dev.rig.kvm.pci.BarMoveListener;
import dev.rig.kvm.pci.PciBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Queue notifications without vCPU exits: an ioeventfd at each queue's notify address (2-byte writes, as Linux's
 * vp_notify does them), and a thread per queue that waits on it and runs the device's queue handler. The vCPU
 * that rang the doorbell goes straight back into the guest; completions come back as MSI-X through irqfds.
 * As a {@link BarMoveListener} it moves the ioeventfds with BAR 0 (or drops them while BAR 0 has no address).
 */
public final class VirtioDoorbells implements BarMoveListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VirtioDoorbells.class);
    /** The width Linux's virtio-pci driver writes the queue index with. */
    public static final int NOTIFY_WIDTH = 2;
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final VirtioPciDevice device;
    private final String name;
    private final Vm vm;
    private final Doorbell[] doorbells;
    private final AtomicLong wakeups = new AtomicLong();
    private boolean closed;

    /** Registers the doorbells at BAR 0's current address (if it has one). */
    public VirtioDoorbells(VirtioPciDevice device, String name, Vm vm) {
        this.device = device;
        this.name = name;
        this.vm = vm;
        this.doorbells = new Doorbell[device.queueCount()];
        long bar = device.configSpace().barAddress(VirtioPciDevice.BAR_INDEX);
        if (bar != 0) arm(bar);
    }

    @Override
    public synchronized void barMoved(PciBar bar, long oldAddress, long newAddress) {
        if (closed || bar.index() != VirtioPciDevice.BAR_INDEX) return;
        disarm();
        if (newAddress != 0) arm(newAddress);
    }

    private void arm(long barAddress) {
        try {
            for (int q = 0; q < doorbells.length; q++)
                doorbells[q] = new Doorbell(q, barAddress + VirtioPciDevice.NOTIFY_OFFSET
                        + (long) VirtioPciDevice.NOTIFY_MULTIPLIER * q);
        } catch (RuntimeException e) {
            disarm();
            throw e;
        }
    }

    private void disarm() {
        for (int q = 0; q < doorbells.length; q++) {
            if (doorbells[q] != null) doorbells[q].stop();
            doorbells[q] = null;
        }
    }

    /** The guest address of queue's doorbell, or -1 while it has none. */
    public synchronized long address(int queue) {
        return doorbells[queue] == null ? -1 : doorbells[queue].io.address();
    }

    /** How often a device thread woke to a rung doorbell (several rings between wake-ups count once). */
    public long wakeups() { return wakeups.get(); }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        disarm();
        log.debug("{}: queue notifications: {} wake-ups through ioeventfd, {} MMIO exits", name, wakeups.get(),
                device.mmioNotifications());
    }

    /** One queue's ioeventfd and the thread serving it. */
    private final class Doorbell implements Runnable {
        private final int queue;
        private final IoEventFd io;
        private final Thread thread;
        private volatile boolean stopping;

        Doorbell(int queue, long address) {
            this.queue = queue;
            this.io = vm.ioeventfd(address, NOTIFY_WIDTH, false, null);
            this.thread = Thread.ofPlatform().daemon().name(name + "-queue-" + queue).start(this);
        }

        @Override
        public void run() {
            while (true) {
                long n = io.event().await();
                if (n < 0) return;
                boolean last = stopping;
                if (!last) wakeups.incrementAndGet();
                // Also on the stop's own signal: a ring that raced it is served (a spare look at the ring is free).
                device.notifyQueue(queue);
                if (last) return;
            }
        }

        /** Wakes the thread with a signal of our own, waits for it to end, then deregisters and closes. */
        void stop() {
            stopping = true;
            io.event().signal();
            try {
                if (!thread.join(STOP_WAIT)) log.warn("{}: queue {} thread did not stop", name, queue);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            io.close();
        }
    }
}
