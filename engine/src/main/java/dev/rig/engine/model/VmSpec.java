package dev.rig.engine.model;

import java.util.Map;
import java.util.Optional;

/**
 * One VM as the user declared it, before validation. Immutable. {@code origins} maps a setting's name
 * ("memory", "cpus", ...) to where the script set it, so validation errors name the line.
 */
public record VmSpec(String name, int cpus, MemorySize memory, Boot boot, Serial serial,
                     Map<String, SourceRef> origins) {
    public VmSpec {
        origins = Map.copyOf(origins);
    }

    public Optional<SourceRef> origin(String setting) { return Optional.ofNullable(origins.get(setting)); }
}
