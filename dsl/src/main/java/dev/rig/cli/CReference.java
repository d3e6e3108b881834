package dev.rig.cli;

import java.io.IOException;
import java.nio.file.Path;

/** The benchmarks' C references (scripts/bench/NAME.c), built with the host's gcc into a work folder. */
public final class CReference {
    private CReference() {}

    public static Path compile(Path home, String name, Path work) throws IOException, InterruptedException {
        Path source = home.resolve("scripts/bench/" + name + ".c");
        Path binary = work.resolve(name);
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), source.toString()).inheritIO().start();
        if (gcc.waitFor() != 0) throw new IllegalStateException("gcc could not build " + source);
        return binary;
    }
}
