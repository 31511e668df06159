import Kafka
import Probe
import Testing

@Suite struct ProbeLedgerTests {
    private let start = ContinuousClock.now
    private let route = ProbeLedger.Route(partition: 0, broker: 1)

    @Test func acknowledgedAndReadBackRecordsMeasureBothLatencies() {
        var ledger = ProbeLedger(timeout: .seconds(1))
        let sequence = ledger.send(to: route, at: start)
        ledger.delivered(sequence, failed: false, at: start + .milliseconds(3))
        ledger.received(sequence, at: start + .milliseconds(40))
        let counts = ledger.counts[route]!
        #expect((counts.produced, counts.acked, counts.received, counts.lost, counts.failed) == (1, 1, 1, 0, 0))
        // 3 ms falls in the 5 ms bucket, not the 2.5 ms one; 40 ms in the 50 ms bucket.
        #expect(counts.produceLatency.cumulativeBuckets.first { $0.le == 0.0025 }!.count == 0)
        #expect(counts.produceLatency.cumulativeBuckets.first { $0.le == 0.005 }!.count == 1)
        #expect(counts.roundTripLatency.cumulativeBuckets.first { $0.le == 0.025 }!.count == 0)
        #expect(counts.roundTripLatency.cumulativeBuckets.first { $0.le == 0.05 }!.count == 1)
        #expect(ledger.isUp(partitions: [0], at: start + .milliseconds(500)))
        #expect(!ledger.isUp(partitions: [0], at: start + .seconds(2)))
        #expect(!ledger.isUp(partitions: [0, 1], at: start + .milliseconds(500)))
    }

    @Test func acknowledgedRecordsNotReadBackInTimeAreLostButCountWhenTheyArrive() {
        var ledger = ProbeLedger(timeout: .seconds(1))
        let late = ledger.send(to: route, at: start)
        let failed = ledger.send(to: route, at: start)
        let unacknowledged = ledger.send(to: route, at: start)
        ledger.delivered(late, failed: false, at: start + .milliseconds(10))
        ledger.delivered(failed, failed: true, at: start + .milliseconds(10))
        ledger.expire(at: start + .milliseconds(900))
        #expect(ledger.counts[route]!.lost == 0)
        ledger.expire(at: start + .milliseconds(1100))
        // Only the acknowledged one is lost: the failed one is counted as failed, and the producer
        // reports the unacknowledged one as failed by the same timeout.
        #expect(ledger.counts[route]!.lost == 1 && ledger.counts[route]!.failed == 1)
        ledger.delivered(unacknowledged, failed: true, at: start + .milliseconds(1100))
        #expect(ledger.counts[route]!.failed == 2 && ledger.counts[route]!.lost == 1)
        ledger.received(late, at: start + .milliseconds(1500))
        #expect(ledger.counts[route]!.received == 1 && ledger.counts[route]!.lost == 1)
        // A late round trip does not make the probe up.
        #expect(!ledger.isUp(partitions: [0], at: start + .milliseconds(1600)))
        ledger.expire(at: start + .milliseconds(1700))
        #expect(ledger.counts[route]!.lost == 1)
    }

    @Test func recordsReadTwiceAreDuplicates() {
        var ledger = ProbeLedger(timeout: .seconds(1))
        let sequence = ledger.send(to: route, at: start)
        ledger.delivered(sequence, failed: false, at: start)
        ledger.received(sequence, at: start + .milliseconds(5))
        ledger.received(sequence, at: start + .milliseconds(9))
        ledger.received(sequence, at: start + .milliseconds(12))
        #expect(ledger.counts[route]!.received == 1 && ledger.counts[route]!.duplicated == 2)
        #expect(ledger.counts[route]!.roundTripLatency.count == 1)
        // Unknown sequence numbers (another run's) are ignored.
        ledger.received(999, at: start)
        #expect(ledger.counts.count == 1 && ledger.counts[route]!.received == 1)
    }

    @Test func recordsAreForgottenAfterThreeTimeouts() {
        var ledger = ProbeLedger(timeout: .seconds(1))
        for index in 0..<10 { _ = ledger.send(to: route, at: start + .milliseconds(100 * index)) }
        #expect(ledger.inFlight == 10)
        ledger.expire(at: start + .seconds(5))
        #expect(ledger.inFlight == 0)
    }
}
