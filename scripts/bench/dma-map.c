/*
 * Reference for `rig bench dma`: the VFIO calls Rig makes to set up a device and map guest RAM for DMA, in plain C,
 * phase by phase as dev.rig.vfio does them (VfioContainer.open, VfioContainer.group, VfioGroup.device, mapDma,
 * unmapDma, close), so each phase's time compares with Rig's.
 *
 * Usage: dma-map BDF GROUP CHUNKS IOVA:SIZE[@OFFSET]...
 *   CHUNKS  comma-separated map granularities in bytes, 0 = one VFIO_IOMMU_MAP_DMA per RAM range
 *   IOVA:SIZE  the guest RAM ranges (hex IOVA = guest physical address, size in bytes), each backed by its own
 *              anonymous mapping as Rig's GuestMemory does; every page is touched once before the first round so
 *              the rounds time pinning and IOMMU mapping, not page faults.
 *   @OFFSET    (hex) where in a 2 MiB page the mapping must start: Rig passes its own mappings' offsets, because
 *              with transparent huge pages that decides which pages are huge and whether the IOMMU can map 2 MiB
 *              at once, i.e. the kernel's work; equal offsets make that work the same on both sides.
 * Prints "ready" with each mapping's offset in a 2 MiB page, then for each line "round" on stdin one line of
 * nanoseconds:
 *   container N group N iommu N device N info N map<i> N unmap<i> N ... close N calls<i> N ...
 * The group must be free between rounds (only one container may hold it), so each round opens and closes it all.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_RANGES 8
#define MAX_CHUNKS 4
#define HUGE (2ull << 20)

struct range { uint64_t iova, size; uint8_t *host; };

static struct range ranges[MAX_RANGES];
static int nranges;
static uint64_t chunks[MAX_CHUNKS];
static int nchunks;

static void die(const char *what) { fprintf(stderr, "dma-map: %s: %s\n", what, strerror(errno)); exit(2); }

static int64_t now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* VFIO_DEVICE_GET_REGION_INFO as Rig reads it: again with the size the kernel asks for when it has capabilities. */
static void region_info(int device, uint32_t index) {
    struct vfio_region_info fixed = {.argsz = sizeof fixed, .index = index};
    if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &fixed) < 0) {
        if (errno == EINVAL) return;  /* not implemented (e.g. VGA) */
        die("VFIO_DEVICE_GET_REGION_INFO");
    }
    if ((fixed.flags & VFIO_REGION_INFO_FLAG_CAPS) && fixed.argsz > sizeof fixed) {
        struct vfio_region_info *full = calloc(1, fixed.argsz);
        if (!full) die("calloc");
        full->argsz = fixed.argsz;
        full->index = index;
        if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, full) < 0) die("VFIO_DEVICE_GET_REGION_INFO (caps)");
        free(full);
    }
}

static void round_once(const char *bdf, int group_no) {
    char path[64];
    int64_t t0 = now();
    int container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
    if (container < 0) die("/dev/vfio/vfio");
    if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) die("VFIO_GET_API_VERSION");
    if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) die("VFIO_CHECK_EXTENSION");
    int64_t t1 = now();
    snprintf(path, sizeof path, "/dev/vfio/%d", group_no);
    int group = open(path, O_RDWR | O_CLOEXEC);
    if (group < 0) die(path);
    struct vfio_group_status status = {.argsz = sizeof status};
    if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) < 0) die("VFIO_GROUP_GET_STATUS");
    if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) { fprintf(stderr, "dma-map: group not viable\n"); exit(2); }
    if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0) die("VFIO_GROUP_SET_CONTAINER");
    int64_t t2 = now();
    if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0) die("VFIO_SET_IOMMU");
    int64_t t3 = now();
    int device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
    if (device < 0) die("VFIO_GROUP_GET_DEVICE_FD");
    int64_t t4 = now();
    struct vfio_device_info info = {.argsz = sizeof info};
    if (ioctl(device, VFIO_DEVICE_GET_INFO, &info) < 0) die("VFIO_DEVICE_GET_INFO");
    for (uint32_t i = 0; i < info.num_regions; i++) region_info(device, i);
    for (uint32_t i = 0; i < info.num_irqs; i++) {
        struct vfio_irq_info irq = {.argsz = sizeof irq, .index = i};
        if (ioctl(device, VFIO_DEVICE_GET_IRQ_INFO, &irq) < 0 && errno != EINVAL) die("VFIO_DEVICE_GET_IRQ_INFO");
    }
    int64_t t5 = now();
    printf("container %lld group %lld iommu %lld device %lld info %lld", (long long)(t1 - t0), (long long)(t2 - t1),
           (long long)(t3 - t2), (long long)(t4 - t3), (long long)(t5 - t4));

    for (int c = 0; c < nchunks; c++) {
        int calls = 0;
        int64_t m0 = now();
        for (int r = 0; r < nranges; r++) {
            uint64_t step = chunks[c] ? chunks[c] : ranges[r].size;
            for (uint64_t off = 0; off < ranges[r].size; off += step) {
                struct vfio_iommu_type1_dma_map map = {.argsz = sizeof map,
                        .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
                        .vaddr = (uint64_t)(ranges[r].host + off), .iova = ranges[r].iova + off,
                        .size = ranges[r].size - off < step ? ranges[r].size - off : step};
                if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map) < 0) die("VFIO_IOMMU_MAP_DMA");
                calls++;
            }
        }
        int64_t m1 = now();
        for (int r = 0; r < nranges; r++) {
            uint64_t step = chunks[c] ? chunks[c] : ranges[r].size;
            for (uint64_t off = 0; off < ranges[r].size; off += step) {
                struct vfio_iommu_type1_dma_unmap unmap = {.argsz = sizeof unmap, .iova = ranges[r].iova + off,
                        .size = ranges[r].size - off < step ? ranges[r].size - off : step};
                if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0) die("VFIO_IOMMU_UNMAP_DMA");
            }
        }
        int64_t m2 = now();
        printf(" map%d %lld unmap%d %lld calls%d %d", c, (long long)(m1 - m0), c, (long long)(m2 - m1), c, calls);
    }
    int64_t c0 = now();
    close(device);
    close(group);
    close(container);
    printf(" close %lld\n", (long long)(now() - c0));
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s BDF GROUP CHUNKS IOVA:SIZE...\n", argv[0]);
        return 2;
    }
    const char *bdf = argv[1];
    int group_no = atoi(argv[2]);
    for (char *c = strtok(argv[3], ","); c && nchunks < MAX_CHUNKS; c = strtok(NULL, ",")) chunks[nchunks++] = strtoull(c, NULL, 0);
    for (int i = 4; i < argc && nranges < MAX_RANGES; i++) {
        char *colon = strchr(argv[i], ':');
        if (!colon) { fprintf(stderr, "dma-map: bad range %s\n", argv[i]); return 2; }
        char *at = strchr(argv[i], '@');
        uint64_t size = strtoull(colon + 1, NULL, 0);
        ranges[nranges].iova = strtoull(argv[i], NULL, 16);
        ranges[nranges].size = size;
        /* As Rig's GuestMemory maps a RAM region, with 4 MiB more to place it at the offset; the rest is unmapped. */
        uint8_t *base = mmap(NULL, size + HUGE * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (base == MAP_FAILED) die("mmap");
        uint64_t offset = at ? strtoull(at + 1, NULL, 16) & (HUGE - 1) : ((uintptr_t)base & (HUGE - 1));
        uint8_t *host = (uint8_t *)((((uintptr_t)base + HUGE - 1) & ~(uintptr_t)(HUGE - 1)) + offset);
        if (host > base && munmap(base, host - base) < 0) die("munmap");
        if (munmap(host + size, base + size + HUGE * 2 - (host + size)) < 0) die("munmap");
        ranges[nranges].host = host;
        for (uint64_t off = 0; off < ranges[nranges].size; off += 4096) ranges[nranges].host[off] = 1;
        nranges++;
    }
    /* Where in a 2 MiB page each mapping starts: with transparent huge pages that decides whether the IOMMU can
     * use 2 MiB pages, so the caller compares it with its own. */
    printf("ready");
    for (int i = 0; i < nranges; i++) printf(" 0x%llx", (unsigned long long)((uintptr_t)ranges[i].host & 0x1fffff));
    printf("\n");
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "round", 5) == 0) round_once(bdf, group_no);
        else break;
    }
    return 0;
}
