package dev.rig.kvm.virtio;

import java.util.List;

/**
 * One available buffer: the head index (what goes back in the used ring) and its descriptors in chain order,
 * indirect tables already flattened. Every descriptor's range was checked to be guest RAM when the chain was
 * popped, so slicing guest memory for it cannot fail.
 */
public record DescriptorChain(int head, List<Descriptor> descriptors) {
    /** A guest buffer; writable means device-writable (VIRTQ_DESC_F_WRITE). */
    public record Descriptor(long address, int length, boolean writable) {}

    public DescriptorChain {
        descriptors = List.copyOf(descriptors);
    }

    public List<Descriptor> readable() { return descriptors.stream().filter(d -> !d.writable()).toList(); }

    public List<Descriptor> writable() { return descriptors.stream().filter(Descriptor::writable).toList(); }

    public long readableLength() { return readable().stream().mapToLong(d -> d.length() & 0xffff_ffffL).sum(); }

    public long writableLength() { return writable().stream().mapToLong(d -> d.length() & 0xffff_ffffL).sum(); }
}
