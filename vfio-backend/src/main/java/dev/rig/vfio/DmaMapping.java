package dev.rig.vfio;

/** One IOMMU mapping made by {@link VfioContainer#mapDma}: device-visible [iova, iova+size) -> host vaddr. */
public record DmaMapping(long iova, long vaddr, long size, boolean deviceReads, boolean deviceWrites) {
    public long end() { return iova + size; }

    public boolean overlaps(long otherIova, long otherSize) {
        return Long.compareUnsigned(otherIova, iova + size) < 0 && Long.compareUnsigned(iova, otherIova + otherSize) < 0;
    }

    @Override
    public String toString() {
        return String.format("IOVA 0x%x+0x%x -> 0x%x", iova, size, vaddr);
    }
}
