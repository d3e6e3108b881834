/**
 * Preparing the host for passthrough: what {@code rig host} does instead of the echo-into-sysfs steps of every
 * VFIO HOWTO.
 *
 * <ul>
 *   <li>{@link dev.rig.engine.hostprep.DriverBinder} moves PCI functions to vfio-pci and back, the way the kernel
 *       wants it: {@code driver_override}, the old driver's {@code unbind}, {@code drivers_probe}. It works whole
 *       IOMMU groups, leaves bridges alone, refuses devices the host is using, and journals every device
 *       ({@link dev.rig.engine.hostprep.BindJournal}) before it touches it, so that {@code rig host restore} can
 *       give devices back after a crash.</li>
 *   <li>{@link dev.rig.engine.hostprep.ManagedDevices} is the same for a run: a script's {@code managed} devices
 *       are bound before the VM starts and given back when it ends. Managed is the default (as libvirt's
 *       {@code managed='yes'}): Rig binds only devices that are not on vfio-pci yet, and gives back only what it
 *       took, so a device the user bound by hand stays bound.</li>
 *   <li>{@link dev.rig.engine.hostprep.SriovConfigurator} creates and removes SR-IOV virtual functions.</li>
 *   <li>{@link dev.rig.engine.hostprep.HostChecks} says whether the host can run a VFIO guest, and how to fix it
 *       when not; {@link dev.rig.engine.hostprep.PassthroughReadiness} says it for one device.</li>
 *   <li>{@link dev.rig.engine.hostprep.PciIds} names vendors, devices and classes from the pci.ids database.</li>
 * </ul>
 *
 * <p>Everything reads and writes through {@link dev.rig.engine.hostprep.HostPaths} (default /sys, /dev, /proc,
 * /lib/modules) and writes sysfs attributes through a {@link dev.rig.engine.hostprep.SysfsWriter}, so tests run
 * the same code against fake trees with a fake kernel behind the writes.
 */
package dev.rig.engine.hostprep;
