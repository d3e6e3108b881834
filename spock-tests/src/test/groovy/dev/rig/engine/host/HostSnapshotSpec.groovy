package dev.rig.engine.host

import dev.rig.testing.FakeSysfs
import dev.rig.testing.SeedHosts
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

class HostSnapshotSpec extends Specification {

    @TempDir
    Path tmp

    def cleanup() {
        FakeSysfs.deleteTree(tmp)
    }

    static PciAddress a(String text) { PciAddress.parse(text) }

    def "the #host host survives a JSON round trip unchanged"() {
        given:
        def live = SeedHosts."$host"(tmp)
        def inventory = live.inventory()

        when:
        def json = HostSnapshot.toJson(inventory)
        def back = HostSnapshot.fromJson(json)

        then:
        back.devices() == inventory.devices()
        back.iommuGroups() == inventory.iommuGroups()
        back.iommuEnabled() == inventory.iommuEnabled()
        HostSnapshot.toJson(back) == json

        where:
        host << ['rts525aCardReader', 'gt710', 'gpu26b9', 'hi1822', 'laptopWithBridgesAndNvme']
    }

    def "ids are hex strings, addresses canonical strings, and absent facts are left out"() {
        given:
        def inventory = SeedHosts.gt710(tmp).inventory()

        when:
        def json = new JsonSlurper().parseText(HostSnapshot.toJson(inventory))
        def gpu = json.devices.find { it.address == '0000:01:00.0' }
        def port = json.devices.find { it.address == '0000:00:01.0' }

        then:
        json.format == 'rig-host-snapshot'
        json.version == 1
        gpu.vendor == '0x10de' && gpu.device == '0x128b' && gpu['class'] == '0x030000' && gpu.revision == '0xa1'
        gpu.subsystemVendor == '0x1043' && gpu.subsystemDevice == '0x8576'
        gpu.headerType == '0x80'
        gpu.driver == 'nvidia' && gpu.iommuGroup == 22 && gpu.numaNode == 0
        gpu.bars[0] == [index: 0, kind: 'mem32', prefetchable: false, start: '0xf6000000', size: '0x1000000']
        gpu.bars[1] == [index: 1, kind: 'mem64', prefetchable: true, start: '0xe0000000', size: '0x8000000']
        gpu.rom == [start: '0xf7000000', size: '0x80000']
        !gpu.containsKey('sriov') && !gpu.containsKey('physfn')
        !port.containsKey('bars') && !port.containsKey('rom') && !port.containsKey('numaNode')
        json.iommuGroups.find { it.id == 22 }.members == ['0000:01:00.0', '0000:01:00.1']
    }

    def "SR-IOV facts are written on the PF and the VFs"() {
        when:
        def json = new JsonSlurper().parseText(HostSnapshot.toJson(SeedHosts.hi1822(tmp).inventory()))

        then:
        json.devices.find { it.address == '0000:03:00.0' }.sriov ==
                [totalVfs: 16, numVfs: 4, virtualFunctions: (1..4).collect { "0000:03:00.$it".toString() }]
        json.devices.find { it.address == '0000:03:00.2' }.physfn == '0000:03:00.0'
    }

    def "a device with only the required fields round-trips with every optional fact empty"() {
        given:
        def json = '''{
          "format": "rig-host-snapshot", "version": 1,
          "devices": [ { "address": "0000:05:00.0", "vendor": "0x1af4", "device": "0x1041",
                         "subsystemVendor": "0x1af4", "subsystemDevice": "0x0001", "class": "0x020000",
                         "revision": "0x01" } ],
          "iommuGroups": []
        }'''

        when:
        def host = HostSnapshot.fromJson(json)
        def d = host.requireDevice(a('05:00.0'))

        then:
        d.vendorDeviceId() == '1af4:1041'
        d.headerType().isEmpty() && d.driver().isEmpty() && d.iommuGroup().isEmpty() && d.numaNode().isEmpty()
        d.bars().isEmpty() && d.rom().isEmpty() && d.sriov().isEmpty() && d.physfn().isEmpty()
        !host.iommuEnabled()
        HostSnapshot.fromJson(HostSnapshot.toJson(host)) == host
    }

    def "numbers may be written as plain JSON numbers by hand"() {
        when:
        def d = HostSnapshot.fromJson('''{ "format": "rig-host-snapshot", "version": 1, "iommuGroups": [],
          "devices": [ { "address": "01:00.0", "vendor": 4318, "device": "0x26B9", "subsystemVendor": 0,
                         "subsystemDevice": 0, "class": 197120, "revision": 161,
                         "bars": [ { "index": 0, "kind": "MEM32", "start": 4177526784, "size": 16777216 } ] } ] }''')
                .requireDevice(a('0000:01:00.0'))

        then:
        d.vendorDeviceId() == '10de:26b9'
        d.classCode() == 0x030200 && d.revision() == 0xa1
        d.bars() == [new Bar(0, 0xf900_0000L, 0x100_0000L, Bar.Kind.MEM32, false)]
    }

    def "write and read go through a file, and the source names it"() {
        given:
        def file = tmp.resolve('host.json')
        def inventory = SeedHosts.hi1822(tmp.resolve('sys')).inventory()

        when:
        HostSnapshot.write(inventory, file)
        def back = HostSnapshot.read(file)

        then:
        back.devices() == inventory.devices()
        back.source() == "snapshot $file"
        Files.readString(file).endsWith('}\n')
        !Files.readString(file).contains('\r')
    }

    def "a broken snapshot names the field at fault: #problem"() {
        when:
        HostSnapshot.fromJson(json, 'snapshot host.json')

        then:
        def e = thrown(HostInventoryException)
        e.message == "snapshot host.json: $problem"

        where:
        json                                                           || problem
        '{"format": "rig-host-snapshot", "version": 2, "devices": [], "iommuGroups": []}' ||
                'version: this Rig reads version 1, the file is version 2'
        '{"format": "other", "version": 1, "devices": [], "iommuGroups": []}' ||
                'format: expected "rig-host-snapshot", got "other"'
        '{"format": "rig-host-snapshot", "version": 1, "iommuGroups": []}' ||
                'devices: missing required field'
        '{"format": "rig-host-snapshot", "version": 1, "devices": [], "iommuGroups": [], "iommu": true}' ||
                'iommu: unknown field; expected one of format, version, devices, iommuGroups'
        device('"vendor": "10de"') || 'devices[0].vendor: expected a hex string like "0x10de" or a non-negative number, got "10de"'
        device('"vendor": "0x10000"') || 'devices[0].vendor: 0x10000 is out of range 0..0xffff'
        device('"vendor": -1') || 'devices[0].vendor: expected a hex string like "0x10de" or a non-negative number, got -1'
        device('"vendor": "0x10de", "iommuGrup": 3') ||
                'devices[0].iommuGrup: unknown field; expected one of address, vendor, device, subsystemVendor, ' +
                'subsystemDevice, class, revision, headerType, driver, iommuGroup, numaNode, bars, rom, sriov, physfn'
        device('"vendor": "0x10de", "address": "01:20.0"') ||
                'devices[0].address: Invalid PCI address "01:20.0": device 0x20 is out of range 0x00..0x1f ' +
                '(' + PciAddress.EXPECTED_FORM + ')'
        device('"vendor": "0x10de", "bars": [{"index": 6, "kind": "mem32", "start": "0x0", "size": "0x1000"}]') ||
                'devices[0].bars[0]: BAR index 6 is out of range 0..5'
        device('"vendor": "0x10de", "bars": [{"index": 0, "kind": "mem16", "start": "0x0", "size": "0x1000"}]') ||
                'devices[0].bars[0].kind: unknown BAR kind "mem16": expected io, mem32 or mem64'
        device('"vendor": "0x10de", "bars": [{"index": 0, "kind": "mem32", "start": "0x0"}]') ||
                'devices[0].bars[0].size: missing required field'
        device('"vendor": "0x10de", "sriov": {"totalVfs": 2, "numVfs": 4, "virtualFunctions": []}') ||
                'devices[0].sriov: SR-IOV: 4 VFs enabled but the PF supports only 2'
        device('"vendor": "0x10de", "iommuGroup": 7') ||
                'device 0000:01:00.0 says IOMMU group 7 but there is no such group'
        '{"format": "rig-host-snapshot", "version": 1, "devices": [], "iommuGroups": [{"id": 1, "members": ["0000:01:00.0"]}]}' ||
                'IOMMU group 1 lists 0000:01:00.0, which is not a known PCI device'
        '{"format": "rig-host-snapshot", "version": 1, "devices": [], "iommuGroups": [{"id": 1, "members": [7]}]}' ||
                'iommuGroups[0].members[0]: expected a PCI address string, got 7'
    }

    def "text that is not JSON is reported with its position"() {
        when:
        HostSnapshot.fromJson('{"format": ', 'snapshot host.json')

        then:
        def e = thrown(HostInventoryException)
        e.message.startsWith('snapshot host.json: not valid JSON: ')
        e.message.contains('line 1, column')
    }

    def "a repeated key or text after the snapshot is not silently dropped: #what"() {
        when:
        HostSnapshot.fromJson(json, 'snapshot host.json')

        then:
        def e = thrown(HostInventoryException)
        e.message.startsWith('snapshot host.json: not valid JSON: ')
        e.message.contains(problem)

        where:
        what           | json                                                                          || problem
        'repeated key' | '{"format": "rig-host-snapshot", "version": 1, "version": 2}'                 || "Duplicate field 'version'"
        'trailing text'| '{"format": "rig-host-snapshot", "version": 1, "devices": [], "iommuGroups": []} {}' || 'Trailing token'
    }

    def "a device listed twice is rejected"() {
        given:
        def one = '{"address": "01:00.0", "vendor": "0x10de", "device": "0x1", "subsystemVendor": "0x0", ' +
                '"subsystemDevice": "0x0", "class": "0x030000", "revision": "0x0"}'

        when:
        HostSnapshot.fromJson("""{"format": "rig-host-snapshot", "version": 1, "devices": [$one, $one],
                "iommuGroups": []}""", 'snapshot host.json')

        then:
        def e = thrown(HostInventoryException)
        e.message == 'snapshot host.json: PCI device 0000:01:00.0 is listed twice'
    }

    /** A minimal snapshot with one device at 01:00.0; {@code fields} override or add to its required ones. */
    private static String device(String fields) {
        def base = [address: '"0000:01:00.0"', vendor: '"0x10de"', device: '"0x26b9"', subsystemVendor: '"0x10de"',
                    subsystemDevice: '"0x0000"', 'class': '"0x030200"', revision: '"0xa1"']
        def own = new JsonSlurper().parseText("{$fields}") as Map
        def keys = base.keySet().findAll { !own.containsKey(it) }
        def body = (keys.collect { "\"$it\": ${base[it]}" } + [fields]).join(', ')
        """{"format": "rig-host-snapshot", "version": 1, "devices": [{$body}], "iommuGroups": []}"""
    }
}
