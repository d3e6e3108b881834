/*
 * Reference for `rig bench`: runs the same guest image as Rig's pio-loop guest on /dev/kvm, set up the same way
 * (64-bit long mode, identity-mapped 2 MiB pages, code at 1 MiB), and counts PIO exits per second in a plain
 * C KVM_RUN loop. Usage: pio-loop IMAGE. Prints: "exits N seconds S".
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE (64u << 20)
#define LOAD 0x100000
#define DEBUG_EXIT_PORT 0x501

static void die(const char *what) { perror(what); exit(2); }

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s IMAGE\n", argv[0]); return 2; }
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("/dev/kvm");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) die("mmap");
    struct kvm_userspace_memory_region region = {.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
                                                 .userspace_addr = (uint64_t)mem};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");

    FILE *f = fopen(argv[1], "rb");
    if (!f) die(argv[1]);
    size_t n = fread(mem + LOAD, 1, MEM_SIZE - LOAD, f);
    fclose(f);
    if (n == 0) { fprintf(stderr, "empty image\n"); return 2; }

    /* GDT at 0x500 (null, code64 0x08, data 0x10); PML4 0x9000 -> PDPT 0xa000 -> 4 PDs of 2 MiB pages. */
    uint64_t *gdt = (uint64_t *)(mem + 0x500);
    gdt[0] = 0; gdt[1] = 0x00af9b000000ffffULL; gdt[2] = 0x00cf93000000ffffULL;
    uint64_t *pml4 = (uint64_t *)(mem + 0x9000), *pdpt = (uint64_t *)(mem + 0xa000);
    pml4[0] = 0xa000 | 3;
    for (int g = 0; g < 4; g++) {
        uint64_t *pd = (uint64_t *)(mem + 0xb000 + g * 0x1000);
        pdpt[g] = (0xb000 + g * 0x1000) | 3;
        for (int i = 0; i < 512; i++) pd[i] = (((uint64_t)g << 30) | ((uint64_t)i << 21)) | 0x83;
    }

    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("KVM_CREATE_VCPU");
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) die("mmap kvm_run");
    struct { struct kvm_cpuid2 c; struct kvm_cpuid_entry2 e[256]; } cpuid = {.c.nent = 256};
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) < 0) die("KVM_GET_SUPPORTED_CPUID");
    if (ioctl(vcpu, KVM_SET_CPUID2, &cpuid) < 0) die("KVM_SET_CPUID2");

    struct kvm_sregs s;
    if (ioctl(vcpu, KVM_GET_SREGS, &s) < 0) die("KVM_GET_SREGS");
    struct kvm_segment code = {.base = 0, .limit = 0xffffffff, .selector = 0x08, .type = 11, .present = 1,
                               .s = 1, .l = 1, .g = 1};
    struct kvm_segment data = {.base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 3, .present = 1,
                               .db = 1, .s = 1, .g = 1};
    s.cs = code; s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.gdt.base = 0x500; s.gdt.limit = 23;
    s.cr3 = 0x9000; s.cr4 = 1 << 5; s.cr0 = 0x80050033; s.efer = 0x501;
    if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0) die("KVM_SET_SREGS");
    struct kvm_regs r = {.rip = LOAD, .rsp = 0x80000, .rflags = 2};
    if (ioctl(vcpu, KVM_SET_REGS, &r) < 0) die("KVM_SET_REGS");

    long exits = 0;
    double start = now();
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
        if (run->exit_reason != KVM_EXIT_IO) {
            fprintf(stderr, "unexpected exit %d\n", run->exit_reason);
            return 1;
        }
        exits++;
        if (run->io.port == DEBUG_EXIT_PORT) break;
    }
    double elapsed = now() - start;
    printf("exits %ld seconds %.6f\n", exits, elapsed);
    return 0;
}
