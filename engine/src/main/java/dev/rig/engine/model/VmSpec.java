package dev.rig.engine.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One VM as the user declared it, before validation. {@code serialLog} is a file that gets a copy of everything
 * the guest prints on its serial port, wherever {@code serial} sends it. Immutable. {@code origins} maps a setting's name
 * ("memory", "cpus", ...) to where the script set it, so validation errors name the line; list items (disks,
 * devices, segments, hooks) carry their own origin.
 */
public record VmSpec(String name, int cpus, MemorySpec memory, Boot boot, Serial serial, Optional<Path> serialLog,
                     Serial console,
                     List<DiskSpec> disks, List<DeviceSpec> devices, int numPciSegments,
                     List<PciSegmentSpec> pciSegments, List<HookSpec> hooks, Map<String, SourceRef> origins) {
    public VmSpec {
        disks = List.copyOf(disks);
        devices = List.copyOf(devices);
        pciSegments = List.copyOf(pciSegments);
        hooks = List.copyOf(hooks);
        origins = Map.copyOf(origins);
    }

    public Optional<SourceRef> origin(String setting) { return Optional.ofNullable(origins.get(setting)); }

    /** The weights of segment {@code id}: as declared, else 1 and 1. */
    public PciSegmentSpec segment(int id) {
        return pciSegments.stream().filter(s -> s.id() == id).findFirst()
                .orElse(new PciSegmentSpec(id, 1, 1, Optional.empty()));
    }
}
