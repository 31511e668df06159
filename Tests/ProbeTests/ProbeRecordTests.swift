import Kafka
import Probe
import Testing

@Suite struct ProbeRecordTests {
    @Test func roundTripsAndRejectsForeignValues() {
        let record = ProbeRecord(nonce: 0xDEAD_BEEF_0000_0001, sequence: 42, sentAtMilliseconds: 1_764_500_000_000)
        #expect(ProbeRecord(record.bytes) == record)
        #expect(record.bytes.count == 28)
        #expect(ProbeRecord(Array("hello".utf8)) == nil)
        #expect(ProbeRecord(Array(record.bytes.dropLast())) == nil)
        var tampered = record.bytes
        tampered[0] = UInt8(ascii: "X")
        #expect(ProbeRecord(tampered) == nil)
    }
}
