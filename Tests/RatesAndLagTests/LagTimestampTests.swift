import Cluster
import Foundation
import Kafka
import RatesAndLag
import Support
import Testing
import TestSupport

/// Answers every position a cycle wants from a table of records, by the next cycle, as the reader
/// does when its reads take less than a collection interval.
final class ScriptedTimestamps: LagTimestampSource {
    private struct State {
        var wanted: [RecordPosition] = []
        var reads: [RecordPosition] = []
        var wishes: [[RecordPosition]] = []
    }

    private let records: [RecordPosition: TimestampRead]
    private let state = Locked(State())

    init(_ records: [RecordPosition: TimestampRead]) { self.records = records }

    func takeFinishedReads() -> [RecordPosition: TimestampRead] {
        state.withLock { state in
            defer { state.wanted = [] }
            state.reads += state.wanted
            return Dictionary(uniqueKeysWithValues: state.wanted.compactMap { position in records[position].map { (position, $0) } })
        }
    }

    func want(_ positions: [RecordPosition]) {
        state.withLock { state in
            state.wanted = positions
            state.wishes.append(positions)
        }
    }

    /// Every position read so far, in order.
    var reads: [RecordPosition] { state.withLock { $0.reads } }
    /// What each cycle wanted.
    var wishes: [[RecordPosition]] { state.withLock { $0.wishes } }
}

/// Lag in seconds from the timestamp of the record at the committed offset: exact from the first
/// cycle that has it, read once, and each edge case where the record read is not that record.
@Suite struct LagTimestampTests {
    private let partition0 = ["consumergroup": "g", "topic": "t", "partition": "0"]
    private let position = RecordPosition(TopicPartition("t", 0), 10)

    private func cluster(_ timestamps: ScriptedTimestamps, newest: Int64 = 40, committed: Int64 = 10) -> ScriptedCluster {
        var cluster = ScriptedCluster(timestamps: timestamps)
        cluster.topics = ["t": [newest]]
        cluster.commits = ["g": [TopicPartition("t", 0): committed]]
        return cluster
    }

    /// Seconds since 1970 of `second` in the scripted clock.
    private func time(_ second: Double) -> Double { ScriptedCluster.start.timeIntervalSince1970 + second }

    /// The measurement: records an hour old, a group at offset 10 whose record is 3003 s old,
    /// a fresh exporter at a 2 s interval. Interpolation alone shows 2 s, a lower bound.
    @Test func afterARestartTheFirstLagInSecondsIsTheRecordsAge() {
        let timestamps = ScriptedTimestamps([position: .written(seconds: time(-3003), laterOffset: false)])
        let cluster = cluster(timestamps)
        #expect(cluster.cycle(at: 0).value("kafka_consumergroup_lag_seconds", partition0) == nil)
        for second in stride(from: 2.0, through: 20, by: 2) {
            let samples = cluster.cycle(at: second)
            #expect(isClose(samples.value("kafka_consumergroup_lag_seconds", partition0), 3003 + second))
            #expect(samples.value("kafka_consumergroup_lag_seconds_lower_bound", partition0) == 0)
            #expect(samples.value("kafka_consumergroup_lag_seconds_read", partition0) == 1)
            #expect(isClose(samples.value("kafka_consumergroup_max_lag_seconds", ["consumergroup": "g"]), 3003 + second))
        }
        // A stuck group costs one read in total.
        #expect(timestamps.reads == [position])
    }

    /// Once the committed offset moves, the new position is read and the old one forgotten.
    @Test func aMovingGroupIsReadAtEachNewPosition() {
        let next = RecordPosition(TopicPartition("t", 0), 20)
        let timestamps = ScriptedTimestamps([
            position: .written(seconds: time(-100), laterOffset: false), next: .written(seconds: time(-50), laterOffset: false),
        ])
        var cluster = cluster(timestamps)
        cluster.cycle(at: 0)
        #expect(isClose(cluster.cycle(at: 2).value("kafka_consumergroup_lag_seconds", partition0), 102))
        cluster.commits["g"] = [TopicPartition("t", 0): 20]
        cluster.cycle(at: 4)
        #expect(isClose(cluster.cycle(at: 6).value("kafka_consumergroup_lag_seconds", partition0), 56))
        #expect(timestamps.reads == [position, next])
    }

    /// Steady traffic, read every 15 s: once the committed offset lies between two points 15 s apart,
    /// the interpolation is within one interval and nothing is read.
    @Test func aGoodInterpolationIsNotRead() {
        let timestamps = ScriptedTimestamps([:])
        var cluster = cluster(timestamps, newest: 0, committed: 0)
        for second in stride(from: 0.0, through: 300, by: 15) {
            cluster.topics["t"] = [Int64(second) * 10]
            cluster.commits["g"] = [TopicPartition("t", 0): max(0, Int64(second) * 10 - 450)]
            let samples = cluster.cycle(at: second)
            guard second >= 60 else { continue }
            #expect(timestamps.wishes.last == [], "at \(second)")
            #expect(samples.value("kafka_consumergroup_lag_seconds_read", partition0) == 0)
        }
    }

    /// A group caught up wants no read and is 0, not read.
    @Test func aCaughtUpGroupIsNotRead() {
        let timestamps = ScriptedTimestamps([:])
        let cluster = cluster(timestamps, newest: 40, committed: 40)
        cluster.cycle(at: 0)
        let samples = cluster.cycle(at: 2)
        #expect(samples.value("kafka_consumergroup_lag_seconds", partition0) == 0)
        #expect(samples.value("kafka_consumergroup_lag_seconds_read", partition0) == 0)
        #expect(timestamps.wishes.allSatisfy { $0.isEmpty })
    }

    /// Retention deleted offsets 10 to 99 unconsumed: they are counted, and the oldest record left (100)
    /// gives a lower bound.
    @Test func aCommitBelowTheOldestOffsetCountsLostMessagesAndReadsTheOldestAsLowerBound() {
        let oldestLeft = RecordPosition(TopicPartition("t", 0), 100)
        let timestamps = ScriptedTimestamps([oldestLeft: .written(seconds: time(-600), laterOffset: false)])
        var cluster = cluster(timestamps, newest: 200)
        cluster.oldest = ["t": [100]]
        cluster.cycle(at: 0)
        let samples = cluster.cycle(at: 2)
        #expect(samples.value("kafka_consumergroup_lag_lost_messages", partition0) == 90)
        #expect(isClose(samples.value("kafka_consumergroup_lag_seconds", partition0), 602))
        #expect(samples.value("kafka_consumergroup_lag_seconds_lower_bound", partition0) == 1)
        #expect(samples.value("kafka_consumergroup_lag_seconds_read", partition0) == 1)
        #expect(timestamps.reads == [oldestLeft])
    }

    @Test func nothingLostLeavesTheLostMessagesOut() {
        let timestamps = ScriptedTimestamps([position: .written(seconds: time(-60), laterOffset: false)])
        var cluster = cluster(timestamps)
        cluster.oldest = ["t": [10]]
        cluster.cycle(at: 0)
        #expect(cluster.cycle(at: 2).value("kafka_consumergroup_lag_lost_messages", partition0) == nil)
    }

    /// Compaction removed the record at the committed offset, or a control record sits there: the
    /// record read is later, so its age is a lower bound.
    @Test func aRecordAtALaterOffsetIsALowerBound() {
        let timestamps = ScriptedTimestamps([position: .written(seconds: time(-600), laterOffset: true)])
        let cluster = cluster(timestamps)
        cluster.cycle(at: 0)
        let samples = cluster.cycle(at: 2)
        #expect(isClose(samples.value("kafka_consumergroup_lag_seconds", partition0), 602))
        #expect(samples.value("kafka_consumergroup_lag_seconds_lower_bound", partition0) == 1)
        #expect(samples.value("kafka_consumergroup_lag_seconds_read", partition0) == 1)
    }

    /// A lower bound read below what the history tells is not worth showing: the history wins.
    @Test func aReadLowerBoundBelowTheInterpolationGivesWayToIt() {
        let timestamps = ScriptedTimestamps([position: .written(seconds: time(20), laterOffset: true)])
        var cluster = cluster(timestamps, newest: 5)
        cluster.cycle(at: 0)
        cluster.topics["t"] = [40]
        let samples = cluster.cycle(at: 30)
        // Offset 10 was passed between 0 s (newest 5) and 30 s (newest 40): 29/35 of 30 s ago, more
        // than the 10 s the later record read gives.
        #expect(isClose(samples.value("kafka_consumergroup_lag_seconds", partition0), 30.0 * 29 / 35))
        #expect(samples.value("kafka_consumergroup_lag_seconds_lower_bound", partition0) == 0)
        #expect(samples.value("kafka_consumergroup_lag_seconds_read", partition0) == 0)
    }

    /// A record without a timestamp (-1) leaves lag in seconds interpolated, and is not read again.
    @Test func aRecordWithoutTimestampFallsBackToInterpolation() {
        let timestamps = ScriptedTimestamps([position: .noTimestamp])
        let cluster = cluster(timestamps)
        cluster.cycle(at: 0)
        for second in stride(from: 2.0, through: 10, by: 2) {
            let samples = cluster.cycle(at: second)
            #expect(samples.value("kafka_consumergroup_lag_seconds", partition0) == second)
            #expect(samples.value("kafka_consumergroup_lag_seconds_lower_bound", partition0) == 1)
            #expect(samples.value("kafka_consumergroup_lag_seconds_read", partition0) == 0)
        }
        #expect(timestamps.reads == [position])
    }

    /// A transactional consumer that consumed everything commits before the transaction's marker: one
    /// message of lag, none of them a message. Once records follow the marker, the position is read again.
    @Test func onlyMarkersAfterTheCommitIsCaughtUpUntilRecordsFollow() {
        let timestamps = ScriptedTimestamps([position: .onlyMarkers(end: 11)])
        var cluster = cluster(timestamps, newest: 11)
        cluster.cycle(at: 0)
        let samples = cluster.cycle(at: 2)
        #expect(samples.value("kafka_consumergroup_lag_seconds", partition0) == 0)
        #expect(samples.value("kafka_consumergroup_lag_seconds_lower_bound", partition0) == 0)
        #expect(samples.value("kafka_consumergroup_lag_seconds_read", partition0) == 1)
        cluster.topics["t"] = [15]
        #expect(cluster.cycle(at: 4).value("kafka_consumergroup_lag_seconds_read", partition0) == 0)
        #expect(timestamps.wishes.map(\.count) == [1, 0, 1])
    }

    /// A producer whose clock runs ahead stamps records in the exporter's future: the lag is 0, never negative.
    @Test func aTimestampInTheFutureIsZeroLag() {
        let timestamps = ScriptedTimestamps([position: .written(seconds: time(3600), laterOffset: false)])
        let cluster = cluster(timestamps)
        cluster.cycle(at: 0)
        let samples = cluster.cycle(at: 2)
        #expect(samples.value("kafka_consumergroup_lag_seconds", partition0) == 0)
        #expect(samples.value("kafka_consumergroup_lag_seconds_read", partition0) == 1)
    }

    /// Groups at the same position share one read; the positions wanted come largest error first.
    @Test func groupsAtOnePositionShareARead() {
        let timestamps = ScriptedTimestamps([position: .written(seconds: time(-60), laterOffset: false)])
        var cluster = cluster(timestamps)
        cluster.commits["h"] = [TopicPartition("t", 0): 10]
        cluster.cycle(at: 0)
        let samples = cluster.cycle(at: 2)
        #expect(isClose(samples.value("kafka_consumergroup_lag_seconds", ["consumergroup": "h", "topic": "t", "partition": "0"]), 62))
        #expect(timestamps.reads == [position])
    }
}
