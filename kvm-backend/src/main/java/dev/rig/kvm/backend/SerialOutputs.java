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
            case Serial.ToFile f -> {
                try {
                    yield new BufferedOutputStream(Files.newOutputStream(f.path(), StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open serial log " + f.path(), e);
                }
            }
        };
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
