package dev.rig.engine.hostprep;

import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.host.PciDevice;
import dev.rig.engine.host.SriovInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Creates and removes SR-IOV virtual functions through {@code sriov_numvfs}. The kernel refuses to go from one
 * non-zero count to another (EBUSY), so a change writes 0 first. Refuses counts above {@code sriov_totalvfs},
 * a PF without a driver (its driver is what creates VFs), and removing VFs that are on vfio-pci or that the host
 * uses, unless forced.
 */
public final class SriovConfigurator {

    /**
     * @param pf     the physical function, re-read after the change
     * @param before VFs enabled before
     * @param vfs    the VFs now, in VF order
     */
    public record Result(PciDevice pf, int before, List<PciDevice> vfs) {
    }

    private final HostPaths paths;
    private final SysfsWriter writer;

    public SriovConfigurator(HostPaths paths, SysfsWriter writer) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.writer = Objects.requireNonNull(writer, "writer");
    }

    /**
     * Sets the PF's VF count to {@code count}; 0 removes them all.
     *
     * @throws HostPrepException naming every problem, with nothing changed
     */
    public Result setVfs(PciAddress pfAddress, int count, boolean force) {
        HostInventory host = paths.inventory();
        PciDevice pf = host.device(pfAddress).orElseThrow(() -> new HostPrepException(
                "no PCI device " + pfAddress + " on this host (rig host ls lists them)"));
        if (pf.physfn().isPresent()) {
            throw new HostPrepException(pfAddress + " is a virtual function of " + pf.physfn().get()
                    + ": set the VF count on the physical function");
        }
        SriovInfo sriov = pf.sriov().orElseThrow(() -> new HostPrepException(pfAddress + " (" + pf.vendorDeviceId()
                + ") has no SR-IOV capability (no sriov_totalvfs)"));
        List<String> problems = new ArrayList<>();
        if (count < 0) {
            problems.add("the VF count must be 0 or more, not " + count);
        } else if (count > sriov.totalVfs()) {
            problems.add(pfAddress + " supports at most " + sriov.totalVfs() + " VFs (sriov_totalvfs); "
                    + count + " asked");
        }
        if (pf.driver().isEmpty() && count != sriov.numVfs()) {
            problems.add(pfAddress + " has no driver, and the PF's driver is what creates VFs: give it back to its "
                    + "driver first (rig host unbind " + pfAddress + ")");
        }
        if (problems.isEmpty() && count != sriov.numVfs()) {
            HostUse use = new HostUse(paths);
            for (PciAddress vf : sriov.virtualFunctions()) {
                Optional<String> drv = host.device(vf).flatMap(PciDevice::driver);
                List<String> uses = new ArrayList<>(use.of(vf));
                if (drv.equals(Optional.of(DriverBinder.VFIO_PCI))) {
                    uses.addFirst("it is on vfio-pci, so a guest may be using it");
                }
                if (!uses.isEmpty() && !force) {
                    problems.add("changing the VF count removes VF " + vf + ": " + String.join("; ", uses)
                            + ". Give it back first (rig host unbind " + vf + ") or add --force");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw HostPrepException.of(problems);
        }
        if (count != sriov.numVfs()) {
            Path file = paths.pciDevice(pfAddress).resolve("sriov_numvfs");
            if (sriov.numVfs() != 0 && count != 0) {
                write(file, 0);
            }
            write(file, count);
        }
        HostInventory after = paths.inventory();
        PciDevice pfAfter = after.requireDevice(pfAddress);
        List<PciDevice> vfs = pfAfter.sriov().map(SriovInfo::virtualFunctions).orElse(List.of()).stream()
                .map(after::requireDevice).toList();
        return new Result(pfAfter, sriov.numVfs(), vfs);
    }

    private void write(Path file, int count) {
        try {
            writer.write(file, Integer.toString(count));
        } catch (IOException e) {
            throw new HostPrepException("writing " + count + " to " + file + " failed: " + e.getMessage()
                    + (count > 0 ? " (dmesg may say why; some firmware needs SR-IOV enabled in its setup)" : ""), e);
        }
    }
}
