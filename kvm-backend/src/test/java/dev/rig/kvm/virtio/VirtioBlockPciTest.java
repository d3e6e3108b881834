package dev.rig.kvm.virtio;

import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.pci.MsiDelivery;
import dev.rig.kvm.pci.MsixTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.rig.kvm.virtio.TestVirtioDriver.*;
import static org.junit.jupiter.api.Assertions.*;

class VirtioBlockPciTest {
    private static final long FEATURES = Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(VirtioBlock.F_FLUSH)
            | Virtio.bit(VirtioBlock.F_BLK_SIZE) | Virtio.bit(VirtioBlock.F_SEG_MAX);

    @TempDir Path dir;
    private final GuestMemory memory = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), 1 << 20)));
    private final List<Boolean> intx = new ArrayList<>();
    private final List<String> msi = new ArrayList<>();
    private VirtioBlock block;
    private VirtioPciDevice device;
    private TestVirtioDriver driver;
    private Path image;

    @AfterEach
    void close() throws IOException {
        if (block != null) block.close();
        memory.close();
    }

    private void start(boolean readOnly, int sectors) throws IOException {
        image = dir.resolve("disk.img");
        byte[] initial = new byte[sectors * 512];
        for (int i = 0; i < initial.length; i++) initial[i] = (byte) (i / 512);   // sector n is full of n
        Files.write(image, initial);
        block = VirtioBlock.open(image, readOnly, "rig-disk-0");
        device = new VirtioPciDevice(block, memory, intx::add);
        device.setMsiDelivery((vector, address, data) -> msi.add(vector + "@" + Long.toHexString(address) + "=" + Integer.toHexString(data)));
        driver = new TestVirtioDriver(memory, device);
        driver.probe();
    }

    /** The usual bring-up: negotiate, queue 0 of 16 entries, DRIVER_OK. */
    private void bringUp(long features, int vector) {
        assertTrue(driver.negotiate(features));
        driver.setUpQueue(16, vector);
        driver.driverOk();
        assertEquals(0, driver.status() & Virtio.STATUS_NEEDS_RESET);
    }

    private byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) (i * 7 + seed);
        return b;
    }

    private byte[] guestBytes(long gpa, int len) {
        return driver.seg(gpa, len).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void pciIdentityAndStructuresAreWhereLinuxLooks() throws IOException {
        start(false, 8);
        assertEquals(0x1042_1af4L, driver.cfgRead(0, 4));
        assertEquals(1, driver.cfgRead(0x08, 1), "revision 1: modern only");
        assertEquals(0x1100_1af4L, driver.cfgRead(0x2c, 4));
        assertEquals(1, driver.cfgRead(0x3d, 1), "INTA");
        assertEquals(VirtioPciDevice.COMMON_OFFSET, driver.common);
        assertEquals(VirtioPciDevice.NOTIFY_OFFSET, driver.notify);
        assertEquals(4, driver.notifyMultiplier);
        assertEquals(VirtioPciDevice.ISR_OFFSET, driver.isr);
        assertEquals(VirtioPciDevice.DEVICE_CFG_OFFSET, driver.deviceCfg);
        assertTrue(driver.msixCap > 0);
        assertEquals(1, driver.cfgRead(driver.msixCap + 2, 2) & 0x7ff, "two vectors: config + queue 0");
        assertEquals(BAR + VirtioPciDevice.NOTIFY_OFFSET, device.notifyAddress(0));
        // Device config: capacity, seg_max, blk_size.
        assertEquals(8, driver.bar(driver.deviceCfg, 8));
        assertEquals(VirtioBlock.SEG_MAX, driver.bar(driver.deviceCfg + 12, 4));
        assertEquals(512, driver.bar(driver.deviceCfg + 20, 4));
        assertEquals(1, driver.bar(VirtioPciDevice.COMMON_OFFSET + VirtioPciDevice.NUM_QUEUES, 2));
    }

    @Test
    void featureNegotiationRequiresVersion1AndOfferedBitsOnly() throws IOException {
        start(false, 8);
        long offered = driver.deviceFeatures();
        assertNotEquals(0, offered & Virtio.bit(Virtio.F_VERSION_1));
        assertNotEquals(0, offered & Virtio.bit(VirtioBlock.F_FLUSH));
        assertEquals(0, offered & Virtio.bit(VirtioBlock.F_RO));
        assertFalse(driver.negotiate(Virtio.bit(VirtioBlock.F_FLUSH)), "legacy driver refused");
        assertFalse(driver.negotiate(Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(40)), "unoffered bit refused");
        assertTrue(driver.negotiate(FEATURES));
        assertEquals(FEATURES, device.driverFeatures());
    }

    @Test
    void writesASectorReadsItBackAndTheImageHoldsIt() throws IOException {
        start(false, 8);
        bringUp(FEATURES, MsixTable.NO_VECTOR);
        byte[] data = pattern(1024, 3);
        driver.seg(DATA, 1024).copyFrom(java.lang.foreign.MemorySegment.ofArray(data));
        driver.submit(driver.blkChain(VirtioBlock.T_OUT, 2, DATA, 1024, false));
        assertEquals(1, driver.usedIdx());
        assertEquals(1, driver.used(0)[1], "only the status byte was written");
        assertEquals(VirtioBlock.S_OK, driver.blkStatus());

        byte[] onDisk = Files.readAllBytes(image);
        assertArrayEquals(data, Arrays.copyOfRange(onDisk, 1024, 2048));
        assertEquals(1, onDisk[512], "sector 1 untouched");
        assertEquals(4, onDisk[2048], "sector 4 untouched");

        driver.seg(DATA + 0x1000, 1536).fill((byte) 0);
        int head = driver.blkChain(VirtioBlock.T_IN, 1, DATA + 0x1000, 1536, true);
        driver.submit(head);
        assertEquals(2, driver.usedIdx());
        assertEquals(head, driver.used(1)[0]);
        assertEquals(1537, driver.used(1)[1], "data plus status");
        assertEquals(VirtioBlock.S_OK, driver.blkStatus());
        byte[] back = guestBytes(DATA + 0x1000, 1536);
        assertTrue(Arrays.equals(back, 512, 1536, data, 0, 1024));
        for (int i = 0; i < 512; i++) assertEquals(1, back[i]);
    }

    @Test
    void flushGetIdUnsupportedAndOutOfRange() throws IOException {
        start(false, 8);
        bringUp(FEATURES, MsixTable.NO_VECTOR);
        driver.submit(driver.blkChain(VirtioBlock.T_FLUSH, 0, 0, 0, false));
        assertEquals(VirtioBlock.S_OK, driver.blkStatus());

        driver.seg(DATA, 20).fill((byte) 0x55);
        driver.submit(driver.blkChain(VirtioBlock.T_GET_ID, 0, DATA, 20, true));
        assertEquals(VirtioBlock.S_OK, driver.blkStatus());
        assertEquals(21, driver.used(1)[1]);
        byte[] id = guestBytes(DATA, 20);
        assertEquals("rig-disk-0", new String(id, 0, 10, StandardCharsets.US_ASCII));
        assertEquals(0, id[10], "shorter ids are NUL padded");

        driver.submit(driver.blkChain(99, 0, 0, 0, false));
        assertEquals(VirtioBlock.S_UNSUPP, driver.blkStatus());

        driver.submit(driver.blkChain(VirtioBlock.T_IN, 7, DATA, 1024, true));
        assertEquals(VirtioBlock.S_IOERR, driver.blkStatus(), "sectors 7-8 of an 8-sector disk");
        driver.submit(driver.blkChain(VirtioBlock.T_IN, 0, DATA, 100, true));
        assertEquals(VirtioBlock.S_IOERR, driver.blkStatus(), "not a whole sector");
        assertEquals(5, driver.usedIdx());
    }

    @Test
    void readOnlyImageOffersRoAndRefusesWrites() throws IOException {
        start(true, 4);
        assertNotEquals(0, driver.deviceFeatures() & Virtio.bit(VirtioBlock.F_RO));
        bringUp(FEATURES | Virtio.bit(VirtioBlock.F_RO), MsixTable.NO_VECTOR);
        byte[] before = Files.readAllBytes(image);
        driver.seg(DATA, 512).fill((byte) 0xee);
        driver.submit(driver.blkChain(VirtioBlock.T_OUT, 0, DATA, 512, false));
        assertEquals(VirtioBlock.S_IOERR, driver.blkStatus());
        assertArrayEquals(before, Files.readAllBytes(image));
        driver.submit(driver.blkChain(VirtioBlock.T_IN, 3, DATA, 512, true));
        assertEquals(VirtioBlock.S_OK, driver.blkStatus(), "reads still work");
        assertEquals(3, guestBytes(DATA, 512)[100]);
    }

    @Test
    void chainPointingOutsideRamIsSkippedAndTheQueueKeepsWorking() throws IOException {
        start(false, 8);
        bringUp(FEATURES, MsixTable.NO_VECTOR);
        int bad = driver.blkChain(VirtioBlock.T_IN, 0, 0x4000_0000L, 512, true);   // 1 GiB: no RAM there
        driver.submit(bad);
        assertEquals(1, driver.usedIdx());
        assertArrayEquals(new int[] {bad, 0}, driver.used(0));
        assertEquals(0x7f, driver.blkStatus(), "nothing written for a skipped chain");
        // A descriptor index beyond the table is skipped the same way.
        driver.writeHeader(VirtioBlock.T_FLUSH, 0);
        driver.descriptor(DESC, 5, HEADER, 16, Virtio.DESC_F_NEXT, 200);
        driver.submit(5);
        assertArrayEquals(new int[] {5, 0}, driver.used(1));
        assertEquals(0, driver.status() & Virtio.STATUS_NEEDS_RESET);

        driver.submit(driver.blkChain(VirtioBlock.T_IN, 6, DATA, 512, true));
        assertEquals(VirtioBlock.S_OK, driver.blkStatus());
        assertEquals(6, guestBytes(DATA, 512)[0]);
    }

    @Test
    void brokenAvailRingSetsNeedsResetAndInterruptsConfig() throws IOException {
        start(false, 8);
        bringUp(FEATURES, MsixTable.NO_VECTOR);
        driver.seg(AVAIL + 2, 2).set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 100);   // 100 > queue size 16
        driver.bar(driver.notify, 2, 0);
        assertNotEquals(0, driver.status() & Virtio.STATUS_NEEDS_RESET);
        assertEquals(Virtio.ISR_CONFIG, driver.bar(driver.isr, 1));
    }

    @Test
    void indirectDescriptorTable() throws IOException {
        start(false, 8);
        bringUp(FEATURES | Virtio.bit(Virtio.F_RING_INDIRECT_DESC), MsixTable.NO_VECTOR);
        driver.writeHeader(VirtioBlock.T_IN, 5);
        driver.descriptor(INDIRECT, 0, HEADER, 16, Virtio.DESC_F_NEXT, 1);
        driver.descriptor(INDIRECT, 1, DATA, 256, Virtio.DESC_F_NEXT | Virtio.DESC_F_WRITE, 2);
        driver.descriptor(INDIRECT, 2, DATA + 0x800, 256, Virtio.DESC_F_NEXT | Virtio.DESC_F_WRITE, 3);
        driver.descriptor(INDIRECT, 3, STATUS, 1, Virtio.DESC_F_WRITE, 0);
        driver.descriptor(DESC, 0, INDIRECT, 64, Virtio.DESC_F_INDIRECT, 0);
        driver.submit(0);
        assertEquals(VirtioBlock.S_OK, driver.blkStatus());
        assertEquals(513, driver.used(0)[1]);
        assertEquals(5, guestBytes(DATA, 256)[0]);
        assertEquals(5, guestBytes(DATA + 0x800, 256)[255]);
    }

    @Test
    void statusZeroResetsTheDevice() throws IOException {
        start(false, 8);
        bringUp(FEATURES, 0);
        driver.setStatus(0);
        assertEquals(0, driver.status());
        driver.bar(VirtioPciDevice.COMMON_OFFSET + VirtioPciDevice.QUEUE_SELECT, 2, 0);
        assertEquals(0, driver.bar(VirtioPciDevice.QUEUE_ENABLE, 2));
        assertEquals(VirtioBlock.QUEUE_SIZE, driver.bar(VirtioPciDevice.QUEUE_SIZE, 2));
        assertEquals(0, driver.bar(VirtioPciDevice.QUEUE_DESC, 4));
        assertEquals(MsixTable.NO_VECTOR, driver.bar(VirtioPciDevice.QUEUE_MSIX_VECTOR, 2));
        // Notifications after reset do nothing; a fresh bring-up works.
        driver.bar(driver.notify, 2, 0);
        bringUp(FEATURES, MsixTable.NO_VECTOR);
        driver.submit(driver.blkChain(VirtioBlock.T_IN, 2, DATA, 512, true));
        assertEquals(VirtioBlock.S_OK, driver.blkStatus());
    }

    @Test
    void intxAndReadToClearIsr() throws IOException {
        start(false, 8);
        bringUp(FEATURES, MsixTable.NO_VECTOR);
        driver.submit(driver.blkChain(VirtioBlock.T_FLUSH, 0, 0, 0, false));
        assertEquals(List.of(true), intx);
        assertEquals(Virtio.ISR_QUEUE, driver.bar(driver.isr, 1));
        assertEquals(List.of(true, false), intx, "reading ISR deasserts INTx");
        assertEquals(0, driver.bar(driver.isr, 1), "and clears it");
        // INTx disable in the command register masks the line; clearing it shows the pending interrupt again.
        driver.cfgWrite(0x04, 2, 0x6 | 0x400);
        driver.submit(driver.blkChain(VirtioBlock.T_FLUSH, 0, 0, 0, false));
        assertEquals(List.of(true, false), intx);
        driver.cfgWrite(0x04, 2, 0x6);
        assertEquals(List.of(true, false, true), intx);
        assertEquals(Virtio.ISR_QUEUE, driver.bar(driver.isr, 1));
        assertEquals(List.of(true, false, true, false), intx);
        // The driver can suppress interrupts with VIRTQ_AVAIL_F_NO_INTERRUPT.
        driver.seg(AVAIL, 2).set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Virtio.AVAIL_F_NO_INTERRUPT);
        driver.submit(driver.blkChain(VirtioBlock.T_FLUSH, 0, 0, 0, false));
        assertEquals(List.of(true, false, true, false), intx);
        assertTrue(msi.isEmpty());
    }

    @Test
    void msixVectorsDeliverAndHonourMasks() throws IOException {
        start(false, 8);
        int ctl = driver.msixCap + 2;
        driver.cfgWrite(ctl, 2, 0x8000 | 0x4000);   // enable with the function masked, as Linux does
        long entry1 = VirtioPciDevice.MSIX_TABLE_OFFSET + 16;
        driver.bar(entry1, 4, 0xfee0_0000L);
        driver.bar(entry1 + 4, 4, 0);
        driver.bar(entry1 + 8, 4, 0x4041);
        driver.bar(entry1 + 12, 4, 0);              // unmask the entry
        driver.cfgWrite(ctl, 2, 0x8000);            // unmask the function
        driver.bar(VirtioPciDevice.COMMON_OFFSET + VirtioPciDevice.MSIX_CONFIG, 2, 0);
        assertEquals(0, driver.bar(VirtioPciDevice.MSIX_CONFIG, 2));
        driver.bar(VirtioPciDevice.COMMON_OFFSET + VirtioPciDevice.MSIX_CONFIG, 2, 7);
        assertEquals(MsixTable.NO_VECTOR, driver.bar(VirtioPciDevice.MSIX_CONFIG, 2), "no vector 7: read back says so");
        bringUp(FEATURES, 1);

        driver.submit(driver.blkChain(VirtioBlock.T_FLUSH, 0, 0, 0, false));
        assertEquals(List.of("1@fee00000=4041"), msi);
        assertTrue(intx.isEmpty(), "no INTx while MSI-X is on");
        assertEquals(0, driver.bar(driver.isr, 1));

        driver.bar(entry1 + 12, 4, 1);              // mask: the interrupt becomes pending
        driver.submit(driver.blkChain(VirtioBlock.T_FLUSH, 0, 0, 0, false));
        assertEquals(1, msi.size());
        assertEquals(0b10, driver.bar(VirtioPciDevice.MSIX_PBA_OFFSET, 8));
        driver.bar(entry1 + 12, 4, 0);              // unmask: delivered, pending bit cleared
        assertEquals(List.of("1@fee00000=4041", "1@fee00000=4041"), msi);
        assertEquals(0, driver.bar(VirtioPciDevice.MSIX_PBA_OFFSET, 8));
        assertEquals(0x4041, driver.bar(entry1 + 8, 4));
    }

    @Test
    void eventIdxSuppressesInterruptsUntilUsedEventIsPassed() throws IOException {
        start(false, 8);
        bringUp(FEATURES | Virtio.bit(Virtio.F_RING_EVENT_IDX), MsixTable.NO_VECTOR);
        // used_event (after the avail ring) = 1: interrupt only once the used index passes 1.
        driver.seg(AVAIL + 4 + 2L * 16, 2).set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 1);
        driver.submit(driver.blkChain(VirtioBlock.T_FLUSH, 0, 0, 0, false));
        assertEquals(List.of(), intx);
        driver.submit(driver.blkChain(VirtioBlock.T_FLUSH, 0, 0, 0, false));
        assertEquals(List.of(true), intx);
        assertEquals(2, driver.seg(USED + 4 + 8L * 16, 2).get(ValueLayout.JAVA_SHORT_UNALIGNED, 0),
                "avail_event asks for a notification at the next entry");
    }
}
