package dev.rig.engine.spi;

import java.util.function.Consumer;

/** A guest's serial port as the backend exposes it: what the guest transmits, and a way to send it bytes. */
public interface SerialPort {
    /** Called with every chunk the guest transmits, on the vCPU's thread: listeners must be quick. */
    void addOutputListener(Consumer<byte[]> listener);

    /**
     * Called once when the guest's run ends (it exited, halted, shut down, failed or was stopped), with how it
     * ended: whoever waits for output stops waiting then, even while the lifecycle thread is busy in a hook.
     */
    void addEndListener(Consumer<String> listener);

    /** Bytes for the guest to receive, as if typed on its console. */
    void receive(byte[] bytes);
}
