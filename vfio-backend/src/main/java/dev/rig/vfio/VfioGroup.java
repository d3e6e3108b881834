package dev.rig.vfio;

import dev.rig.sys.Errno;
import dev.rig.sys.SyscallException;
import dev.rig.vfio.sys.SysFd;
import dev.rig.vfio.sys.VfioIoctls;
import dev.rig.vfio.sys.VfioStructs.GroupStatus;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An IOMMU group (/dev/vfio/N) attached to one container. The IOMMU isolates groups, not devices, so the kernel
 * hands out device fds only while every device of the group is bound to vfio-pci (or to no driver): "viable".
 * Created by {@link VfioContainer#group(int)}; owns its devices.
 */
public final class VfioGroup implements AutoCloseable {
    private final VfioContainer container;
    private final int number;
    private final SysFd fd;
    private final Map<String, VfioDevice> devices = new TreeMap<>();

    private VfioGroup(VfioContainer container, int number, SysFd fd) {
        this.container = container;
        this.number = number;
        this.fd = fd;
    }

    static String path(int number) {
        return "/dev/vfio/" + number;
    }

    /** Opens the group, requires it viable and attaches it to the container; closes it again on any failure. */
    static VfioGroup open(VfioContainer container, int number) {
        if (number < 0) throw new IllegalArgumentException("IOMMU group number must not be negative: " + number);
        String path = path(number);
        SysFd fd;
        try {
            fd = new SysFd(container.sys(), container.sys().open(path, dev.rig.sys.Libc.O_RDWR), path);
        } catch (SyscallException e) {
            String hint = switch (e.errno()) {
                case Errno.ENOENT -> "No such group: bind the device to vfio-pci first (echo vfio-pci > "
                        + "/sys/bus/pci/devices/<address>/driver_override; echo <address> > /sys/bus/pci/drivers_probe) "
                        + "and take the group number from /sys/bus/pci/devices/<address>/iommu_group";
                case Errno.EACCES, Errno.EPERM -> "Grant the user that runs Rig access to " + path
                        + " (chown, or a udev rule for the vfio group)";
                case Errno.EBUSY -> "Another process (another VMM?) holds the group open";
                default -> null;
            };
            throw new VfioException("VFIO group " + number, e, hint);
        }
        VfioGroup group = new VfioGroup(container, number, fd);
        try {
            group.attach();
            return group;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private void attach() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(GroupStatus.LAYOUT.byteSize(), 8);
            GroupStatus.ARGSZ.set(status, (int) GroupStatus.LAYOUT.byteSize());
            ioctl(VfioIoctls.GROUP_GET_STATUS, status, null);
            int flags = GroupStatus.FLAGS.get(status);
            if ((flags & GroupStatus.FLAG_VIABLE) == 0) throw new VfioException(notViable());
            if ((flags & GroupStatus.FLAG_CONTAINER_SET) != 0)
                throw new VfioException("VFIO group " + number + " is already attached to a container");
            MemorySegment containerFd = arena.allocate(ValueLayout.JAVA_INT);
            containerFd.set(ValueLayout.JAVA_INT, 0, container.fd().fd());
            ioctl(VfioIoctls.GROUP_SET_CONTAINER, containerFd, "a container holds only groups the IOMMU can share "
                    + "one address space with");
        }
    }

    private String notViable() {
        List<String> members = container.sys().iommuGroupDevices(number);
        return "VFIO group " + number + " is not viable: every device in IOMMU group " + number
                + (members.isEmpty() ? "" : " (" + String.join(", ", members) + ")")
                + " must be bound to vfio-pci or unbound from its driver (see /sys/kernel/iommu_groups/" + number
                + "/devices/*/driver); devices that share a group can only be passed through together";
    }

    public int number() { return number; }

    /** The group's file descriptor, for the KVM-VFIO device (KVM_DEV_VFIO_FILE_ADD); still owned by this group. */
    public int descriptor() { return fd.fd(); }

    public VfioContainer container() { return container; }

    /**
     * VFIO_GROUP_GET_DEVICE_FD for a device of this group by its name, the PCI address as sysfs writes it
     * ("0000:01:00.0"). A device is opened once: asking again is an error, not a second owner.
     */
    public synchronized VfioDevice device(String name) {
        if (fd.isClosed()) throw new IllegalStateException("VFIO group " + number + " is closed");
        if (devices.containsKey(name)) throw new IllegalStateException("VFIO device " + name + " is open already");
        int deviceFd;
        try (Arena arena = Arena.ofConfined()) {
            deviceFd = ioctl(VfioIoctls.GROUP_GET_DEVICE_FD, arena.allocateFrom(name),
                    "is " + name + " in IOMMU group " + number + " (ls /sys/kernel/iommu_groups/" + number
                            + "/devices) and bound to vfio-pci?");
        }
        VfioDevice device = VfioDevice.open(this, name, new SysFd(container.sys(), deviceFd, name));
        devices.put(name, device);
        return device;
    }

    public synchronized List<VfioDevice> devices() { return List.copyOf(devices.values()); }

    synchronized void forget(VfioDevice device) { devices.remove(device.name()); }

    private int ioctl(dev.rig.sys.IoctlRequest request, MemorySegment arg, String hint) {
        try {
            return fd.ioctl(request, arg);
        } catch (SyscallException e) {
            throw new VfioException("VFIO group " + number, e, hint);
        }
    }

    synchronized void closeDevices() {
        RuntimeException first = null;
        for (VfioDevice d : List.copyOf(devices.values())) {
            try {
                d.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        devices.clear();
        if (first != null) throw first;
    }

    /** Closes the group's devices, then the group fd, which detaches it from the container. */
    @Override
    public void close() {
        try {
            synchronized (this) {
                try {
                    closeDevices();
                } finally {
                    fd.close();
                }
            }
        } finally {
            container.forget(this);  // outside this lock: the container locks itself, then groups, never the reverse
        }
    }

    @Override
    public String toString() { return "VFIO group " + number; }
}
