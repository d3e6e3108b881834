package dev.rig.kvm.devices;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;

/**
 * A 16550A-compatible UART (the PC's COM1 at 0x3f8): transmit to an OutputStream, a receive FIFO fed by
 * {@link #receive}, the interrupt identification logic for RX-data and THR-empty interrupts, and loopback
 * (Linux's 8250 probe tests it). Transmission is instant, so THRE/TEMT always read as set.
 */
public final class Uart8250 implements BusDevice {
    public static final int COM1 = 0x3f8, COM1_IRQ = 4, PORTS = 8;

    private static final int IER_RDA = 0x01, IER_THRE = 0x02;
    private static final int IIR_NONE = 0x01, IIR_THRE = 0x02, IIR_RDA = 0x04, IIR_FIFO = 0xc0;
    private static final int LCR_DLAB = 0x80, MCR_LOOP = 0x10;
    private static final int LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    private static final int MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_DCD = 0x80;
    private static final int FIFO_SIZE = 64;

    private final OutputStream out;
    private final InterruptLine irq;
    private final ArrayDeque<Integer> rx = new ArrayDeque<>();
    private int ier, lcr = 0x03, mcr = 0x08, scr, dll = 0x0c, dlm, fcr;
    private boolean thrInterruptPending;
    private boolean irqAsserted;
    private boolean firstByteSeen;
    private final Runnable onFirstByte;

    public Uart8250(OutputStream out, InterruptLine irq) { this(out, irq, () -> {}); }

    /** onFirstByte runs once, when the guest transmits its first byte (start-up timing). */
    public Uart8250(OutputStream out, InterruptLine irq, Runnable onFirstByte) {
        this.out = out;
        this.irq = irq;
        this.onFirstByte = onFirstByte;
    }

    @Override
    public synchronized long read(long offset, int size) {
        int v = switch ((int) offset) {
            case 0 -> (lcr & LCR_DLAB) != 0 ? dll : readRbr();
            case 1 -> (lcr & LCR_DLAB) != 0 ? dlm : ier;
            case 2 -> readIir();
            case 3 -> lcr;
            case 4 -> mcr;
            case 5 -> LSR_THRE | LSR_TEMT | (rx.isEmpty() ? 0 : LSR_DR);
            case 6 -> (mcr & MCR_LOOP) != 0 ? loopbackMsr() : MSR_DCD | MSR_DSR | MSR_CTS;
            case 7 -> scr;
            default -> 0;
        };
        updateIrq();
        return v;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        int v = (int) (value & 0xff);
        switch ((int) offset) {
            case 0 -> {
                if ((lcr & LCR_DLAB) != 0) dll = v;
                else transmit(v);
            }
            case 1 -> {
                if ((lcr & LCR_DLAB) != 0) dlm = v;
                else {
                    // Enabling the THRE interrupt while THR is empty raises it at once (as a 16550 does).
                    if ((v & IER_THRE) != 0 && (ier & IER_THRE) == 0) thrInterruptPending = true;
                    ier = v & 0x0f;
                }
            }
            case 2 -> fcr = v;
            case 3 -> lcr = v;
            case 4 -> mcr = v & 0x1f;
            case 7 -> scr = v;
            default -> { }
        }
        updateIrq();
    }

    private void transmit(int b) {
        thrInterruptPending = true;
        if ((mcr & MCR_LOOP) != 0) {
            enqueue(b);
            return;
        }
        if (!firstByteSeen) {
            firstByteSeen = true;
            onFirstByte.run();
        }
        try {
            out.write(b);
            if (b == '\n') out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("serial output failed", e);
        }
    }

    private int readRbr() {
        Integer b = rx.poll();
        return b == null ? 0 : b;
    }

    private int readIir() {
        int fifo = (fcr & 1) != 0 ? IIR_FIFO : 0;
        if ((ier & IER_RDA) != 0 && !rx.isEmpty()) return IIR_RDA | fifo;
        if ((ier & IER_THRE) != 0 && thrInterruptPending) {
            thrInterruptPending = false;  // reading IIR with THRE as the source clears it
            return IIR_THRE | fifo;
        }
        return IIR_NONE | fifo;
    }

    private int loopbackMsr() {
        // In loopback the modem outputs feed the inputs: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
        return ((mcr & 0x02) << 3) | ((mcr & 0x01) << 5) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4);
    }

    private void enqueue(int b) {
        if (rx.size() < FIFO_SIZE) rx.add(b);
    }

    /** Bytes from the user's terminal or a test; they raise the RX interrupt when enabled. */
    public synchronized void receive(byte[] bytes) {
        for (byte b : bytes) enqueue(b & 0xff);
        updateIrq();
    }

    private void updateIrq() {
        boolean want = ((ier & IER_RDA) != 0 && !rx.isEmpty()) || ((ier & IER_THRE) != 0 && thrInterruptPending);
        if (want != irqAsserted) {
            irqAsserted = want;
            irq.set(want);
        }
    }

    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("serial output failed", e);
        }
    }
}
