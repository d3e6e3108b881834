package dev.rig.engine.host

import spock.lang.Requires
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/** Reads this machine's own /sys. Which devices it has is unknown, so only well-formedness is checked. */
@Requires({ Files.isDirectory(Path.of('/sys/bus/pci/devices')) })
class RealSysfsSpec extends Specification {

    def "this machine's /sys/bus/pci parses, and its snapshot round-trips"() {
        when:
        def host = new SysfsHostInventory()
        def back = HostSnapshot.fromJson(HostSnapshot.toJson(host))

        then:
        host.devices()*.address() == Files.list(Path.of('/sys/bus/pci/devices')).withCloseable { entries ->
            entries.map { PciAddress.parse(it.fileName.toString()) }.sorted().toList()
        }
        host.devices().every { host.device(it.address()).get() == it }
        host.iommuGroups().every { g -> g.members().every { host.requireDevice(it).iommuGroup().asInt == g.id() } }
        back.devices() == host.devices()
        back.iommuGroups() == host.iommuGroups()
    }
}
