package dev.rig.engine.model;

import java.nio.file.Path;
import java.util.Optional;

/** What the VM runs: a guest program Rig generates, or a Linux kernel. */
public sealed interface Boot {
    /** A guest the backend generates itself, by name ("hello"). */
    record BuiltinGuest(String name) implements Boot {}

    /** A Linux kernel (bzImage) with an optional initrd and command line. */
    record LinuxKernel(Path kernel, Optional<Path> initrd, String cmdline) implements Boot {}
}
