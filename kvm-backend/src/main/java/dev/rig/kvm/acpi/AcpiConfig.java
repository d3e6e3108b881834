package dev.rig.kvm.acpi;

import java.util.List;

/**
 * The facts the ACPI tables describe, passed in by the VMM (which maps its own machine plan onto this).
 *
 * @param vcpus              vCPUs, with local APIC ids 0..vcpus-1 (xAPIC: at most 255, id 0xff is broadcast)
 * @param ioApicId           the I/O APIC's id (KVM's in-kernel I/O APIC starts with id 0)
 * @param ioApicAddress      its MMIO base, 0xFEC00000 on a PC; it serves GSIs 0..23
 * @param pciSegments        one PCI host bridge and MCFG entry each; segment 0 also gets the 0xCF8 ports
 * @param pm                 where the PM1 registers and the reset register live, and the SCI line
 * @param serialPorts        16550 UARTs, each described as a PNP0501 device so Linux need not probe
 * @param interruptOverrides ISA IRQ to GSI overrides for the MADT; see {@link InterruptOverride#pcDefaults}
 * @param i8042Present       sets IAPC_BOOT_ARCH.8042; leave false unless the VMM emulates a keyboard
 *                           controller at 0x60/0x64, so Linux skips probing it
 * @param cmosRtcPresent     false sets IAPC_BOOT_ARCH "CMOS RTC not present", so Linux leaves 0x70/0x71 alone
 * @param pvpanicPort        the pvpanic device's I/O port, described as ACPI device QEMU0001 (as QEMU does), or
 *                           0 for none
 */
public record AcpiConfig(int vcpus, int ioApicId, long ioApicAddress, List<PciSegment> pciSegments, PmBlock pm,
                         List<SerialPort> serialPorts, List<InterruptOverride> interruptOverrides,
                         boolean i8042Present, boolean cmosRtcPresent, int pvpanicPort) {
    public static final long IOAPIC_ADDRESS = 0xFEC0_0000L;
    public static final int IOAPIC_PINS = 24;
    /** Where QEMU's pvpanic ISA device sits (and so where guests' tooling expects it). */
    public static final int PVPANIC_PORT = 0x505;

    public AcpiConfig {
        if (vcpus < 1 || vcpus > 255) throw new IllegalArgumentException("vcpus must be 1..255: " + vcpus);
        pciSegments = List.copyOf(pciSegments);
        serialPorts = List.copyOf(serialPorts);
        interruptOverrides = List.copyOf(interruptOverrides);
        if (pvpanicPort < 0 || pvpanicPort > 0xffff) throw new IllegalArgumentException("pvpanic port: " + pvpanicPort);
        if (pciSegments.stream().map(PciSegment::id).distinct().count() != pciSegments.size())
            throw new IllegalArgumentException("PCI segment ids repeat");
        for (PciSegment s : pciSegments) {
            for (IntxRoute r : s.intxRoutes())
                if (r.gsi() >= IOAPIC_PINS) throw new IllegalArgumentException("INTx GSI beyond the I/O APIC: " + r);
            if (s.ioWindow() == null) continue;
            if (s.ioWindow().overlaps(pm.basePort(), PmBlock.LENGTH))
                throw new IllegalArgumentException("segment " + s.id() + " I/O window covers the PM block");
            for (SerialPort p : serialPorts)
                if (s.ioWindow().overlaps(p.port(), SerialPort.PORTS))
                    throw new IllegalArgumentException("segment " + s.id() + " I/O window covers serial port " + p);
            if (pvpanicPort != 0 && s.ioWindow().overlaps(pvpanicPort, 1))
                throw new IllegalArgumentException("segment " + s.id() + " I/O window covers the pvpanic port");
        }
    }

    /**
     * The usual PC shape: I/O APIC id 0 at 0xFEC00000, PM block at 0x600, COM1, PC overrides, no 8042/RTC,
     * pvpanic at 0x505.
     */
    public static AcpiConfig pc(int vcpus, List<PciSegment> pciSegments) {
        PmBlock pm = PmBlock.DEFAULT;
        return new AcpiConfig(vcpus, 0, IOAPIC_ADDRESS, pciSegments, pm, List.of(SerialPort.COM1),
                InterruptOverride.pcDefaults(pm.sciIrq()), false, false, PVPANIC_PORT);
    }

    /**
     * A PCI segment (host bridge). ECAM covers buses startBus..endBus, 1 MiB per bus. The 32-bit and 64-bit
     * apertures are where the guest may place BARs; a size of 0 leaves one out. ioWindow, for segment 0, is
     * the port range handed to PCI devices (null: none).
     */
    public record PciSegment(int id, long ecamBase, int startBus, int endBus,
                             long mmio32Base, long mmio32Size, long mmio64Base, long mmio64Size,
                             IoWindow ioWindow, List<IntxRoute> intxRoutes) {
        public PciSegment {
            if (id < 0 || id > 0xffff) throw new IllegalArgumentException("segment id: " + id);
            if (startBus < 0 || endBus > 255 || startBus > endBus) throw new IllegalArgumentException("bus range");
            if ((ecamBase & 0xfffff) != 0) throw new IllegalArgumentException("ECAM base must be 1 MiB aligned");
            if (mmio32Size < 0 || mmio32Base + mmio32Size > 0x1_0000_0000L)
                throw new IllegalArgumentException("32-bit aperture must lie below 4 GiB");
            if (mmio64Size < 0) throw new IllegalArgumentException("64-bit aperture size");
            intxRoutes = List.copyOf(intxRoutes);
        }

        /** A one-bus segment (bus 0 only), as the VMM's ECAM emulation provides. */
        public static PciSegment singleBus(int id, long ecamBase, long mmio32Base, long mmio32Size,
                                           long mmio64Base, long mmio64Size, IoWindow io, List<IntxRoute> routes) {
            return new PciSegment(id, ecamBase, 0, 0, mmio32Base, mmio32Size, mmio64Base, mmio64Size, io, routes);
        }

        public long ecamSize() { return (long) (endBus - startBus + 1) << 20; }
    }

    /** An I/O port range first..last (inclusive), as AML's WordIO describes it. */
    public record IoWindow(int first, int last) {
        /** 0x1000-0xFFFF: everything above the legacy ISA range; the VMM's own ports live below 0x1000. */
        public static final IoWindow ABOVE_ISA = new IoWindow(0x1000, 0xffff);

        public IoWindow {
            if (first < 0 || last > 0xffff || first > last) throw new IllegalArgumentException("I/O window");
        }

        boolean overlaps(int port, int length) { return port <= last && first < port + length; }
    }

    /** Legacy INTx routing: device slot on bus startBus, pin 0..3 (INTA..INTD), to an I/O APIC GSI. */
    public record IntxRoute(int slot, int pin, int gsi) {
        public IntxRoute {
            if (slot < 0 || slot > 31 || pin < 0 || pin > 3 || gsi < 0)
                throw new IllegalArgumentException("INTx route " + slot + "/" + pin + " -> " + gsi);
        }
    }

    /**
     * The PM register block: PM1a_EVT (status, enable) at basePort, PM1a_CNT at +4, the reset register at +6;
     * see {@link AcpiPmDevice}. 0x600 is where QEMU's ICH9 puts PMBASE. The SCI is ISA IRQ sciIrq, level.
     */
    public record PmBlock(int basePort, int sciIrq) {
        public static final int LENGTH = AcpiPmDevice.LENGTH;
        public static final PmBlock DEFAULT = new PmBlock(0x600, 9);

        public int pm1aEventPort() { return basePort + AcpiPmDevice.PM1_STS; }

        public int pm1aControlPort() { return basePort + AcpiPmDevice.PM1_CNT; }

        public int resetPort() { return basePort + AcpiPmDevice.RESET; }
    }

    /** A 16550 UART: 8 ports from port, ISA IRQ irq. */
    public record SerialPort(int port, int irq) {
        public static final int PORTS = 8;
        public static final SerialPort COM1 = new SerialPort(0x3f8, 4);
    }

    /** A MADT Interrupt Source Override: ISA IRQ source arrives at GSI gsi with the given MPS INTI flags. */
    public record InterruptOverride(int source, int gsi, int flags) {
        /** MPS INTI flags: polarity bits 0-1, trigger mode bits 2-3. */
        public static final int ACTIVE_HIGH = 0b01, ACTIVE_LOW = 0b11, EDGE = 0b01 << 2, LEVEL = 0b11 << 2;

        /**
         * What QEMU's PC describes: the PIT's IRQ0 on GSI 2 (edge), and the SCI level-triggered, active-high.
         * The VMM must route accordingly (IRQ0 to I/O APIC pin 2, as QEMU's KVM GSI routing does).
         */
        public static List<InterruptOverride> pcDefaults(int sciIrq) {
            return List.of(new InterruptOverride(0, 2, ACTIVE_HIGH | EDGE),
                    new InterruptOverride(sciIrq, sciIrq, ACTIVE_HIGH | LEVEL));
        }
    }
}
