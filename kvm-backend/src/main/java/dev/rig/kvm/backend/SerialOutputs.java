package dev.rig.kvm.backend;

import dev.rig.engine.model.Serial;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;

/** Opens the stream a UART transmits to, per the VM's serial setting. */
final class SerialOutputs {
    private SerialOutputs() {}

    static OutputStream open(Serial serial) {
        return switch (serial) {
            // Unbuffered: guest output appears as the guest writes it, and the stream is never closed.
            case Serial.Stdout s -> unclosable(new FileOutputStream(FileDescriptor.out));
            case Serial.Tty t -> unclosable(new FileOutputStream(FileDescriptor.out));
            case Serial.Off o -> OutputStream.nullOutputStream();
            case Serial.ToFile f -> appendTo(f.path());
        };
    }

    /** A log file the guest's output is appended to (buffered; the UART flushes it at each newline). */
    static OutputStream appendTo(java.nio.file.Path path) {
        try {
            return new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open serial log " + path, e);
        }
    }

    /**
     * Sends what the user types to the guest ({@code serial 'tty'}). The terminal stays in its normal line mode,
     * so the guest receives whole lines; the reader is a daemon thread that ends with the JVM.
     */
    static void forwardStdin(SerialTap port) {
        Thread.ofPlatform().daemon().name("serial-stdin").start(() -> {
            byte[] buf = new byte[256];
            try {
                for (int n; (n = System.in.read(buf)) > 0; ) port.receive(java.util.Arrays.copyOf(buf, n));
            } catch (IOException | IllegalStateException e) {
                // stdin closed or the VM is gone: nothing more to forward
            }
        });
    }

    private static OutputStream unclosable(OutputStream out) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException { out.write(b); }

            @Override
            public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }

            @Override
            public void flush() throws IOException { out.flush(); }
        };
    }
}
