// vfio-edu: drives QEMU's "edu" PCI device (1234:11e8) through the kernel's VFIO type1 API and checks that
// it works end to end: container/group/device, BAR0 mmap, register access, DMA both ways through the IOMMU,
// MSI delivered to an eventfd. Part of scripts/lab (the lab's "vfio-dma" check).
//
// usage: vfio-edu BDF        (e.g. 0000:00:03.0; the device must be bound to vfio-pci)
// exit:  0 when every step passed, 1 when one failed, 2 on bad usage.
//
// Facts about edu (QEMU 7.2) relied on here: BAR0 is 1 MiB; 0x00 ident 0x010000ed; 0x04 returns the inverse of
// what was written; 0x08 factorial; 0x20 status (bit0 busy); 0x24/0x60/0x64 interrupt status/raise/ack;
// 0x80/0x88/0x90/0x98 DMA source/destination/count/command; the device buffer lives at 0x40000; DMA addresses
// are masked to 28 bits and a transfer of 4096 bytes or more aborts QEMU, so keep IOVAs low and transfers small.
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/vfio.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define EDU_IDENT 0x00
#define EDU_LIVENESS 0x04
#define EDU_FACTORIAL 0x08
#define EDU_STATUS 0x20
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START 1u
#define EDU_DMA_TO_RAM 2u
#define EDU_BUFFER 0x40000u

#define DMA_IOVA 0x100000ull  // well below edu's 28-bit DMA mask
#define DMA_SIZE 0x10000ul    // mapped window
#define DMA_LEN 3000u         // bytes moved each way (< 4096, see above)

static int failures;
static volatile uint8_t *bar0;

static int step(int ok, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("  %s ", ok ? "ok  " : "FAIL");
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    if (!ok) failures++;
    return ok;
}

static uint32_t rd32(uint32_t off) { return *(volatile uint32_t *)(bar0 + off); }
static void wr32(uint32_t off, uint32_t v) { *(volatile uint32_t *)(bar0 + off) = v; }
static void wr64(uint32_t off, uint64_t v) { *(volatile uint64_t *)(bar0 + off) = v; }

// Polls until (read(off) & mask) == 0, for up to five seconds.
static int wait_clear(uint32_t off, uint32_t mask) {
    for (int i = 0; i < 5000; i++) {
        if (!(rd32(off) & mask)) return 1;
        usleep(1000);
    }
    return 0;
}

static int finish(void) {
    printf("vfio-edu: %s (%d failed)\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BDF\n", argv[0]);
        return 2;
    }
    const char *bdf = argv[1];
    char path[256], target[256];
    printf("vfio-edu: device %s\n", bdf);

    snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/iommu_group", bdf);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (!step(n > 0, "iommu group link %s", path)) return finish();
    target[n] = 0;
    const char *group_name = basename(target);

    int container = open("/dev/vfio/vfio", O_RDWR);
    if (!step(container >= 0, "open /dev/vfio/vfio: %s", container >= 0 ? "fd" : strerror(errno))) return finish();
    step(ioctl(container, VFIO_GET_API_VERSION) == VFIO_API_VERSION, "VFIO_GET_API_VERSION");
    step(ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1, "type1v2 IOMMU supported");

    snprintf(path, sizeof path, "/dev/vfio/%s", group_name);
    int group = open(path, O_RDWR);
    if (!step(group >= 0, "open %s%s%s", path, group >= 0 ? "" : ": ", group >= 0 ? "" : strerror(errno)))
        return finish();
    struct vfio_group_status status = {.argsz = sizeof status};
    int r = ioctl(group, VFIO_GROUP_GET_STATUS, &status);
    step(r == 0 && (status.flags & VFIO_GROUP_FLAGS_VIABLE), "group %s viable", group_name);
    r = ioctl(group, VFIO_GROUP_SET_CONTAINER, &container);
    if (!step(r == 0, "VFIO_GROUP_SET_CONTAINER %s", r ? strerror(errno) : "")) return finish();
    r = ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
    if (!step(r == 0, "VFIO_SET_IOMMU type1v2 %s", r ? strerror(errno) : "")) return finish();

    int device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
    if (!step(device >= 0, "VFIO_GROUP_GET_DEVICE_FD %s", device >= 0 ? "" : strerror(errno))) return finish();
    struct vfio_device_info info = {.argsz = sizeof info};
    r = ioctl(device, VFIO_DEVICE_GET_INFO, &info);
    step(r == 0 && (info.flags & VFIO_DEVICE_FLAGS_PCI), "PCI device: %u regions, %u irq indexes, reset %s",
         info.num_regions, info.num_irqs, (info.flags & VFIO_DEVICE_FLAGS_RESET) ? "offered" : "not offered");

    struct vfio_region_info config = {.argsz = sizeof config, .index = VFIO_PCI_CONFIG_REGION_INDEX};
    struct vfio_region_info region = {.argsz = sizeof region, .index = VFIO_PCI_BAR0_REGION_INDEX};
    r = ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &config) | ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &region);
    if (!step(r == 0 && (region.flags & VFIO_REGION_INFO_FLAG_MMAP) && region.size >= 0x100000,
              "BAR0 %llu KiB, mmap-able", (unsigned long long)region.size >> 10))
        return finish();

    // Memory decoding and bus mastering on (PCI command register, config space offset 4).
    uint16_t command = 0;
    r = pread(device, &command, 2, config.offset + 4) == 2 ? 0 : -1;
    command |= 0x6;
    r |= pwrite(device, &command, 2, config.offset + 4) == 2 ? 0 : -1;
    step(r == 0, "PCI command 0x%x (memory + bus master)", command);

    void *map = mmap(NULL, region.size, PROT_READ | PROT_WRITE, MAP_SHARED, device, region.offset);
    if (!step(map != MAP_FAILED, "mmap BAR0 %s", map == MAP_FAILED ? strerror(errno) : "")) return finish();
    bar0 = map;

    uint32_t v = rd32(EDU_IDENT);
    step(v == 0x010000ed, "ident 0x%08x", v);
    wr32(EDU_LIVENESS, 0x12345678);
    v = rd32(EDU_LIVENESS);
    step(v == ~0x12345678u, "liveness 0x%08x", v);
    wr32(EDU_FACTORIAL, 10);
    wait_clear(EDU_STATUS, 1);
    v = rd32(EDU_FACTORIAL);
    step(v == 3628800, "factorial(10) = %u", v);

    // DMA: RAM -> device buffer -> RAM, through the IOMMU mapping made here.
    uint8_t *buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!step(buf != MAP_FAILED, "DMA buffer")) return finish();
    for (unsigned i = 0; i < DMA_LEN; i++) buf[i] = (uint8_t)(i * 13 + 7);
    struct vfio_iommu_type1_dma_map dma = {.argsz = sizeof dma,
                                           .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
                                           .vaddr = (uintptr_t)buf, .iova = DMA_IOVA, .size = DMA_SIZE};
    r = ioctl(container, VFIO_IOMMU_MAP_DMA, &dma);
    if (!step(r == 0, "VFIO_IOMMU_MAP_DMA iova 0x%llx %s", DMA_IOVA, r ? strerror(errno) : "")) return finish();
    wr64(EDU_DMA_SRC, DMA_IOVA);
    wr64(EDU_DMA_DST, EDU_BUFFER);
    wr64(EDU_DMA_COUNT, DMA_LEN);
    wr64(EDU_DMA_CMD, EDU_DMA_START);
    step(wait_clear(EDU_DMA_CMD, EDU_DMA_START), "DMA RAM -> device (%u bytes)", DMA_LEN);
    wr64(EDU_DMA_SRC, EDU_BUFFER);
    wr64(EDU_DMA_DST, DMA_IOVA + 0x8000);
    wr64(EDU_DMA_COUNT, DMA_LEN);
    wr64(EDU_DMA_CMD, EDU_DMA_START | EDU_DMA_TO_RAM);
    step(wait_clear(EDU_DMA_CMD, EDU_DMA_START), "DMA device -> RAM (%u bytes)", DMA_LEN);
    step(memcmp(buf, buf + 0x8000, DMA_LEN) == 0, "DMA round trip data matches");

    // MSI: one vector on an eventfd; edu raises it on a write to 0x60.
    struct vfio_irq_info irq = {.argsz = sizeof irq, .index = VFIO_PCI_MSI_IRQ_INDEX};
    r = ioctl(device, VFIO_DEVICE_GET_IRQ_INFO, &irq);
    if (step(r == 0 && irq.count >= 1, "MSI irq index: %u vectors", irq.count)) {
        int efd = eventfd(0, EFD_NONBLOCK);
        char raw[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
        struct vfio_irq_set *set = (struct vfio_irq_set *)raw;
        *set = (struct vfio_irq_set){.argsz = sizeof raw, .index = VFIO_PCI_MSI_IRQ_INDEX, .start = 0, .count = 1,
                                     .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER};
        memcpy(set->data, &efd, sizeof efd);
        r = ioctl(device, VFIO_DEVICE_SET_IRQS, set);
        step(r == 0, "VFIO_DEVICE_SET_IRQS MSI -> eventfd %s", r ? strerror(errno) : "");
        wr32(EDU_IRQ_RAISE, 0x100);
        struct pollfd pfd = {.fd = efd, .events = POLLIN};
        uint64_t count = 0;
        if (poll(&pfd, 1, 5000) == 1 && read(efd, &count, sizeof count) != sizeof count) count = 0;
        step(count >= 1, "MSI delivered (irq status 0x%x)", rd32(EDU_IRQ_STATUS));
        wr32(EDU_IRQ_ACK, rd32(EDU_IRQ_STATUS));
        *set = (struct vfio_irq_set){.argsz = sizeof *set, .index = VFIO_PCI_MSI_IRQ_INDEX, .count = 0,
                                     .flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER};
        ioctl(device, VFIO_DEVICE_SET_IRQS, set);
        close(efd);
    }

    struct vfio_iommu_type1_dma_unmap unmap = {.argsz = sizeof unmap, .iova = DMA_IOVA, .size = DMA_SIZE};
    r = ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap);
    step(r == 0, "VFIO_IOMMU_UNMAP_DMA");
    munmap(map, region.size);
    close(device);
    close(group);
    close(container);
    return finish();
}
