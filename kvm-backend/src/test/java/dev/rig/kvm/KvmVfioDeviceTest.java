package dev.rig.kvm;

import dev.rig.kvm.testing.RequiresKvm;
import dev.rig.sys.SyscallException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KVM-VFIO device on this host's KVM: created, refuses a file that is not a VFIO group, closed with the VM. */
@RequiresKvm
class KvmVfioDeviceTest {
    @Test
    void createdAndClosedWithTheVm() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            KvmVfioDevice device = vm.createVfioDevice();
            assertTrue(!device.isClosed());
            vm.close();
            assertTrue(device.isClosed(), "the VM closes its devices");
        }
    }

    @Test
    void aFileThatIsNotAVfioGroupIsRefused() throws Exception {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); EventFd notAGroup = new EventFd("not a group")) {
            KvmVfioDevice device = vm.createVfioDevice();
            SyscallException e = assertThrows(SyscallException.class, () -> device.addFile(notAGroup.fd()));
            assertTrue(e.getMessage().contains("KVM_SET_DEVICE_ATTR"), e.getMessage());
            assertEquals(java.util.Set.of(), device.files(), "nothing recorded for a refused file");
        }
    }
}
