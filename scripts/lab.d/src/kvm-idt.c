// kvm-idt: checks that /dev/kvm delivers interrupts and exceptions through the guest's interrupt table, which
// this project's development machine (kvm_pvm) cannot do and L1's nested KVM can. Part of scripts/lab.
//
// A 64-bit guest (long mode, identity-mapped 2 MiB page, GDT and IDT set up here) executes `int 0x21` (its handler
// writes AL to port 0x80 and returns with iretq) and then a division by zero (#DE, vector 0; its handler writes 0xde
// to port 0x81 and halts). Real mode would not do: KVM emulates real-mode `int` itself, even on kvm_pvm.
// exit: 0 when the guest produced exactly those two port writes and then HLT, 1 otherwise.
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUEST_MEM 0x200000
#define GDT 0x0500
#define IDT 0x0600
#define PML4 0x2000
#define CODE 0x10000
#define INT21 0x10200
#define DE 0x10300

static const uint8_t main_code[] = {
    0xb0, 0x5a,        // mov al, 0x5a
    0xcd, 0x21,        // int 0x21
    0xb8, 0x01, 0x00, 0x00, 0x00,  // mov eax, 1
    0x31, 0xc9,        // xor ecx, ecx
    0xf7, 0xf1,        // div ecx           -> #DE
    0xf4,              // hlt               (not reached)
};
static const uint8_t int21_handler[] = {0xe6, 0x80, 0x48, 0xcf};           // out 0x80, al; iretq
static const uint8_t de_handler[] = {0xb0, 0xde, 0xe6, 0x81, 0xf4};         // mov al, 0xde; out 0x81, al; hlt

// A 64-bit interrupt gate (present, DPL 0, type 0xe) to handler in code segment 0x08.
static void set_gate(uint8_t *mem, int vector, uint64_t handler) {
    uint64_t *gate = (uint64_t *)(mem + IDT + 16 * vector);
    gate[0] = (handler & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | (((handler >> 16) & 0xffff) << 48);
    gate[1] = handler >> 32;
}

static int die(const char *what) {
    printf("kvm-idt: %s: %s\nkvm-idt: FAILED\n", what, strerror(errno));
    return 1;
}

int main(void) {
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) return die("open /dev/kvm");
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) return die("KVM_GET_API_VERSION");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) return die("KVM_CREATE_VM");
    uint8_t *mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return die("mmap");
    struct kvm_userspace_memory_region slot = {.slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_MEM,
                                               .userspace_addr = (uintptr_t)mem};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot)) return die("KVM_SET_USER_MEMORY_REGION");

    // Identity map of the first 2 MiB (one large page), a flat GDT (0x08 code64, 0x10 data), the IDT, the code.
    uint64_t *pml4 = (uint64_t *)(mem + PML4), *pdpt = pml4 + 512, *pd = pml4 + 1024;
    pml4[0] = (PML4 + 0x1000) | 3;
    pdpt[0] = (PML4 + 0x2000) | 3;
    pd[0] = 0x83;
    uint64_t *gdt = (uint64_t *)(mem + GDT);
    gdt[0] = 0;
    gdt[1] = 0x00af9b000000ffffull;
    gdt[2] = 0x00cf93000000ffffull;
    set_gate(mem, 0x00, DE);
    set_gate(mem, 0x21, INT21);
    memcpy(mem + INT21, int21_handler, sizeof int21_handler);
    memcpy(mem + DE, de_handler, sizeof de_handler);
    memcpy(mem + CODE, main_code, sizeof main_code);

    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) return die("KVM_CREATE_VCPU");
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) return die("mmap kvm_run");
    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs)) return die("KVM_GET_SREGS");
    struct kvm_segment code = {.base = 0, .limit = 0xffffffff, .selector = 0x08, .type = 11, .present = 1,
                               .s = 1, .l = 1, .g = 1};
    struct kvm_segment data = {.base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 3, .present = 1,
                               .s = 1, .db = 1, .g = 1};
    sregs.cs = code;
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
    sregs.gdt.base = GDT;
    sregs.gdt.limit = 3 * 8 - 1;
    sregs.idt.base = IDT;
    sregs.idt.limit = 16 * 0x22 - 1;
    sregs.cr3 = PML4;
    sregs.cr4 = 1 << 5;               // PAE
    sregs.cr0 = 0x80000011;           // PG | ET | PE
    sregs.efer = 0x500;               // LMA | LME
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs)) return die("KVM_SET_SREGS");
    struct kvm_regs regs = {.rip = CODE, .rsp = 0x8000, .rflags = 2};
    if (ioctl(vcpu, KVM_SET_REGS, &regs)) return die("KVM_SET_REGS");

    const struct { uint16_t port; uint8_t value; } expected[] = {{0x80, 0x5a}, {0x81, 0xde}};
    unsigned seen = 0;
    for (int exits = 0; exits < 16; exits++) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) return die("KVM_RUN");
        switch (run->exit_reason) {
        case KVM_EXIT_IO: {
            uint8_t value = *((uint8_t *)run + run->io.data_offset);
            printf("kvm-idt: out 0x%x <- 0x%02x\n", run->io.port, value);
            if (run->io.direction != KVM_EXIT_IO_OUT || seen >= 2 || run->io.port != expected[seen].port ||
                value != expected[seen].value) {
                printf("kvm-idt: unexpected port write\nkvm-idt: FAILED\n");
                return 1;
            }
            seen++;
            break;
        }
        case KVM_EXIT_HLT:
            printf("kvm-idt: HLT after %u of 2 handler writes\nkvm-idt: %s\n", seen, seen == 2 ? "PASSED" : "FAILED");
            return seen == 2 ? 0 : 1;
        case KVM_EXIT_INTERNAL_ERROR:
            printf("kvm-idt: KVM_EXIT_INTERNAL_ERROR suberror %u (no IDT delivery?)\nkvm-idt: FAILED\n",
                   run->internal.suberror);
            return 1;
        default:
            printf("kvm-idt: unexpected exit reason %u\nkvm-idt: FAILED\n", run->exit_reason);
            return 1;
        }
    }
    printf("kvm-idt: too many exits\nkvm-idt: FAILED\n");
    return 1;
}
