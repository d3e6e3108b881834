package dev.rig.engine.validate;

import dev.rig.engine.model.SourceRef;

import java.util.Optional;

/** One thing wrong with a VM, tied to the setting (and so the script line) it concerns. */
public record Problem(String setting, String message, Optional<SourceRef> origin) {
    /** A problem found in a script at a place, not tied to one setting (syntax, unknown words). */
    public static Problem at(SourceRef where, String message) { return new Problem("", message, Optional.of(where)); }

    /** The line a problem points at, 0 when it has none. */
    public int line() { return origin.map(SourceRef::line).orElse(0); }

    /** "memory: ..." without the location. */
    public String describe() { return (setting.isEmpty() ? "" : setting + ": ") + message; }

    /** "hello.groovy:3: memory: ..." — or without the location when the VM came from Java. */
    @Override
    public String toString() { return origin.map(o -> o + ": ").orElse("") + describe(); }
}
