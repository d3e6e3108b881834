package dev.rig.sys;

import dev.rig.kvm.KvmIoctls;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibcTest {
    @Test
    void ioctlOnABadFdRaisesTheTypedExceptionWithEbadf() {
        SyscallException e = assertThrows(SyscallException.class,
                () -> Libc.ioctl(987654, KvmIoctls.GET_API_VERSION, 0, "fd 987654"));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("EBADF", e.errnoName());
        assertEquals("ioctl KVM_GET_API_VERSION", e.operation());
        assertTrue(e.getMessage().contains("ioctl KVM_GET_API_VERSION on fd 987654 failed: EBADF"), e.getMessage());
    }

    @Test
    void pointerIoctlOnABadFdCapturesErrnoToo() {
        try (Arena arena = Arena.ofConfined()) {
            var buf = arena.allocate(dev.rig.kvm.KvmStructs.REGS);
            SyscallException e = assertThrows(SyscallException.class,
                    () -> Libc.ioctl(-1, KvmIoctls.GET_REGS, buf, "nothing"));
            assertEquals(Errno.EBADF, e.errno());
        }
    }

    @Test
    void openOfAMissingFileNamesThePathAndEnoent() {
        SyscallException e = assertThrows(SyscallException.class, () -> Libc.open("/no/such/file", Libc.O_RDONLY));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().startsWith("open on /no/such/file failed: ENOENT (No such file or directory)"),
                e.getMessage());
    }

    @Test
    void eventfdCountsWritesAndReadsThemBack() {
        int fd = Libc.eventfd(0, Libc.EFD_CLOEXEC);
        try (Arena arena = Arena.ofConfined(); NativeFd owned = new NativeFd(fd, "eventfd")) {
            var buf = arena.allocate(8);
            buf.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 3);
            assertEquals(8, Libc.write(owned.fd(), buf, 8));
            assertEquals(8, Libc.write(owned.fd(), buf, 8));
            buf.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 0);
            assertEquals(8, Libc.read(owned.fd(), buf, 8));
            assertEquals(6, buf.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void aClosedFdCannotBeUsedAgain() {
        NativeFd fd = new NativeFd(Libc.eventfd(0, Libc.EFD_CLOEXEC), "eventfd");
        fd.close();
        fd.close();  // idempotent
        assertThrows(IllegalStateException.class, fd::fd);
    }
}
