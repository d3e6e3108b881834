package dev.rig.vfio.fake;

import dev.rig.sys.Errno;
import dev.rig.sys.IoctlRequest;
import dev.rig.sys.SyscallException;
import dev.rig.vfio.sys.VfioIoctls;
import dev.rig.vfio.sys.VfioStructs;
import dev.rig.vfio.sys.VfioStructs.DeviceInfo;
import dev.rig.vfio.sys.VfioStructs.DmaMap;
import dev.rig.vfio.sys.VfioStructs.DmaUnmap;
import dev.rig.vfio.sys.VfioStructs.GroupStatus;
import dev.rig.vfio.sys.VfioStructs.IommuType1Info;
import dev.rig.vfio.sys.VfioStructs.IrqInfo;
import dev.rig.vfio.sys.VfioStructs.IrqSet;
import dev.rig.vfio.sys.VfioStructs.RegionInfo;
import dev.rig.vfio.sys.VfioSys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A simulated /dev/vfio for tests: the container (API version, extensions, SET_IOMMU, DMA map bookkeeping with an
 * optional pin limit that answers ENOMEM), groups (viability, SET_CONTAINER, GET_DEVICE_FD) and {@link FakeDevice}s.
 * It decodes every argument with {@link VfioStructs}, checks argsz as the kernel does, and records the calls, the
 * open fds, the mmaps and the raw SET_IRQS arguments so tests can assert on them.
 */
public final class FakeVfioHost implements VfioSys {
    private sealed interface File permits ContainerFile, GroupFile, DeviceFile, EventFile {}

    private static final class ContainerFile implements File {
        final Set<Integer> groups = new HashSet<>();
        int iommuType;
        final TreeMap<Long, long[]> dma = new TreeMap<>();  // iova -> {vaddr, size, flags}
    }

    private record GroupFile(int number) implements File {}

    private record DeviceFile(FakeDevice device) implements File {}

    private record EventFile() implements File {}

    private final Arena arena = Arena.ofShared();
    private int apiVersion = VfioIoctls.API_VERSION;
    private final Set<Integer> extensions = new HashSet<>(Set.of(VfioIoctls.TYPE1_IOMMU, VfioIoctls.TYPE1V2_IOMMU));
    private final Map<Integer, Boolean> groupViable = new TreeMap<>();
    private final Map<Integer, List<String>> groupMembers = new TreeMap<>();
    private final Map<Integer, Integer> groupContainer = new HashMap<>();  // group -> container fd
    private final Map<String, FakeDevice> devices = new HashMap<>();
    private final Map<String, Integer> deviceGroup = new HashMap<>();
    private final Map<Integer, File> fds = new LinkedHashMap<>();
    private final Map<Long, Long> mmaps = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final List<byte[]> irqSetArgs = new ArrayList<>();
    private final Map<String, Integer> failNext = new HashMap<>();
    private long pinLimit = Long.MAX_VALUE;
    private Rlimit memlock = new Rlimit(8L << 20, 8L << 20);
    // Far above the fds the JVM holds, so a real eventfd (KVM's irqfds in wiring tests) never shares a number.
    private int nextFd = 1 << 20;

    // ---- description ----

    public FakeVfioHost apiVersion(int version) { apiVersion = version; return this; }

    public FakeVfioHost withoutExtension(int extension) { extensions.remove(extension); return this; }

    /** An IOMMU group with these devices; members may also name devices Rig does not open. */
    public FakeVfioHost group(int number, boolean viable, List<String> members, FakeDevice... groupDevices) {
        groupViable.put(number, viable);
        groupMembers.put(number, List.copyOf(members));
        for (FakeDevice d : groupDevices) {
            devices.put(d.name(), d);
            deviceGroup.put(d.name(), number);
        }
        return this;
    }

    /** MAP_DMA answers ENOMEM once more than this many bytes would be pinned (RLIMIT_MEMLOCK without CAP_IPC_LOCK). */
    public FakeVfioHost pinLimit(long bytes) { pinLimit = bytes; return this; }

    public FakeVfioHost memlock(long soft, long hard) { memlock = new Rlimit(soft, hard); return this; }

    /** The next call of this ioctl (by name, e.g. "VFIO_DEVICE_RESET") fails with errno. */
    public FakeVfioHost failNext(String ioctl, int errno) { failNext.put(ioctl, errno); return this; }

    // ---- what tests inspect ----

    public synchronized List<String> calls() { return List.copyOf(calls); }

    public synchronized Set<Integer> openFds() { return Set.copyOf(fds.keySet()); }

    public synchronized int openMmaps() { return mmaps.size(); }

    public synchronized List<byte[]> irqSetArguments() { return List.copyOf(irqSetArgs); }

    /** The DMA mappings of every container: iova -> size. */
    public synchronized Map<Long, Long> dmaMappings() {
        Map<Long, Long> all = new TreeMap<>();
        for (File f : fds.values())
            if (f instanceof ContainerFile c) c.dma.forEach((iova, m) -> all.put(iova, m[1]));
        return all;
    }

    public FakeDevice device(String name) { return devices.get(name); }

    // ---- VfioSys ----

    private SyscallException fail(String op, String target, int errno) {
        return new SyscallException(op, target, errno);
    }

    /** The kernel takes any eventfd of the process: one opened for real (e.g. a KVM irqfd) counts too. */
    private static boolean realEventfd(int fd) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).toString()
                    .equals("anon_inode:[eventfd]");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private int allocate(File f) {
        int fd = nextFd++;
        fds.put(fd, f);
        return fd;
    }

    @Override
    public synchronized int open(String path, int flags) {
        calls.add("open " + path);
        if (path.equals("/dev/vfio/vfio")) return allocate(new ContainerFile());
        if (path.startsWith("/dev/vfio/")) {
            int n = Integer.parseInt(path.substring("/dev/vfio/".length()));
            if (!groupViable.containsKey(n)) throw fail("open", path, Errno.ENOENT);
            for (File f : fds.values()) if (f instanceof GroupFile g && g.number() == n) throw fail("open", path, Errno.EBUSY);
            return allocate(new GroupFile(n));
        }
        throw fail("open", path, Errno.ENOENT);
    }

    @Override
    public synchronized void close(int fd) {
        File f = fds.remove(fd);
        if (f == null) throw fail("close", "fd " + fd, Errno.EBADF);
        calls.add("close " + describe(f));
        if (f instanceof GroupFile g) detach(g.number());
    }

    /** A group leaving its container; the last one out takes the IOMMU and every mapping with it (as the kernel does). */
    private void detach(int group) {
        Integer cfd = groupContainer.remove(group);
        if (cfd != null && fds.get(cfd) instanceof ContainerFile c) {
            c.groups.remove(group);
            if (c.groups.isEmpty()) {
                c.iommuType = 0;
                c.dma.clear();
            }
        }
    }

    private String describe(File f) {
        return switch (f) {
            case ContainerFile c -> "container";
            case GroupFile g -> "group " + g.number();
            case DeviceFile d -> "device " + d.device().name();
            case EventFile e -> "eventfd";
        };
    }

    private File file(int fd, String op) {
        File f = fds.get(fd);
        if (f == null) throw fail(op, "fd " + fd, Errno.EBADF);
        return f;
    }

    @Override
    public synchronized int ioctl(int fd, IoctlRequest request, long arg, String target) {
        File f = file(fd, "ioctl " + request.name());
        calls.add(request.name() + " on " + describe(f));
        injected(request, target);
        if (f instanceof ContainerFile c) {
            if (request.equals(VfioIoctls.GET_API_VERSION)) return apiVersion;
            if (request.equals(VfioIoctls.CHECK_EXTENSION)) return extensions.contains((int) arg) ? 1 : 0;
            if (request.equals(VfioIoctls.SET_IOMMU)) {
                if (c.groups.isEmpty() || !extensions.contains((int) arg)) throw fail("ioctl " + request.name(), target, Errno.EINVAL);
                if (c.iommuType != 0) throw fail("ioctl " + request.name(), target, Errno.EBUSY);
                c.iommuType = (int) arg;
                return 0;
            }
        }
        if (f instanceof DeviceFile d && request.equals(VfioIoctls.DEVICE_RESET)) {
            if ((d.device().flags & DeviceInfo.FLAG_RESET) == 0) throw fail("ioctl " + request.name(), target, Errno.EINVAL);
            d.device().resets++;
            return 0;
        }
        throw fail("ioctl " + request.name(), target, Errno.ENOTTY);
    }

    private void injected(IoctlRequest request, String target) {
        Integer errno = failNext.remove(request.name());
        if (errno != null) throw fail("ioctl " + request.name(), target, errno);
    }

    @Override
    public synchronized int ioctl(int fd, IoctlRequest request, MemorySegment arg, String target) {
        File f = file(fd, "ioctl " + request.name());
        calls.add(request.name() + " on " + describe(f));
        injected(request, target);
        String op = "ioctl " + request.name();
        return switch (f) {
            case ContainerFile c -> containerIoctl(c, request, arg, op, target);
            case GroupFile g -> groupIoctl(g, request, arg, op, target);
            case DeviceFile d -> deviceIoctl(d.device(), request, arg, op, target);
            case EventFile e -> throw fail(op, target, Errno.ENOTTY);
        };
    }

    private static void argsz(MemorySegment arg, long min, String op, String target) {
        if (arg.byteSize() < 4 || Integer.toUnsignedLong(arg.get(ValueLayout.JAVA_INT_UNALIGNED, 0)) < min
                || arg.byteSize() < min)
            throw new SyscallException(op, target, Errno.EINVAL);
    }

    private int containerIoctl(ContainerFile c, IoctlRequest request, MemorySegment arg, String op, String target) {
        if (c.iommuType == 0) throw fail(op, target, Errno.EINVAL);
        if (request.equals(VfioIoctls.IOMMU_GET_INFO)) {
            argsz(arg, 16, op, target);
            IommuType1Info.FLAGS.set(arg, IommuType1Info.FLAG_PGSIZES);
            IommuType1Info.IOVA_PGSIZES.set(arg, 0x40201000L);
            return 0;
        }
        if (request.equals(VfioIoctls.IOMMU_MAP_DMA)) {
            argsz(arg, DmaMap.LAYOUT.byteSize(), op, target);
            int flags = DmaMap.FLAGS.get(arg);
            long vaddr = DmaMap.VADDR.get(arg), iova = DmaMap.IOVA.get(arg), size = DmaMap.SIZE.get(arg);
            if ((flags & ~3) != 0 || size == 0 || ((vaddr | iova | size) & 0xfff) != 0) throw fail(op, target, Errno.EINVAL);
            var below = c.dma.floorEntry(iova + size - 1);
            if (below != null && below.getKey() + below.getValue()[1] > iova) throw fail(op, target, Errno.EEXIST);
            long pinned = c.dma.values().stream().mapToLong(m -> m[1]).sum();
            if (pinned + size > pinLimit) throw fail(op, target, Errno.ENOMEM);
            c.dma.put(iova, new long[] {vaddr, size, flags});
            return 0;
        }
        if (request.equals(VfioIoctls.IOMMU_UNMAP_DMA)) {
            argsz(arg, DmaUnmap.LAYOUT.byteSize(), op, target);
            long iova = DmaUnmap.IOVA.get(arg), size = DmaUnmap.SIZE.get(arg);
            long[] m = c.dma.get(iova);
            if (m != null && m[1] == size) c.dma.remove(iova);
            DmaUnmap.SIZE.set(arg, m != null && m[1] == size ? size : 0);  // the kernel reports what it unmapped
            return 0;
        }
        throw fail(op, target, Errno.ENOTTY);
    }

    private int groupIoctl(GroupFile g, IoctlRequest request, MemorySegment arg, String op, String target) {
        int n = g.number();
        if (request.equals(VfioIoctls.GROUP_GET_STATUS)) {
            argsz(arg, GroupStatus.LAYOUT.byteSize(), op, target);
            GroupStatus.FLAGS.set(arg, (groupViable.get(n) ? GroupStatus.FLAG_VIABLE : 0)
                    | (groupContainer.containsKey(n) ? GroupStatus.FLAG_CONTAINER_SET : 0));
            return 0;
        }
        if (request.equals(VfioIoctls.GROUP_SET_CONTAINER)) {
            int cfd = arg.get(ValueLayout.JAVA_INT, 0);
            if (!(fds.get(cfd) instanceof ContainerFile c)) throw fail(op, target, Errno.EBADF);
            if (!groupViable.get(n)) throw fail(op, target, Errno.EPERM);
            if (groupContainer.containsKey(n)) throw fail(op, target, Errno.EINVAL);
            groupContainer.put(n, cfd);
            c.groups.add(n);
            return 0;
        }
        if (request.equals(VfioIoctls.GROUP_GET_DEVICE_FD)) {
            String name = arg.reinterpret(256).getString(0);
            Integer cfd = groupContainer.get(n);
            if (cfd == null || !(fds.get(cfd) instanceof ContainerFile c) || c.iommuType == 0) throw fail(op, target, Errno.EINVAL);
            FakeDevice d = devices.get(name);
            if (d == null || deviceGroup.get(name) != n) throw fail(op, target, Errno.ENODEV);
            return allocate(new DeviceFile(d));
        }
        throw fail(op, target, Errno.ENOTTY);
    }

    private int deviceIoctl(FakeDevice d, IoctlRequest request, MemorySegment arg, String op, String target) {
        if (request.equals(VfioIoctls.DEVICE_GET_INFO)) {
            argsz(arg, 16, op, target);
            DeviceInfo.FLAGS.set(arg, d.flags);
            DeviceInfo.NUM_REGIONS.set(arg, d.numRegions);
            DeviceInfo.NUM_IRQS.set(arg, d.numIrqs);
            return 0;
        }
        if (request.equals(VfioIoctls.DEVICE_GET_REGION_INFO)) {
            argsz(arg, RegionInfo.LAYOUT.byteSize(), op, target);
            int index = RegionInfo.INDEX.get(arg);
            FakeDevice.Region r = d.regions.get(index);
            if (index >= d.numRegions || (r == null && index == VfioStructs.PCI_VGA_REGION)) throw fail(op, target, Errno.EINVAL);
            RegionInfo.OFFSET.set(arg, VfioStructs.pciRegionOffset(index));
            RegionInfo.SIZE.set(arg, r == null ? 0 : r.size());
            RegionInfo.CAP_OFFSET.set(arg, 0);
            if (r == null) {
                RegionInfo.FLAGS.set(arg, 0);
                return 0;
            }
            byte[] chain = r.capabilityChain();
            int flags = r.flags();
            if (chain.length > 0) {
                flags |= RegionInfo.FLAG_CAPS;
                long fixed = RegionInfo.LAYOUT.byteSize(), need = fixed + chain.length;
                if (arg.byteSize() >= need && Integer.toUnsignedLong(RegionInfo.ARGSZ.get(arg)) >= need) {
                    MemorySegment.copy(chain, 0, arg, ValueLayout.JAVA_BYTE, fixed, chain.length);
                    RegionInfo.CAP_OFFSET.set(arg, (int) fixed);
                }
                RegionInfo.ARGSZ.set(arg, (int) need);
            }
            RegionInfo.FLAGS.set(arg, flags);
            return 0;
        }
        if (request.equals(VfioIoctls.DEVICE_GET_IRQ_INFO)) {
            argsz(arg, IrqInfo.LAYOUT.byteSize(), op, target);
            int index = IrqInfo.INDEX.get(arg);
            if (index >= d.numIrqs) throw fail(op, target, Errno.EINVAL);
            FakeDevice.Irq irq = d.irqs.get(index);
            IrqInfo.FLAGS.set(arg, irq == null ? 0 : irq.flags());
            IrqInfo.COUNT.set(arg, irq == null ? 0 : irq.count());
            return 0;
        }
        if (request.equals(VfioIoctls.DEVICE_SET_IRQS)) return setIrqs(d, arg, op, target);
        throw fail(op, target, Errno.ENOTTY);
    }

    /** Validates as vfio_set_irqs_validate_and_prepare does, records the bytes, applies trigger assignments. */
    private int setIrqs(FakeDevice d, MemorySegment arg, String op, String target) {
        argsz(arg, IrqSet.LAYOUT.byteSize(), op, target);
        int argsz = IrqSet.ARGSZ.get(arg);
        byte[] raw = new byte[argsz];
        MemorySegment.copy(arg, ValueLayout.JAVA_BYTE, 0, raw, 0, argsz);
        irqSetArgs.add(raw);
        int flags = IrqSet.FLAGS.get(arg), index = IrqSet.INDEX.get(arg), start = IrqSet.START.get(arg),
                count = IrqSet.COUNT.get(arg);
        int data = flags & (IrqSet.DATA_NONE | IrqSet.DATA_BOOL | IrqSet.DATA_EVENTFD);
        int action = flags & (IrqSet.ACTION_MASK | IrqSet.ACTION_UNMASK | IrqSet.ACTION_TRIGGER);
        FakeDevice.Irq irq = d.irqs.get(index);
        if (Integer.bitCount(data) != 1 || Integer.bitCount(action) != 1 || (flags & ~0x3f) != 0 || irq == null
                || (long) start + count > irq.count())
            throw fail(op, target, Errno.EINVAL);
        long dataSize = data == IrqSet.DATA_EVENTFD ? 4L * count : data == IrqSet.DATA_BOOL ? count : 0;
        if (argsz < IrqSet.DATA + dataSize) throw fail(op, target, Errno.EINVAL);
        if (action == IrqSet.ACTION_TRIGGER) {
            if (data == IrqSet.DATA_NONE && count == 0) {
                d.triggers.remove(index);
            } else if (data == IrqSet.DATA_EVENTFD) {
                Map<Integer, Integer> t = d.triggers.computeIfAbsent(index, i -> new TreeMap<>());
                for (int i = 0; i < count; i++) {
                    int efd = arg.get(ValueLayout.JAVA_INT_UNALIGNED, IrqSet.DATA + 4L * i);
                    if (efd == -1) t.remove(start + i);
                    else if (!(fds.get(efd) instanceof EventFile) && !realEventfd(efd)) throw fail(op, target, Errno.EBADF);
                    else t.put(start + i, efd);
                }
            }
        }
        return 0;
    }

    private FakeDevice deviceOf(int fd, String op) {
        if (!(file(fd, op) instanceof DeviceFile d)) throw fail(op, "fd " + fd, Errno.EINVAL);
        return d.device();
    }

    @Override
    public synchronized long mmap(int fd, long offset, long length, int prot, String what) {
        calls.add("mmap " + what);
        FakeDevice d = deviceOf(fd, "mmap");
        int index = (int) (offset >>> 40);
        long within = offset & ((1L << 40) - 1);
        FakeDevice.Region r = d.regions.get(index);
        if (r == null || ((within | length) & 0xfff) != 0 || !r.mappable(within, length)) throw fail("mmap", what, Errno.EINVAL);
        long address = d.backing(index, arena).address() + within;
        mmaps.put(address, length);
        return address;
    }

    @Override
    public synchronized void munmap(long address, long length) {
        Long mapped = mmaps.get(address);
        if (mapped == null || mapped != length) throw fail("munmap", String.format("0x%x+0x%x", address, length), Errno.EINVAL);
        mmaps.remove(address);
        calls.add("munmap");
    }

    @Override
    public synchronized int eventfd(int initval, int flags) {
        return allocate(new EventFile());
    }

    @Override
    public synchronized long pread(int fd, MemorySegment buffer, long offset, String target) {
        return regionAccess(fd, buffer, offset, target, false);
    }

    @Override
    public synchronized long pwrite(int fd, MemorySegment buffer, long offset, String target) {
        return regionAccess(fd, buffer, offset, target, true);
    }

    private long regionAccess(int fd, MemorySegment buffer, long offset, String target, boolean write) {
        String op = write ? "pwrite" : "pread";
        FakeDevice d = deviceOf(fd, op);
        long n = d.access((int) (offset >>> 40), offset & ((1L << 40) - 1), buffer, write, arena);
        if (n < 0) throw fail(op, target, (int) -n);
        return n;
    }

    @Override
    public Rlimit getrlimit(int resource) {
        if (resource != RLIMIT_MEMLOCK) throw fail("getrlimit", "resource " + resource, Errno.EINVAL);
        return memlock;
    }

    @Override
    public List<String> iommuGroupDevices(int group) {
        return groupMembers.getOrDefault(group, List.of());
    }
}
