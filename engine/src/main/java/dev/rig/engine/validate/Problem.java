package dev.rig.engine.validate;

import dev.rig.engine.model.SourceRef;

import java.util.Optional;

/** One thing wrong with a VM, tied to the setting (and so the script line) it concerns. */
public record Problem(String setting, String message, Optional<SourceRef> origin) {
    /** "hello.groovy:3: memory: ..." — or without the location when the VM came from Java. */
    @Override
    public String toString() {
        return origin.map(o -> o + ": ").orElse("") + (setting.isEmpty() ? "" : setting + ": ") + message;
    }
}
