/**
 * Host facts: the PCI functions, BARs, drivers and IOMMU groups of the machine a VM will run on.
 *
 * <p>{@link dev.rig.engine.host.HostInventory} is what validation asks; {@link dev.rig.engine.host.SysfsHostInventory}
 * reads the live host and {@link dev.rig.engine.host.HostSnapshot} saves and loads the same facts as JSON, so that
 * a plan can be made for a machine other than the one Rig runs on.
 */
package dev.rig.engine.host;
