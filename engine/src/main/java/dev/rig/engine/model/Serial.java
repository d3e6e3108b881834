package dev.rig.engine.model;

import java.nio.file.Path;

/** Where the guest's first serial port goes. */
public sealed interface Serial {
    /** Rig's standard output. */
    record Stdout() implements Serial {}

    /** The user's terminal: output to it, keystrokes to the guest. */
    record Tty() implements Serial {}

    /** Appended to a file. */
    record ToFile(Path path) implements Serial {}

    /** Discarded (the UART still exists, so the guest's driver works). */
    record Off() implements Serial {}

    /** Parses the DSL's words: 'stdout', 'tty', 'off', or a file path. */
    static Serial parse(String text) {
        return switch (text) {
            case "stdout" -> new Stdout();
            case "tty" -> new Tty();
            case "off", "none" -> new Off();
            default -> new ToFile(Path.of(text));
        };
    }
}
