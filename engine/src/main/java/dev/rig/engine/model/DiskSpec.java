package dev.rig.engine.model;

import java.nio.file.Path;
import java.util.Optional;

/** A raw disk image given to the guest as a virtio-blk device. */
public record DiskSpec(Path path, boolean readonly, Optional<String> id, Optional<SourceRef> origin) {
    public String label() { return id.orElse(path.getFileName().toString()); }
}
