import Cluster
import RatesAndLag
import Kafka
import Testing
import TestSupport

@Suite struct LagSecondsTests {
    private let partition0 = ["consumergroup": "g", "topic": "t", "partition": "0"]
    private let partition1 = ["consumergroup": "g", "topic": "t", "partition": "1"]

    private func cluster(newest: [Int64?], committed: [Int64]) -> ScriptedCluster {
        var cluster = ScriptedCluster()
        cluster.topics = ["t": newest]
        cluster.commits = ["g": Dictionary(uniqueKeysWithValues: committed.enumerated().map { (TopicPartition("t", Int32($0)), $1) })]
        return cluster
    }

    @Test func afterARestartThereIsNoSeriesUntilTwoCycles() {
        let cluster = cluster(newest: [100], committed: [40])
        let first = cluster.cycle(at: 0)
        #expect(first.value("kafka_consumergroup_lag_seconds", partition0) == nil)
        #expect(first.value("kafka_consumergroup_lag_seconds_lower_bound", partition0) == nil)
        #expect(first.value("kafka_consumergroup_max_lag_seconds", ["consumergroup": "g"]) == nil)
        #expect(cluster.cycle(at: 15).value("kafka_consumergroup_lag_seconds", partition0) == 15)
    }

    @Test func aFlatHistoryCaughtUpIsZero() {
        let cluster = cluster(newest: [100], committed: [100])
        for second in stride(from: 0.0, through: 600, by: 15) { cluster.cycle(at: second) }
        let samples = cluster.cycle(at: 615)
        #expect(samples.value("kafka_consumergroup_lag_seconds", partition0) == 0)
        #expect(samples.value("kafka_consumergroup_lag_seconds_lower_bound", partition0) == 0)
        #expect(samples.value("kafka_consumergroup_max_lag_seconds", ["consumergroup": "g"]) == 0)
    }

    /// kafka-lag-exporter extrapolates a flat history into ±Inf or NaN; here the lag is the history's
    /// age, marked as a lower bound, and it grows with the clock.
    @Test func aFlatHistoryNotCaughtUpIsAFiniteLowerBoundThatGrows() {
        let cluster = cluster(newest: [100], committed: [60])
        cluster.cycle(at: 0)
        var previous = 0.0
        for second in stride(from: 15.0, through: 600, by: 15) {
            let samples = cluster.cycle(at: second)
            let lag = samples.value("kafka_consumergroup_lag_seconds", partition0)
            #expect(lag == second)
            #expect(lag.map { $0.isFinite && $0 > previous } == true)
            #expect(samples.value("kafka_consumergroup_lag_seconds_lower_bound", partition0) == 1)
            previous = lag ?? previous
        }
    }

    @Test func aCommittedOffsetOlderThanTheHistoryIsTheHistoryAgeMarkedAsLowerBound() {
        var cluster = cluster(newest: [1000], committed: [10])
        for second in stride(from: 0.0, through: 300, by: 15) {
            cluster.topics["t"] = [1000 + Int64(second) * 10]
            let samples = cluster.cycle(at: second)
            guard second > 0 else { continue }
            #expect(samples.value("kafka_consumergroup_lag_seconds", partition0) == second)
            #expect(samples.value("kafka_consumergroup_lag_seconds_lower_bound", partition0) == 1)
        }
    }

    @Test func aSteadyRateIsInterpolatedExactly() {
        var cluster = cluster(newest: [0], committed: [0])
        // 10 messages per second, read every 15 s; the group is 450 messages (45 s) behind.
        for second in stride(from: 0.0, through: 300, by: 15) {
            cluster.topics["t"] = [Int64(second) * 10]
            cluster.commits["g"] = [TopicPartition("t", 0): max(0, Int64(second) * 10 - 450)]
            let samples = cluster.cycle(at: second)
            guard second >= 60 else { continue }
            // Message 2550 (at 285 s) was the 2551st: written when the newest offset passed it, at 255.1 s.
            let lag = samples.value("kafka_consumergroup_lag_seconds", partition0)
            #expect(lag.map { abs($0 - 44.9) < 1e-9 } == true, "lag \(lag ?? -1) at \(second)")
            #expect(samples.value("kafka_consumergroup_lag_seconds_lower_bound", partition0) == 0)
        }
    }

    /// kafka-lag-exporter #121: working through a backlog after production stopped, its time lag kept
    /// growing because the newest point's time moved with every poll. The first point of a flat run
    /// stays, so catching up faster than the messages were written brings the lag down.
    @Test func catchingUpOnAnIdleTopicBringsTheLagDown() {
        var cluster = cluster(newest: [0], committed: [0])
        var lags: [Double] = []
        for second in stride(from: 0.0, through: 400, by: 10) {
            cluster.topics["t"] = [min(Int64(second), 100) * 10]  // 10 msg/s for 100 s, then nothing
            let committed = second <= 100 ? 0 : min(Int64(second - 100) * 20, 1000)  // then 20 msg/s
            cluster.commits["g"] = [TopicPartition("t", 0): committed]
            guard let lag = cluster.cycle(at: second).value("kafka_consumergroup_lag_seconds", partition0), second > 100 else { continue }
            lags.append(lag)
            if committed < 1000 { #expect(isClose(lag, second - Double(committed + 1) / 10)) }
        }
        #expect(lags.first.map { $0 > 80 } == true)
        #expect(zip(lags, lags.dropFirst()).allSatisfy { $1 < $0 || $1 == 0 })
        #expect(lags.last == 0)
    }

    @Test func whileAConsumerIsStoppedLagGrowsAtWallClockSpeed() {
        var cluster = cluster(newest: [0], committed: [0])
        var lags: [Double] = []
        for second in stride(from: 0.0, through: 600, by: 15) {
            cluster.topics["t"] = [Int64(second) * 10]
            cluster.commits["g"] = [TopicPartition("t", 0): min(Int64(second), 120) * 10]
            if let lag = cluster.cycle(at: second).value("kafka_consumergroup_lag_seconds", partition0), second > 120 {
                lags.append(lag)
            }
        }
        let steps = zip(lags, lags.dropFirst()).map { $1 - $0 }
        #expect(!steps.isEmpty && steps.allSatisfy { abs($0 - 15) < 1e-9 })
    }

    @Test func aPartitionWithoutDataDoesNotTurnTheMaxIntoNaN() {
        let cluster = cluster(newest: [100, nil], committed: [40, 5])
        cluster.cycle(at: 0)
        let samples = cluster.cycle(at: 30)
        #expect(samples.value("kafka_consumergroup_lag_seconds", partition1) == nil)
        #expect(samples.value("kafka_consumergroup_lag_seconds", partition0) == 30)
        #expect(samples.value("kafka_consumergroup_max_lag_seconds", ["consumergroup": "g"]) == 30)
        #expect(samples.samples.allSatisfy { $0.value.isFinite })
    }

    /// One message a second into both partitions; one group is 10 and 40 messages behind. Committed
    /// offset c was passed by the newest offset (c + 1 messages) at second c + 1, so at 130 s — with
    /// nothing written since 120 s — the lags are 130 − 111 = 19 s and 130 − 81 = 49 s, and the
    /// group's maximum is 49 s whichever partition is the slow one.
    @Test(arguments: [(fast: 0, slow: 1), (fast: 1, slow: 0)])
    func theMaxIsTheLargestPartitionLag(fast: Int, slow: Int) {
        var cluster = cluster(newest: [0, 0], committed: [0, 0])
        for second in stride(from: 0.0, through: 120, by: 10) {
            cluster.topics["t"] = [Int64(second), Int64(second)]
            cluster.commits["g"] = [
                TopicPartition("t", Int32(fast)): Int64(second) - 10, TopicPartition("t", Int32(slow)): Int64(second) - 40,
            ]
            cluster.cycle(at: second)
        }
        let samples = cluster.cycle(at: 130)
        let partition = { (index: Int) in ["consumergroup": "g", "topic": "t", "partition": "\(index)"] }
        #expect(isClose(samples.value("kafka_consumergroup_lag_seconds", partition(fast)), 19))
        #expect(isClose(samples.value("kafka_consumergroup_lag_seconds", partition(slow)), 49))
        #expect(isClose(samples.value("kafka_consumergroup_max_lag_seconds", ["consumergroup": "g"]), 49))
    }

    @Test func aRecreatedTopicStartsItsHistoryAgain() {
        var cluster = cluster(newest: [5000], committed: [5000])
        cluster.cycle(at: 0)
        cluster.cycle(at: 15)
        cluster.topics["t"] = [3]
        cluster.commits["g"] = [TopicPartition("t", 0): 0]
        #expect(cluster.cycle(at: 30).value("kafka_consumergroup_lag_seconds", partition0) == nil)
        #expect(cluster.cycle(at: 45).value("kafka_consumergroup_lag_seconds", partition0) == 15)
    }
}
