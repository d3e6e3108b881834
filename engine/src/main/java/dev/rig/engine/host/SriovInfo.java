package dev.rig.engine.host;

import java.util.List;

/**
 * SR-IOV state of a physical function (PF).
 *
 * @param totalVfs          how many virtual functions the PF can provide ({@code sriov_totalvfs})
 * @param numVfs            how many are enabled now ({@code sriov_numvfs})
 * @param virtualFunctions  addresses of the enabled VFs in VF order ({@code virtfn0}, {@code virtfn1}, ...)
 */
public record SriovInfo(int totalVfs, int numVfs, List<PciAddress> virtualFunctions) {

    public SriovInfo {
        virtualFunctions = List.copyOf(virtualFunctions);
        if (totalVfs < 0 || numVfs < 0) {
            throw new IllegalArgumentException("SR-IOV VF counts must not be negative: total "
                    + totalVfs + ", enabled " + numVfs);
        }
        if (numVfs > totalVfs) {
            throw new IllegalArgumentException("SR-IOV: " + numVfs + " VFs enabled but the PF supports only "
                    + totalVfs);
        }
        // Not required to equal numVfs: sysfs creates the virtfnN links one by one after sriov_numvfs changes.
        if (virtualFunctions.size() > totalVfs) {
            throw new IllegalArgumentException("SR-IOV: " + virtualFunctions.size()
                    + " VF links but the PF supports only " + totalVfs);
        }
    }
}
