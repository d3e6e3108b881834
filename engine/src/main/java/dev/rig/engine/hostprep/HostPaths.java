package dev.rig.engine.hostprep;

import dev.rig.engine.host.PciAddress;
import dev.rig.engine.host.SysfsHostInventory;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the host's kernel interfaces are. The live host is {@link #system()}; tests point every root at a fake tree.
 *
 * @param sysfs   sysfs, normally /sys
 * @param dev     device nodes, normally /dev (for /dev/vfio)
 * @param proc    procfs, normally /proc (mounts, limits, meminfo, cmdline)
 * @param modules kernel modules, normally /lib/modules (to tell "not loaded" from "not installed")
 */
public record HostPaths(Path sysfs, Path dev, Path proc, Path modules) {

    public HostPaths {
        Objects.requireNonNull(sysfs, "sysfs");
        Objects.requireNonNull(dev, "dev");
        Objects.requireNonNull(proc, "proc");
        Objects.requireNonNull(modules, "modules");
    }

    public static HostPaths system() {
        return new HostPaths(Path.of("/sys"), Path.of("/dev"), Path.of("/proc"), Path.of("/lib/modules"));
    }

    /** sys, dev, proc and lib/modules under one directory: the layout the test trees use. */
    public static HostPaths under(Path root) {
        return new HostPaths(root.resolve("sys"), root.resolve("dev"), root.resolve("proc"),
                root.resolve("lib/modules"));
    }

    /** {@code bus/pci/devices/<address>}: where driver_override, sriov_numvfs and the driver link are. */
    public Path pciDevice(PciAddress address) {
        return sysfs.resolve("bus/pci/devices").resolve(address.toString());
    }

    /** {@code bus/pci/drivers/<name>}: present only while the driver is loaded. */
    public Path pciDriver(String name) {
        return sysfs.resolve("bus/pci/drivers").resolve(name);
    }

    /** Writing an address here makes the kernel probe drivers for that device (honouring driver_override). */
    public Path driversProbe() {
        return sysfs.resolve("bus/pci/drivers_probe");
    }

    public Path vfioDevice(String name) {
        return dev.resolve("vfio").resolve(name);
    }

    /** A fresh view of the PCI devices now. */
    public SysfsHostInventory inventory() {
        return new SysfsHostInventory(sysfs);
    }
}
