package dev.rig.kvm.acpi;

import dev.rig.kvm.acpi.AcpiConfig.PciSegment;
import dev.rig.kvm.acpi.AmlResource.Cacheability;

import java.util.ArrayList;
import java.util.List;

import static dev.rig.kvm.acpi.Aml.*;

/**
 * The Differentiated System Description Table: AML for what Linux cannot discover by itself.
 * <pre>
 *   Name (\_S5_, Package () { 5, 5, 0, 0 })      // SLP_TYPa/b written to PM1a_CNT on poweroff
 *   Scope (\_SB_) {
 *     Device (PCI0..PCIn)   one PCI host bridge per segment: _HID PNP0A08, _CID PNP0A03, _SEG, _BBN, _UID,
 *                           _CRS (bus range, [0xCF8 + I/O window on the segment that has one], MMIO apertures),
 *                           _PRT (slot/pin to GSI, for INTx; left out when the segment routes none)
 *     Device (MRES)         PNP0C02 motherboard resources: the ECAM ranges, which Linux wants reserved
 *     Device (COM1..COMn)   PNP0501 16550 UARTs with their ports and IRQ
 *     Device (PEVT)         QEMU0001, the pvpanic port (what Linux's pvpanic-mmio driver binds to), if any
 *   }
 * </pre>
 */
public final class Dsdt {
    public static final int REVISION = 2;   // 2 and up: AML integers are 64 bits wide (QWord apertures)

    private Dsdt() {}

    public static byte[] toBytes(AcpiConfig config) {
        return new Sdt("DSDT", REVISION, aml(config)).toBytes();
    }

    /** The DSDT's AML body. */
    public static byte[] aml(AcpiConfig config) {
        List<byte[]> sb = new ArrayList<>();
        for (int i = 0; i < config.pciSegments().size(); i++) sb.add(hostBridge(i, config.pciSegments().get(i)));
        if (!config.pciSegments().isEmpty()) sb.add(motherboardResources(config.pciSegments()));
        for (int i = 0; i < config.serialPorts().size(); i++) sb.add(serialPort(i, config.serialPorts().get(i)));
        if (config.pvpanicPort() != 0) sb.add(pvpanic(config.pvpanicPort()));
        return concat(sleepStateS5(), scope("\\_SB_", sb.toArray(byte[][]::new)));
    }

    /** Name (\_S5_, Package () { SLP_TYPa, SLP_TYPb, 0, 0 }): the values {@link AcpiPmDevice} acts on. */
    public static byte[] sleepStateS5() {
        int t = AcpiPmDevice.SLP_TYP_S5;
        return name("\\_S5_", packageOf(integer(t), integer(t), integer(0), integer(0)));
    }

    static byte[] hostBridge(int index, PciSegment s) {
        List<byte[]> crs = new ArrayList<>();
        crs.add(AmlResource.wordBusNumber(s.startBus(), s.endBus()));
        if (s.ioWindow() != null) {
            crs.add(AmlResource.io(0xcf8, 0xcf8, 1, 8));   // the config address/data ports the bridge decodes
            crs.add(AmlResource.wordIo(s.ioWindow().first(), s.ioWindow().last()));
        }
        if (s.mmio32Size() > 0)
            crs.add(AmlResource.dwordMemory(Cacheability.NON_CACHEABLE, true, s.mmio32Base(),
                    s.mmio32Base() + s.mmio32Size() - 1));
        if (s.mmio64Size() > 0)
            crs.add(AmlResource.qwordMemory(false, Cacheability.CACHEABLE, true, s.mmio64Base(),
                    s.mmio64Base() + s.mmio64Size() - 1));
        List<byte[]> terms = new ArrayList<>(List.of(
                name("_HID", eisaId("PNP0A08")),    // PCI Express root bridge
                name("_CID", eisaId("PNP0A03")),    // compatible: PCI root bridge
                name("_SEG", integer(s.id())),
                name("_BBN", integer(s.startBus())),
                name("_UID", integer(s.id())),
                name("_CRS", resourceTemplate(crs.toArray(byte[][]::new)))));
        if (!s.intxRoutes().isEmpty()) terms.add(name("_PRT", interruptRouting(s)));
        return device("PCI" + deviceSuffix(index), terms.toArray(byte[][]::new));
    }

    /** _PRT entries Package () { Address 0xSSSSFFFF (any function of slot), Pin, Source 0, GSI }. */
    static byte[] interruptRouting(PciSegment s) {
        byte[][] entries = s.intxRoutes().stream()
                .map(r -> packageOf(integer(((long) r.slot() << 16) | 0xffff), integer(r.pin()), integer(0),
                        integer(r.gsi())))
                .toArray(byte[][]::new);
        return packageOf(entries);
    }

    /** Linux uses ECAM only if its range is reserved in E820 or by a PNP0C02 device; this does the latter. */
    static byte[] motherboardResources(List<PciSegment> segments) {
        byte[][] ranges = segments.stream()
                .map(s -> s.ecamBase() + s.ecamSize() <= 0x1_0000_0000L
                        ? AmlResource.memory32Fixed(true, s.ecamBase(), s.ecamSize())
                        : AmlResource.qwordMemory(true, Cacheability.NON_CACHEABLE, true, s.ecamBase(),
                                s.ecamBase() + s.ecamSize() - 1))
                .toArray(byte[][]::new);
        return device("MRES",
                name("_HID", eisaId("PNP0C02")),
                name("_UID", integer(0)),
                name("_CRS", resourceTemplate(ranges)));
    }

    static byte[] serialPort(int index, AcpiConfig.SerialPort p) {
        return device("COM" + deviceSuffix(index + 1),
                name("_HID", eisaId("PNP0501")),    // 16550A-compatible UART
                name("_UID", integer(index + 1)),
                method("_STA", 0, false, returnOf(integer(0xf))),   // present, enabled, shown, working
                name("_CRS", resourceTemplate(
                        AmlResource.io(p.port(), p.port(), 1, AcpiConfig.SerialPort.PORTS),
                        AmlResource.irqNoFlags(p.irq()))));
    }

    /** QEMU's description of its pvpanic ISA device (hw/misc/pvpanic-isa.c): the same _HID and one port. */
    static byte[] pvpanic(int port) {
        return device("PEVT",
                name("_HID", string("QEMU0001")),
                name("_STA", integer(0xb)),   // present, enabled, working, not shown in UI: QEMU's value
                name("_CRS", resourceTemplate(AmlResource.io(port, port, 1, 1))));
    }

    /** A one-character name suffix: 0-9 then A-Z, so PCI0..PCIZ and COM1..COMZ stay 4 characters. */
    private static String deviceSuffix(int i) {
        if (i < 0 || i > 35) throw new IllegalArgumentException("too many devices: " + i);
        return Character.toString(Character.forDigit(i, 36)).toUpperCase();
    }
}
