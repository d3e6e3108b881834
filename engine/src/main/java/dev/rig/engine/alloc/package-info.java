/**
 * Guest address space and interrupt allocation: the x86-64 memory map, its split between PCI
 * segments, BAR placement and GSI numbering. Modelled on Cloud Hypervisor's {@code vm-allocator}
 * crate and x86-64 layout, and on Firecracker's {@code ResourceAllocator}.
 *
 * <pre>
 *  guest physical address                          what                       class / type
 *  0x0 ............................ 0xbfffffff     low RAM (up to 3 GiB)      RAM
 *      (0xa0000-0xfffff: EBDA/VGA/BIOS, not e820 RAM)
 *  0xc0000000 ..................... 0xe7ffffff     32-bit PCI space, 640 MiB  MMIO32
 *     | segment 0 | segment 1 | ...                 split by mmio32 weight, 1 MiB aligned
 *  0xe8000000 ..................... 0xf7ffffff     PCI ECAM, 256 MiB          ECAM
 *     1 MiB per segment (bus 0), at most 96 segments
 *  0xf8000000 ..................... 0xf8003fff     KVM TSS + identity map     RESERVED
 *  0xfec00000 ..................... 0xfec00fff     IOAPIC                     RESERVED
 *  0xfee00000 ..................... 0xfeefffff     local APIC, MSI window     RESERVED
 *  0x100000000 .................... 4 GiB + RAM - 3 GiB   high RAM            RAM
 *  end of RAM rounded up to 4 GiB . top - 64 KiB - 1 MiB  64-bit PCI space    MMIO64
 *     | segment 0 | segment 1 | ...                 split by mmio64 weight, 4 GiB aligned
 *  top - 64 KiB - 1 MiB ........... top - 64 KiB   platform devices           RESERVED
 *  (top = 2^physAddrBits)
 * </pre>
 *
 * <ul>
 *   <li>{@link dev.rig.engine.alloc.GuestMemoryLayout}: the map above for a RAM size.</li>
 *   <li>{@link dev.rig.engine.alloc.PciSegmentApertures}: each segment's share of MMIO32 and MMIO64.</li>
 *   <li>{@link dev.rig.engine.alloc.BarPlacer}: naturally aligned BARs in those shares, all or nothing.</li>
 *   <li>{@link dev.rig.engine.alloc.AddressAllocator}: first-fit ranges inside one named region.</li>
 *   <li>{@link dev.rig.engine.alloc.GsiAllocator}: legacy IRQ lines 5-23 and MSI GSIs 24-4095.</li>
 *   <li>{@link dev.rig.engine.alloc.ResourceTransaction}: several allocations that commit or roll back together.</li>
 * </ul>
 * Every failure is an {@link dev.rig.engine.alloc.AllocationException}, a sealed hierarchy whose
 * messages are written for the person who wrote the VM's config.
 */
package dev.rig.engine.alloc;
