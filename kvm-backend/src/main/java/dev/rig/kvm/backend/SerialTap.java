package dev.rig.kvm.backend;

import dev.rig.engine.spi.SerialPort;
import dev.rig.kvm.devices.Uart8250;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The UART's output stream: forwards each byte to the serial sink (stdout, a file), the optional per-VM log, and
 * the listeners the engine's serial console attaches; input goes to the UART's receive FIFO.
 */
final class SerialTap extends OutputStream implements SerialPort {
    private final OutputStream sink;
    private final OutputStream log;  // may be null
    private final List<Consumer<byte[]>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> endListeners = new CopyOnWriteArrayList<>();
    private volatile Uart8250 uart;

    SerialTap(OutputStream sink, OutputStream log) {
        this.sink = sink;
        this.log = log;
    }

    void attach(Uart8250 uart) { this.uart = uart; }

    @Override
    public void write(int b) throws IOException {
        sink.write(b);
        if (log != null) log.write(b);
        if (!listeners.isEmpty()) {
            byte[] one = {(byte) b};
            for (Consumer<byte[]> l : listeners) l.accept(one);
        }
    }

    @Override
    public void flush() throws IOException {
        sink.flush();
        if (log != null) log.flush();
    }

    @Override
    public void close() throws IOException {
        try (OutputStream s = sink; OutputStream l = log) {
            flush();
        }
    }

    @Override
    public void addOutputListener(Consumer<byte[]> listener) { listeners.add(listener); }

    @Override
    public void addEndListener(Consumer<String> listener) { endListeners.add(listener); }

    /** The run is over: tells whoever waits on the console. */
    void ended(String why) {
        for (Consumer<String> l : endListeners) l.accept(why);
    }

    @Override
    public void receive(byte[] bytes) {
        Uart8250 u = uart;
        if (u == null) throw new IllegalStateException("the serial port has no UART yet");
        u.receive(bytes);
    }
}
