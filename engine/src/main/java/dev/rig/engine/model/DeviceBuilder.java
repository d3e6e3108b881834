package dev.rig.engine.model;

import java.util.Optional;
import java.util.OptionalInt;

/** Options of one passed-through device: {@code vm.device("0000:01:00.0", d -> d.id("gpu").gpudirectClique(0))}. */
public final class DeviceBuilder {
    private final String path;
    private String id;
    private int pciSegment;
    private OptionalInt clique = OptionalInt.empty();
    private boolean managed = DeviceSpec.DEFAULT_MANAGED;
    private Boolean rom;

    DeviceBuilder(String path) { this.path = path; }

    public DeviceBuilder id(String id) {
        this.id = id;
        return this;
    }

    public DeviceBuilder pciSegment(int segment) {
        this.pciSegment = segment;
        return this;
    }

    /** The NVIDIA GPUDirect P2P clique (0..15) advertised in the device's virtual config space. */
    public DeviceBuilder gpudirectClique(int clique) {
        this.clique = OptionalInt.of(clique);
        return this;
    }

    /** Whether Rig binds the device to vfio-pci before the run and gives it back after (default true). */
    public DeviceBuilder managed(boolean managed) {
        this.managed = managed;
        return this;
    }

    /** Expose (true) or hide (false) the device's expansion ROM; by default it is exposed when it has one. */
    public DeviceBuilder rom(boolean exposed) {
        this.rom = exposed;
        return this;
    }

    DeviceSpec build(SourceRef origin) {
        return new DeviceSpec(path, Optional.ofNullable(id), pciSegment, clique, managed, Optional.ofNullable(rom),
                Optional.ofNullable(origin));
    }
}
