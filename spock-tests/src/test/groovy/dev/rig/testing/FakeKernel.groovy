package dev.rig.testing

import dev.rig.engine.host.PciAddress
import dev.rig.engine.hostprep.SysfsWriter

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption

/**
 * The kernel behind a {@link FakeSysfs} tree: production code writes plain files through this {@link SysfsWriter},
 * and each write is applied to the tree as Linux applies it (drivers/pci/pci-sysfs.c, pci-driver.c, iov.c,
 * drivers/base/bus.c), including the errors it returns:
 * <ul>
 *   <li>{@code devices/<bdf>/driver_override}: "" or "\n" clears it (reads back "(null)"), anything else sets it;</li>
 *   <li>{@code drivers/<drv>/unbind}: unbinds, ENODEV when the device is not bound to that driver;</li>
 *   <li>{@code drivers/<drv>/bind}: binds, EBUSY when bound, ENODEV when the driver does not match (an override
 *       for another driver, or not one of the device's {@link #matchingDrivers});</li>
 *   <li>{@code bus/pci/drivers_probe}: binds an unbound device to its driver_override, else to the first of its
 *       {@link #matchingDrivers} (by default the driver it had when this kernel was made), if it is loaded;</li>
 *   <li>{@code devices/<bdf>/sriov_numvfs}: ERANGE above sriov_totalvfs, ENOENT without a PF driver, EBUSY from one
 *       non-zero count to another; 0 removes the VFs; N creates them from {@link #virtualFunctions}.</li>
 * </ul>
 * Binding the first device of a group to vfio-pci creates /dev/vfio/&lt;group&gt; in {@code dev}; unbinding the last
 * one removes it. Every write is logged in {@link #writes} ("bus/pci/drivers_probe <- 0000:01:00.0").
 *
 * <p>{@link #crashAtWrite} simulates kill -9: the N-th write throws {@link SimulatedCrash}, an Error, so the code
 * under test cannot clean up, as a killed process cannot.
 */
class FakeKernel implements SysfsWriter {
    final FakeSysfs sys
    final Path dev
    final List<String> writes = []
    /** Per device, the drivers whose id tables match it; probing picks the first. */
    final Map<String, List<String>> matchingDrivers = [:]
    final Map<String, Closure> vfTemplates = [:]
    /** Called with (relative path, text) before each write is applied, to observe state at that moment. */
    Closure beforeWrite
    Integer crashAtWrite

    static class SimulatedCrash extends Error {
        SimulatedCrash(String message) { super(message) }
    }

    FakeKernel(FakeSysfs sys, Path dev) {
        this.sys = sys
        this.dev = dev
        sys.devices().each { String bdf -> matchingDrivers[bdf] = sys.driverOf(bdf) ? [sys.driverOf(bdf)] : [] }
    }

    /**
     * How the PF's VFs look when sriov_numvfs creates them: the closure is a FakeSysfs device closure that also
     * gets the VF index; VF i sits at the PF's routing id + 1 + i (offset 1, stride 1).
     */
    FakeKernel virtualFunctions(String pf, Closure template) {
        vfTemplates[PciAddress.parse(pf).toString()] = template
        this
    }

    @Override
    void write(Path file, String text) throws IOException {
        String rel = sys.root.relativize(file).toString()
        writes << "$rel <- ${text.replace('\n', '\\n')}".toString()
        beforeWrite?.call(rel, text)
        if (crashAtWrite != null && writes.size() == crashAtWrite) {
            throw new SimulatedCrash("killed before write ${writes.size()}: ${writes.last()}")
        }
        Files.writeString(file, text, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
        apply(rel, text.strip(), file)
    }

    private void apply(String rel, String value, Path file) {
        def m
        if ((m = rel =~ '^bus/pci/devices/([^/]+)/driver_override$')) {
            Files.writeString(file, value.isEmpty() ? '(null)\n' : "$value\n")
        } else if ((m = rel =~ '^bus/pci/drivers/([^/]+)/unbind$')) {
            String bdf = known(value)
            if (sys.driverOf(bdf) != m[0][1]) {
                throw new IOException('No such device')
            }
            unbind(bdf)
        } else if ((m = rel =~ '^bus/pci/drivers/([^/]+)/bind$')) {
            String bdf = known(value)
            String drv = m[0][1]
            String override = override(bdf)
            if (sys.driverOf(bdf) != null) {
                throw new IOException('Device or resource busy')
            }
            if (override != null ? override != drv : !(drv in matchingDrivers[bdf])) {
                throw new IOException('No such device')
            }
            bind(bdf, drv)
        } else if (rel == 'bus/pci/drivers_probe') {
            String bdf = known(value)
            String drv = override(bdf) ?: matchingDrivers[bdf][0]
            if (sys.driverOf(bdf) == null && drv != null && Files.isDirectory(sys.root.resolve("bus/pci/drivers/$drv"))) {
                bind(bdf, drv)
            }
        } else if ((m = rel =~ '^bus/pci/devices/([^/]+)/sriov_numvfs$')) {
            setVfs(m[0][1] as String, value as int, file)
        }
    }

    private String known(String text) {
        String bdf
        try {
            bdf = PciAddress.parse(text).toString()
        } catch (IllegalArgumentException e) {
            throw new IOException('Invalid argument')
        }
        if (!(bdf in sys.devices())) {
            throw new IOException('No such device')
        }
        bdf
    }

    private String override(String bdf) {
        String text = sys.dir(bdf).resolve('driver_override').text.strip()
        text == '(null)' ? null : text
    }

    private void bind(String bdf, String drv) {
        sys.bindDriver(bdf, drv)
        Integer group = sys.groupOf(bdf)
        if (drv == 'vfio-pci' && group != null && !Files.exists(dev.resolve("vfio/$group"))) {
            Files.createDirectories(dev.resolve('vfio'))
            Files.createFile(dev.resolve("vfio/$group"))
        }
    }

    private void unbind(String bdf) {
        sys.unbindDriver(bdf)
        Integer group = sys.groupOf(bdf)
        if (group != null && !sys.devices().any { sys.groupOf(it) == group && sys.driverOf(it) == 'vfio-pci' }) {
            Files.deleteIfExists(dev.resolve("vfio/$group"))
        }
    }

    private void setVfs(String pf, int n, Path file) {
        Path dir = sys.dir(pf)
        int total = dir.resolve('sriov_totalvfs').text.strip() as int
        int current = (0..<total).count { Files.isSymbolicLink(dir.resolve("virtfn$it")) } as int
        // the plain write replaced the file: put the current count back until the change is made
        Files.writeString(file, "$current\n")
        if (n > total) {
            throw new IOException('Numerical result out of range')
        }
        if (n == current) {
            return
        }
        if (sys.driverOf(pf) == null) {
            throw new IOException('No such file or directory')
        }
        if (n == 0) {
            sys.devices().findAll { sys.driverOf(it) == 'vfio-pci' && isVfOf(it, pf) }.each { unbind(it) }
            sys.disableVirtualFunctions(pf)
            return
        }
        if (current != 0) {
            throw new IOException('Device or resource busy')
        }
        Closure template = vfTemplates[pf]
        if (template == null) {
            throw new IllegalStateException("FakeKernel: no VF template for $pf (call virtualFunctions first)")
        }
        PciAddress a = PciAddress.parse(pf)
        int routing = a.device() << 3 | a.function()
        (0..<n).each { int i ->
            int rid = routing + 1 + i
            String vf = new PciAddress(a.segment(), a.bus(), rid >> 3, rid & 7).toString()
            sys.device(vf) {
                physfn pf
                Closure t = template.rehydrate(delegate, template.owner, template.thisObject)
                t.resolveStrategy = Closure.DELEGATE_FIRST
                t.call(i)
            }
            matchingDrivers[vf] = sys.driverOf(vf) ? [sys.driverOf(vf)] : []
        }
    }

    private boolean isVfOf(String vf, String pf) {
        Path link = sys.dir(vf).resolve('physfn')
        Files.isSymbolicLink(link) && Files.readSymbolicLink(link).fileName.toString() == pf
    }
}
