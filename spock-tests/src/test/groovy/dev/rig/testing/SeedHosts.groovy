package dev.rig.testing

import java.nio.file.Path

import static dev.rig.testing.FakeSysfs.GiB
import static dev.rig.testing.FakeSysfs.KiB
import static dev.rig.testing.FakeSysfs.MiB

/**
 * Fake sysfs hosts for the scenarios in the seed documents (shared/seeds). Ids, addresses, drivers, IOMMU group
 * numbers and BAR sizes that a seed states are used as stated; everything else a host needs to look complete
 * (subsystem ids, other groups, BAR sizes no seed gives, bridge placement) is plausible but made up, and marked
 * "illustrative" so that no test mistakes it for a fact about real hardware.
 */
final class SeedHosts {
    private SeedHosts() {}

    /**
     * Cloud Hypervisor's VFIO HOWTO: a Realtek RTS525A card reader, 10ec:525a rev 01, class ff00, at 01:00.0 with
     * driver rtsx_pci. With {@code readers = 2} a second, identical reader sits at 02:00.0 (the HOWTO's "more than
     * one device with the same vendorID/deviceID" case). The RTS525A's registers are in BAR 1 (rtsx_pcr.c maps BAR
     * 1 for PID 0x525A); its 4 KiB size and everything else are illustrative.
     */
    static FakeSysfs rts525aCardReader(Path dir, int readers = 1) {
        def sys = new FakeSysfs(dir)
        (1..readers).each { int n ->
            String port = n == 1 ? '0000:00:1c.0' : '0000:00:1c.4'
            sys.device(port) { rootPort(delegate, n == 1 ? 0x9d10 : 0x9d14); iommuGroup 6 + n }
            sys.device("0000:0$n:00.0") {
                parent port
                vendor 0x10ec; device 0x525a; revision 0x01; classCode 0xff0000
                subsystem 0x1028, 0x075b                                   // illustrative
                driver 'rtsx_pci'; iommuGroup 10 + n
                bar 1, size: 4 * KiB, kind: 'mem32'
            }
        }
        sys
    }

    /**
     * Cloud Hypervisor's HOWTO, "multiple devices in the same IOMMU group": a GeForce GT 710 (GK208B, 10de:128b
     * rev a1) at 01:00.0 and its HDMI audio function (GK208, 10de:0e0f rev a1) at 01:00.1, both in IOMMU group 22.
     * The BAR layout is the usual one for this card; sizes, addresses and subsystem ids are illustrative.
     */
    static FakeSysfs gt710(Path dir) {
        def sys = new FakeSysfs(dir)
        sys.device('0000:00:01.0') { rootPort(delegate, 0x0c01); iommuGroup 2 }
        sys.device('0000:01:00.0') {
            parent '0000:00:01.0'
            vendor 0x10de; device 0x128b; revision 0xa1; classCode 0x030000; headerType 0x80
            subsystem 0x1043, 0x8576                                       // illustrative
            driver 'nvidia'; iommuGroup 22; numaNode 0
            bar 0, size: 16 * MiB, kind: 'mem32', start: 0xf600_0000
            bar 1, size: 128 * MiB, kind: 'mem64', prefetchable: true, start: 0xe000_0000
            bar 3, size: 32 * MiB, kind: 'mem64', prefetchable: true, start: 0xe800_0000
            bar 5, size: 128, kind: 'io', start: 0xe000
            rom size: 512 * KiB, start: 0xf700_0000
        }
        sys.device('0000:01:00.1') {
            parent '0000:00:01.0'
            vendor 0x10de; device 0x0e0f; revision 0xa1; classCode 0x040300; headerType 0x80
            subsystem 0x1043, 0x8576                                       // illustrative
            driver 'snd_hda_intel'; iommuGroup 22; numaNode 0
            bar 0, size: 16 * KiB, kind: 'mem32', start: 0xf708_0000
        }
        sys
    }

    /**
     * Cloud Hypervisor's HOWTO, 32-bit MMIO exhaustion: {@code count} NVIDIA 10de:26b9 3D controllers (rev a1), each
     * with a 16 MiB 32-bit non-prefetchable BAR 0, a 64 GiB 64-bit prefetchable BAR 1 and a 32 MiB 64-bit
     * prefetchable BAR 3. GPU 0 at 01:00.0 has the seed's exact addresses (f9000000, 46000000000, 48040000000);
     * GPU i sits at bus i+1 behind root port 00:0(i+1).0, its own IOMMU group 30+i, NUMA node 0 for the first half
     * and 1 for the rest. Placement, groups and subsystem ids are illustrative.
     */
    static FakeSysfs gpu26b9(Path dir, int count = 4) {
        def sys = new FakeSysfs(dir)
        (0..<count).each { int i ->
            String port = String.format('0000:00:%02x.0', i + 1)
            sys.device(port) { rootPort(delegate, 0x2030); iommuGroup 10 + i }
            sys.device(String.format('0000:%02x:00.0', i + 1)) {
                parent port
                vendor 0x10de; device 0x26b9; revision 0xa1; classCode 0x030200
                subsystem 0x10de, 0x1851                                   // illustrative
                driver 'nvidia'; iommuGroup 30 + i; numaNode(i < count / 2 ? 0 : 1)
                bar 0, size: 16 * MiB, kind: 'mem32', start: 0xf900_0000L - i * 16 * MiB
                bar 1, size: 64 * GiB, kind: 'mem64', prefetchable: true, start: 0x460_0000_0000L + i * 0x40_0000_0000L
                bar 3, size: 32 * MiB, kind: 'mem64', prefetchable: true, start: 0x480_4000_0000L + i * 0x40_0000_0000L
            }
        }
        sys
    }

    /**
     * StratoVirt's VFIO guide: Huawei Hi1822 NICs (19e5:1822 rev 45, driver hinic) at 03:00.0, 04:00.0, 05:00.0 and
     * 06:00.0; PF 03:00.0 has four VFs enabled (echo 4 > sriov_numvfs), "Hi1822 Family Virtual Function" rev 45 at
     * 03:00.1..03:00.4, whose device id 0x375e is HINIC_DEV_ID_1822_VF in the kernel's hinic driver. The guide's
     * dmesg also puts the BMC display (hibmc-drm, 0a:00.0) in IOMMU group 0; its id 19e5:1711 is the Hi1710 BMC's.
     * hinic maps BARs 0, 2 and 4 (config, interrupts, doorbells); their sizes, sriov_totalvfs = 16, the NIC's IOMMU
     * groups and subsystem ids are illustrative.
     */
    static FakeSysfs hi1822(Path dir) {
        def sys = new FakeSysfs(dir)
        sys.device('0000:0a:00.0') {
            vendor 0x19e5; device 0x1711; revision 0x01; classCode 0x030000
            driver 'hibmc-drm'; iommuGroup 0; numaNode 0
            bar 0, size: 32 * MiB, kind: 'mem32', prefetchable: true
            bar 1, size: 2 * MiB, kind: 'mem32'
        }
        (3..6).each { int bus ->
            sys.device("0000:0$bus:00.0") {
                vendor 0x19e5; device 0x1822; revision 0x45; classCode 0x020000
                subsystem 0x19e5, 0xd129                                   // illustrative
                driver 'hinic'; iommuGroup 3 + bus; numaNode 0
                bar 0, size: 128 * KiB, kind: 'mem64', prefetchable: true
                bar 2, size: 32 * KiB, kind: 'mem64', prefetchable: true
                bar 4, size: 1 * MiB, kind: 'mem64', prefetchable: true
                if (bus == 3) {
                    sriov totalVfs: 16
                }
            }
        }
        (1..4).each { int fn ->
            sys.device("0000:03:00.$fn") {
                physfn '0000:03:00.0'
                vendor 0x19e5; device 0x375e; revision 0x45; classCode 0x020000
                subsystem 0x19e5, 0xd129                                   // illustrative
                driver 'hinic'; iommuGroup 9 + fn; numaNode 0
                bar 0, size: 32 * KiB, kind: 'mem64', prefetchable: true
                bar 2, size: 8 * KiB, kind: 'mem64', prefetchable: true
                bar 4, size: 64 * KiB, kind: 'mem64', prefetchable: true
            }
        }
        sys
    }

    /**
     * The VFIO notes on a Xiaomi laptop (seed 002): its full lspci list. The GeForce MX150 (10de:1d12, class 0302,
     * rev ff as lspci showed it) at 01:00.0 sits behind root port 00:1c.0 in IOMMU group 11, exactly as the seed's
     * readlink output shows; the seed's QEMU error puts 00:1f.3 in group 10, which it shares with the other 00:1f
     * functions. Two NVMe SSDs (ADATA 1cc1:0021 at 02:00.0, Samsung SM961 144d:a804 at 04:00.0) are bound to nvme:
     * the negative cases for a storage device and for the PCI bridges. Intel ids not in the seed, the bridge of
     * each bus other than 01, other group numbers and all BARs are illustrative.
     */
    static FakeSysfs laptopWithBridgesAndNvme(Path dir) {
        def sys = new FakeSysfs(dir)
        def plain = { String bdf, int dev, int cls, int rev, String drv, int group ->
            sys.device(bdf) {
                vendor 0x8086; device dev; classCode cls; revision rev; iommuGroup group
                if (drv) { driver drv }
            }
        }
        plain('0000:00:00.0', 0x5914, 0x060000, 0x08, 'skl_uncore', 0)
        plain('0000:00:02.0', 0x5917, 0x030000, 0x07, 'i915', 1)
        plain('0000:00:08.0', 0x1911, 0x088000, 0x00, null, 2)
        plain('0000:00:14.0', 0x9d2f, 0x0c0330, 0x21, 'xhci_hcd', 3)
        plain('0000:00:14.2', 0x9d31, 0x118000, 0x21, 'intel_pch_thermal', 3)
        plain('0000:00:15.0', 0x9d60, 0x118000, 0x21, 'intel-lpss', 4)
        plain('0000:00:15.1', 0x9d61, 0x118000, 0x21, 'intel-lpss', 4)
        plain('0000:00:16.0', 0x9d3a, 0x078000, 0x21, 'mei_me', 5)
        [['0000:00:1c.0', 0x9d10, 6], ['0000:00:1c.4', 0x9d14, 7], ['0000:00:1c.7', 0x9d17, 8],
         ['0000:00:1d.0', 0x9d18, 9]].each { String bdf, int dev, int group ->
            sys.device(bdf) { rootPort(delegate, dev); iommuGroup group }
        }
        plain('0000:00:1f.0', 0x9d4e, 0x060100, 0x21, null, 10)
        plain('0000:00:1f.2', 0x9d21, 0x058000, 0x21, null, 10)
        plain('0000:00:1f.3', 0x9d71, 0x040300, 0x21, 'snd_hda_intel', 10)
        plain('0000:00:1f.4', 0x9d23, 0x0c0500, 0x21, 'i801_smbus', 10)
        sys.device('0000:01:00.0') {
            parent '0000:00:1c.0'
            vendor 0x10de; device 0x1d12; revision 0xff; classCode 0x030200
            driver 'nvidia'; iommuGroup 11
            bar 0, size: 16 * MiB, kind: 'mem32'
            bar 1, size: 256 * MiB, kind: 'mem64', prefetchable: true
            bar 3, size: 32 * MiB, kind: 'mem64', prefetchable: true
            bar 5, size: 128, kind: 'io'
        }
        sys.device('0000:02:00.0') {
            parent '0000:00:1c.4'
            vendor 0x1cc1; device 0x0021; revision 0x01; classCode 0x010802
            driver 'nvme'; iommuGroup 12
            bar 0, size: 16 * KiB, kind: 'mem64'
        }
        sys.device('0000:03:00.0') {
            parent '0000:00:1c.7'
            vendor 0x8086; device 0x24fd; revision 0x78; classCode 0x028000
            driver 'iwlwifi'; iommuGroup 13
            bar 0, size: 8 * KiB, kind: 'mem64'
        }
        sys.device('0000:04:00.0') {
            parent '0000:00:1d.0'
            vendor 0x144d; device 0xa804; revision 0x00; classCode 0x010802
            driver 'nvme'; iommuGroup 14
            bar 0, size: 16 * KiB, kind: 'mem64'
        }
        sys
    }

    /** An Intel PCIe root port: a type 1 header in a multi-function slot, bound to pcieport. */
    private static void rootPort(FakeSysfs.DeviceSpec d, int deviceId) {
        d.vendor 0x8086
        d.device deviceId
        d.revision 0xf1
        d.classCode 0x060400
        d.headerType 0x81
        d.driver 'pcieport'
    }
}
