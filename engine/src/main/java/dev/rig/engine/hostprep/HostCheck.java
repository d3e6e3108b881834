package dev.rig.engine.hostprep;

import java.util.Objects;

/**
 * One finding of {@link HostChecks}.
 *
 * @param name   what was checked: "iommu", "vfio-pci", "/dev/vfio/vfio", "memlock", "hugepages", "device 0000:01:00.0",
 *               "group 22"
 * @param status ok, warn (worth knowing, does not stop a run) or fail (a VFIO guest cannot run)
 * @param detail what was found
 * @param fix    the command or setting that fixes it; empty when ok
 */
public record HostCheck(String name, Status status, String detail, String fix) {

    public enum Status {
        OK, WARN, FAIL;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public HostCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(fix, "fix");
    }

    static HostCheck ok(String name, String detail) {
        return new HostCheck(name, Status.OK, detail, "");
    }

    static HostCheck warn(String name, String detail, String fix) {
        return new HostCheck(name, Status.WARN, detail, fix);
    }

    static HostCheck fail(String name, String detail, String fix) {
        return new HostCheck(name, Status.FAIL, detail, fix);
    }

    public boolean failed() {
        return status == Status.FAIL;
    }
}
