package dev.rig.testing

import dev.rig.engine.host.PciAddress
import dev.rig.engine.host.SysfsHostInventory

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.FileVisitResult
import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import java.nio.file.SimpleFileVisitor
import java.nio.file.attribute.BasicFileAttributes

/**
 * Builds a fake sysfs tree under a directory, shaped like a real host's, for SysfsHostInventory and for later code
 * that binds and unbinds drivers. Ready-made hosts from the seed documents are in {@link SeedHosts}.
 *
 * <pre>
 * def sys = new FakeSysfs(tempDir)
 * sys.device('0000:00:1c.0') { vendor 0x8086; device 0x9d10; classCode 0x060400; headerType 0x81; driver 'pcieport' }
 * sys.device('0000:01:00.0') {
 *     parent '0000:00:1c.0'                  // nest under the bridge, as the kernel does
 *     vendor 0x10de; device 0x128b; classCode 0x030000; revision 0xa1; headerType 0x80
 *     driver 'nvidia'; iommuGroup 22; numaNode 0
 *     bar 0, size: 16 * MiB, kind: 'mem32'
 *     bar 1, size: 128 * MiB, kind: 'mem64', prefetchable: true, start: 0xe0000000
 *     rom size: 512 * KiB
 * }
 * def inventory = sys.inventory()            // a SysfsHostInventory over the tree
 * </pre>
 *
 * What one device produces (paths relative to the root):
 * <pre>
 * devices/pci0000:00/0000:00:1c.0/0000:01:00.0/       the real directory, under its parent if one is given
 *     vendor device subsystem_vendor subsystem_device class revision    "0x10de\n"-style text
 *     config (64 bytes: ids, class, header type)  resource (13 lines; 17 for a bridge)  numa_node  driver_override
 *     driver -> ../../../../bus/pci/drivers/nvidia
 *     iommu_group -> ../../../../kernel/iommu_groups/22
 * bus/pci/devices/0000:01:00.0 -> ../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.0
 * bus/pci/drivers/nvidia/{bind,unbind,new_id,remove_id} and bus/pci/drivers/nvidia/0000:01:00.0 -> the device
 * kernel/iommu_groups/22/devices/0000:01:00.0 -> ../../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.0
 * </pre>
 * A device without a parent sits under its own host bridge, devices/pci&lt;segment&gt;:&lt;bus&gt;/.
 * {@link #flat} builds the other accepted layout: plain directories straight in bus/pci/devices.
 *
 * <p>SR-IOV: give the PF {@code sriov totalVfs: 8}; a device declared with {@code physfn '0000:03:00.0'} becomes a
 * sibling of the PF with a physfn link, and the PF gets the next virtfnN link and a bumped sriov_numvfs, as when the
 * kernel enables VFs. Declare the PF first.
 *
 * <p>BARs without {@code start:} are placed by kind (mem32 from 0xc000_0000, mem64 from 0x40_0000_0000, io from
 * 0x1000), aligned to their size. Sizes: {@code KiB}, {@code MiB}, {@code GiB} work inside device closures.
 *
 * <p>Corrupting for negative tests: {@link #write}, {@link #delete}, {@link #symlink} on a device's directory.
 *
 * <p>Changing the tree as the kernel would ({@link FakeKernel} drives these for code that writes sysfs):
 * {@link #bindDriver}, {@link #unbindDriver}, {@link #removeDevice}, {@link #disableVirtualFunctions}. What the host
 * uses a device for: {@link #netInterface}, {@link #nvmeDisk}, {@link #dmDevice}. {@link #contents} lists a tree for
 * before/after comparisons. The tree also has the (write-only, here plain) {@code bus/pci/drivers_probe}.
 *
 * <p>Cleaning up: Spock's {@code @TempDir} deletes with Groovy's File.deleteDir, which follows symlinks, and sysfs
 * links loop (device -> driver -> device). Empty the tree first: {@code def cleanup() { FakeSysfs.deleteTree(tmp) }}.
 */
class FakeSysfs {
    static final long KiB = 1024L
    static final long MiB = 1024L * KiB
    static final long GiB = 1024L * MiB

    final Path root
    private final boolean linkedLayout
    private final Map<String, Path> deviceDirs = [:]
    private final Map<String, String> parents = [:]
    private final Map<String, Integer> vfCounts = [:]
    private final Map<String, Integer> vfTotals = [:]
    private final Map<String, Long> nextStart = [io: 0x1000L, mem32: 0xc000_0000L, mem64: 0x40_0000_0000L]

    /** Real-host layout: device directories under devices/, symlinked from bus/pci/devices. */
    FakeSysfs(Path root) {
        this(root, true)
    }

    private FakeSysfs(Path root, boolean linkedLayout) {
        this.root = root
        this.linkedLayout = linkedLayout
        Files.createDirectories(root.resolve('bus/pci/devices'))
        Files.createDirectories(root.resolve('bus/pci/drivers'))
        Files.createDirectories(root.resolve('kernel/iommu_groups'))
        if (!Files.exists(root.resolve('bus/pci/drivers_probe'))) {
            Files.createFile(root.resolve('bus/pci/drivers_probe'))   // write-only in a real sysfs
        }
    }

    /** Plain device directories in bus/pci/devices, no symlink; driver and group links are still links. */
    static FakeSysfs flat(Path root) {
        new FakeSysfs(root, false)
    }

    FakeSysfs device(String bdf, @DelegatesTo(value = DeviceSpec, strategy = Closure.DELEGATE_FIRST) Closure spec) {
        String key = PciAddress.parse(bdf).toString()
        if (deviceDirs.containsKey(key)) {
            throw new IllegalStateException("FakeSysfs: device $key declared twice")
        }
        def d = new DeviceSpec()
        spec.delegate = d
        spec.resolveStrategy = Closure.DELEGATE_FIRST
        spec.call()
        if (d.vendor == null || d.device == null) {
            throw new IllegalStateException("FakeSysfs: device $key needs at least vendor and device")
        }
        if (d.physfn != null && d.parent == null) {
            d.parent = parents[pfKey(d.physfn)]      // VFs sit beside their PF
        }
        Path dir = placeDevice(key, d.parent)
        writeAttributes(dir, d)
        if (d.driver) {
            bindLinks(key, dir, d.driver)
        }
        if (d.iommuGroup != null) {
            Path group = root.resolve("kernel/iommu_groups/${d.iommuGroup}")
            link(group.resolve("devices/$key"), dir)
            link(dir.resolve('iommu_group'), group)
        }
        if (d.sriovTotal != null) {
            vfTotals[key] = d.sriovTotal
            vfCounts[key] = 0
            text(dir.resolve('sriov_totalvfs'), d.sriovTotal)
            text(dir.resolve('sriov_numvfs'), 0)
        }
        if (d.physfn != null) {
            addVirtualFunction(pfKey(d.physfn), key, dir)
        }
        this
    }

    /** Deletes everything under {@code dir} without following symlinks; {@code dir} itself stays. */
    static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<Path>() {
            @Override
            FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                Files.delete(file)
                FileVisitResult.CONTINUE
            }

            @Override
            FileVisitResult postVisitDirectory(Path d, IOException e) {
                if (e != null) {
                    throw e
                }
                if (d != dir) {
                    Files.delete(d)
                }
                FileVisitResult.CONTINUE
            }
        })
    }

    /** A SysfsHostInventory reading this tree now. */
    SysfsHostInventory inventory() {
        new SysfsHostInventory(root)
    }

    /** The device's real directory (what bus/pci/devices/&lt;bdf&gt; resolves to). */
    Path dir(String bdf) {
        Path dir = deviceDirs[PciAddress.parse(bdf).toString()]
        if (dir == null) {
            throw new IllegalArgumentException("FakeSysfs: no device $bdf")
        }
        dir
    }

    /** Overwrites (or creates) one attribute file of a device, verbatim. */
    FakeSysfs write(String bdf, String file, String content) {
        Files.writeString(dir(bdf).resolve(file), content)
        this
    }

    FakeSysfs write(String bdf, String file, byte[] content) {
        Files.write(dir(bdf).resolve(file), content)
        this
    }

    FakeSysfs delete(String bdf, String file) {
        Files.delete(dir(bdf).resolve(file))
        this
    }

    /** Replaces (or creates) a symlink in a device's directory with a verbatim target. */
    FakeSysfs symlink(String bdf, String name, String target) {
        Path link = dir(bdf).resolve(name)
        Files.deleteIfExists(link)
        Files.createSymbolicLink(link, Path.of(target))
        this
    }

    /** bus/pci/drivers/&lt;name&gt; with the files the kernel puts there, created if missing. */
    Path driverDir(String name) {
        Path dir = root.resolve("bus/pci/drivers/$name")
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir)
            ['bind', 'unbind', 'new_id', 'remove_id'].each { Files.createFile(dir.resolve(it)) }
        }
        dir
    }

    /** A non-PCI member of an IOMMU group (a platform device, as on ARM hosts); readers must skip it. */
    FakeSysfs platformDeviceInGroup(int group, String name) {
        Path dir = Files.createDirectories(root.resolve("devices/platform/$name"))
        link(root.resolve("kernel/iommu_groups/$group/devices/$name"), dir)
        link(dir.resolve('iommu_group'), root.resolve("kernel/iommu_groups/$group"))
        this
    }

    // ---- Driver and device changes, as the kernel makes them (FakeKernel drives these) ----

    /** The driver bound to the device now, or null. */
    String driverOf(String bdf) {
        Path link = dir(bdf).resolve('driver')
        Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).fileName.toString() : null
    }

    /** Binds: the device's driver link and the driver's link to the device. The driver directory is created. */
    FakeSysfs bindDriver(String bdf, String driver) {
        if (driverOf(bdf) != null) {
            throw new IllegalStateException("FakeSysfs: $bdf is bound to ${driverOf(bdf)} already")
        }
        bindLinks(PciAddress.parse(bdf).toString(), dir(bdf), driver)
        this
    }

    /** Unbinds whatever driver the device has. */
    FakeSysfs unbindDriver(String bdf) {
        String key = PciAddress.parse(bdf).toString()
        String driver = driverOf(bdf)
        if (driver != null) {
            Files.delete(dir(bdf).resolve('driver'))
            Files.deleteIfExists(root.resolve("bus/pci/drivers/$driver/$key"))
        }
        this
    }

    /** The IOMMU group number of a device, or null. */
    Integer groupOf(String bdf) {
        Path link = dir(bdf).resolve('iommu_group')
        Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).fileName.toString() as Integer : null
    }

    /** Addresses of every device declared and not removed, sorted. */
    List<String> devices() {
        deviceDirs.keySet().sort { PciAddress.parse(it) }
    }

    /** Removes a device as hot-unplug or VF removal does: its directory and every link to it. */
    FakeSysfs removeDevice(String bdf) {
        String key = PciAddress.parse(bdf).toString()
        Path dir = dir(bdf)
        unbindDriver(key)
        Integer group = groupOf(key)
        if (group != null) {
            Files.deleteIfExists(root.resolve("kernel/iommu_groups/$group/devices/$key"))
        }
        deleteTree(dir)
        Files.delete(dir)
        if (linkedLayout) {
            Files.deleteIfExists(root.resolve("bus/pci/devices/$key"))
        }
        deviceDirs.remove(key)
        parents.remove(key)
        this
    }

    /** Removes every VF of a PF and sets its sriov_numvfs to 0, as writing 0 to sriov_numvfs does. */
    FakeSysfs disableVirtualFunctions(String pf) {
        String key = pfKey(pf)
        Path pfDir = dir(key)
        (0..<(vfCounts[key] ?: 0)).each { int n ->
            Path link = pfDir.resolve("virtfn$n")
            String vf = Files.readSymbolicLink(link).fileName.toString()
            Files.delete(link)
            removeDevice(vf)
        }
        vfCounts[key] = 0
        text(pfDir.resolve('sriov_numvfs'), 0)
        this
    }

    /**
     * A network interface of the device: {@code <device>/net/<name>/} with operstate and flags (IFF_UP when
     * up), linked from class/net as the kernel does.
     */
    FakeSysfs netInterface(String bdf, String name, String operstate) {
        Path iface = Files.createDirectories(dir(bdf).resolve("net/$name"))
        text(iface.resolve('operstate'), operstate)
        text(iface.resolve('flags'), operstate == 'up' ? '0x1003' : '0x1002')
        link(root.resolve("class/net/$name"), iface)
        this
    }

    /**
     * An NVMe disk of the device with partitions: {@code <device>/nvme/nvme0/<disk>/<partition>/}, each with a
     * dev file ("259:1"), linked from class/block. {@code partitions} maps name to major:minor.
     */
    FakeSysfs nvmeDisk(String bdf, String disk, String devNumbers, Map<String, String> partitions = [:]) {
        Path diskDir = Files.createDirectories(dir(bdf).resolve("nvme/${disk.replaceFirst(/n\d+$/, '')}/$disk"))
        text(diskDir.resolve('dev'), devNumbers)
        Files.createDirectories(diskDir.resolve('holders'))
        link(root.resolve("class/block/$disk"), diskDir)
        partitions.each { String part, String numbers ->
            Path p = Files.createDirectories(diskDir.resolve(part))
            text(p.resolve('dev'), numbers)
            text(p.resolve('partition'), part.replaceFirst(/.*p/, ''))
            Files.createDirectories(p.resolve('holders'))
            link(root.resolve("class/block/$part"), p)
        }
        this
    }

    /** A device-mapper device (dm-crypt, LVM) on top of a block device: class/block/&lt;dm&gt; and holders links. */
    FakeSysfs dmDevice(String name, String devNumbers, String dmName, List<String> on) {
        Path dm = Files.createDirectories(root.resolve("devices/virtual/block/$name"))
        text(dm.resolve('dev'), devNumbers)
        Files.createDirectories(dm.resolve('dm'))
        text(dm.resolve('dm/name'), dmName)
        link(root.resolve("class/block/$name"), dm)
        on.each { String below ->
            Path belowDir = root.resolve("class/block/$below").toRealPath()
            link(belowDir.resolve("holders/$name"), dm)
        }
        this
    }

    /**
     * Every file, directory and symlink under {@code dir}: path to "file:content", "link:target" or "dir", for
     * checking that a refused command left a tree byte-for-byte as it was.
     */
    static Map<String, String> contents(Path dir) {
        Map<String, String> all = new TreeMap<>()
        Files.walkFileTree(dir, new SimpleFileVisitor<Path>() {
            @Override
            FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                all[dir.relativize(d).toString()] = 'dir'
                FileVisitResult.CONTINUE
            }

            @Override
            FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                all[dir.relativize(file).toString()] = Files.isSymbolicLink(file)
                        ? 'link:' + Files.readSymbolicLink(file) : 'file:' + Files.readAllBytes(file).encodeHex()
                FileVisitResult.CONTINUE
            }
        })
        all
    }

    private Path placeDevice(String key, String parent) {
        Path dir   // named like the method dir(String): calls to it below need "this."
        if (!linkedLayout) {
            dir = root.resolve("bus/pci/devices/$key")
        } else if (parent != null) {
            dir = this.dir(parent).resolve(key)
        } else {
            def a = PciAddress.parse(key)
            dir = root.resolve(String.format('devices/pci%04x:%02x/%s', a.segment(), a.bus(), key))
        }
        Files.createDirectories(dir)
        if (linkedLayout) {
            link(root.resolve("bus/pci/devices/$key"), dir)
        }
        deviceDirs[key] = dir
        parents[key] = parent == null ? null : PciAddress.parse(parent).toString()
        dir
    }

    private void writeAttributes(Path dir, DeviceSpec d) {
        hex(dir.resolve('vendor'), d.vendor, 4)
        hex(dir.resolve('device'), d.device, 4)
        hex(dir.resolve('subsystem_vendor'), d.subsystemVendorOrDefault(), 4)
        hex(dir.resolve('subsystem_device'), d.subsystemDeviceOrDefault(), 4)
        hex(dir.resolve('class'), d.classCode, 6)
        hex(dir.resolve('revision'), d.revision, 2)
        text(dir.resolve('numa_node'), d.numaNode)
        Files.writeString(dir.resolve('driver_override'), '(null)\n')
        int header = d.headerType != null ? d.headerType : ((d.classCode >> 8) == 0x0604 ? 0x01 : 0x00)
        if (d.config) {
            Files.write(dir.resolve('config'), configHeader(d, header))
        }
        Files.writeString(dir.resolve('resource'), resourceLines(d, (header & 0x7f) == 1))
    }

    /** The 64-byte standard header a non-root reader sees. BAR registers stay zero: readers use resource. */
    private static byte[] configHeader(DeviceSpec d, int header) {
        def b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN)
        b.putShort(0x00, d.vendor as short).putShort(0x02, d.device as short)
        b.put(0x08, d.revision as byte)
        b.put(0x09, (d.classCode & 0xff) as byte).put(0x0a, (d.classCode >> 8 & 0xff) as byte)
        b.put(0x0b, (d.classCode >> 16 & 0xff) as byte)
        b.put(0x0e, header as byte)
        if ((header & 0x7f) == 0) {
            b.putShort(0x2c, (d.subsystemVendorOrDefault()) as short)
            b.putShort(0x2e, (d.subsystemDeviceOrDefault()) as short)
        }
        b.array()
    }

    /** resource_show's format; 13 lines (BARs, ROM, SR-IOV BARs) or 17 for a bridge (plus its windows). */
    private String resourceLines(DeviceSpec d, boolean bridge) {
        def lines = (0..<(bridge ? 17 : 13)).collect { [0L, 0L, 0L] }
        d.bars.each { Map bar ->
            int i = bar.index
            if (bar.kind == 'mem64' && d.bars.any { it.index == i + 1 }) {
                throw new IllegalStateException("FakeSysfs: BAR $i is 64-bit, so BAR ${i + 1} must stay free")
            }
            long start = place(bar.kind as String, bar.start as Long, bar.size as long)
            lines[i] = [start, start + (bar.size as long) - 1, barFlags(bar.kind as String, bar.prefetchable as boolean)]
        }
        if (d.rom != null) {
            long start = place('mem32', d.rom.start as Long, d.rom.size as long)
            // IORESOURCE_MEM | PREFETCH | READONLY | SIZEALIGN, as the kernel reports ROMs
            lines[6] = [start, start + (d.rom.size as long) - 1, 0x46200L]
        }
        lines.collect { String.format('0x%016x 0x%016x 0x%016x', it[0], it[1], it[2]) }.join('\n') + '\n'
    }

    /** Flags as real kernels report them, low PCI_BASE_ADDRESS bits included, so readers must mask. */
    private static long barFlags(String kind, boolean prefetchable) {
        switch (kind) {
            case 'io': return 0x40101L
            case 'mem32': return 0x40200L | (prefetchable ? 0x2008L : 0L)
            case 'mem64': return 0x140204L | (prefetchable ? 0x2008L : 0L)
            default: throw new IllegalArgumentException("FakeSysfs: BAR kind '$kind' is not io, mem32 or mem64")
        }
    }

    private long place(String kind, Long start, long size) {
        if (start != null) {
            return start
        }
        long aligned = (nextStart[kind] + size - 1).intdiv(size) * size
        nextStart[kind] = aligned + size
        aligned
    }

    private void bindLinks(String key, Path dir, String driver) {
        Path drv = driverDir(driver)
        link(dir.resolve('driver'), drv)
        link(drv.resolve(key), dir)
    }

    private void addVirtualFunction(String pf, String vf, Path vfDir) {
        if (!vfCounts.containsKey(pf)) {
            throw new IllegalStateException("FakeSysfs: declare PF $pf with sriov totalVfs: N before its VF $vf")
        }
        int n = vfCounts[pf]
        if (n >= vfTotals[pf]) {
            throw new IllegalStateException("FakeSysfs: PF $pf supports only ${vfTotals[pf]} VFs")
        }
        Path pfDir = deviceDirs[pf]
        link(vfDir.resolve('physfn'), pfDir)
        link(pfDir.resolve("virtfn$n"), vfDir)
        vfCounts[pf] = n + 1
        text(pfDir.resolve('sriov_numvfs'), n + 1)
    }

    private static String pfKey(String bdf) {
        PciAddress.parse(bdf).toString()
    }

    /** A relative symlink, as sysfs makes them. */
    private static void link(Path link, Path target) {
        Files.createDirectories(link.parent)
        Files.createSymbolicLink(link, link.parent.relativize(target))
    }

    private static void hex(Path file, int value, int digits) {
        Files.writeString(file, String.format("0x%0${digits}x\n", value))
    }

    private static void text(Path file, Object value) {
        Files.writeString(file, "$value\n")
    }

    /** What a device closure can say; see the class comment. */
    static class DeviceSpec {
        static final long KiB = FakeSysfs.KiB
        static final long MiB = FakeSysfs.MiB
        static final long GiB = FakeSysfs.GiB

        Integer vendor, device, subsystemVendor, subsystemDevice
        int classCode = 0xff0000
        int revision = 0
        Integer headerType
        boolean config = true
        int numaNode = -1
        String driver, parent, physfn
        Integer iommuGroup, sriovTotal
        List<Map> bars = []
        Map rom

        /** Subsystem ids default to the device's own ids, as on many simple devices and VFs. */
        int subsystemVendorOrDefault() { subsystemVendor != null ? subsystemVendor : vendor }
        int subsystemDeviceOrDefault() { subsystemDevice != null ? subsystemDevice : device }

        void vendor(int v) { vendor = v }
        void device(int v) { device = v }
        void subsystem(int vendorId, int deviceId) { subsystemVendor = vendorId; subsystemDevice = deviceId }
        void classCode(int v) { classCode = v }
        void revision(int v) { revision = v }
        /** Config byte 0x0e; defaults to 0x01 for class 0x0604xx, else 0x00. Bit 7 marks multi-function. */
        void headerType(int v) { headerType = v }
        /** No config file at all, as when it cannot be read. */
        void noConfig() { config = false }
        void numaNode(int v) { numaNode = v }
        void driver(String name) { driver = name }
        void parent(String bdf) { parent = bdf }
        void iommuGroup(int id) { iommuGroup = id }
        void physfn(String bdf) { physfn = bdf }
        void sriov(Map opts) { sriovTotal = opts.totalVfs as Integer }

        /** bar 0, size: 16 * MiB, kind: 'mem32' | 'mem64' | 'io', prefetchable: false, start: (auto) */
        void bar(Map opts, int index) {
            if (!(index in 0..5) || opts.size == null) {
                throw new IllegalArgumentException("FakeSysfs: bar needs an index 0..5 and a size: $opts")
            }
            bars << [index: index, size: opts.size as long, kind: (opts.kind ?: 'mem32') as String,
                     prefetchable: opts.prefetchable ?: false, start: opts.start as Long]
        }

        /** rom size: 512 * KiB, start: (auto) */
        void rom(Map opts) { rom = [size: opts.size as long, start: opts.start as Long] }
    }
}
