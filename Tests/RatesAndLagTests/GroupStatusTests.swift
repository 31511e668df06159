import Cluster
import RatesAndLag
import Kafka
import Testing
import TestSupport

@Suite struct GroupStatusTests {
    private let group = ["consumergroup": "g"]
    private let partition0 = ["consumergroup": "g", "topic": "t", "partition": "0"]
    private let tp0 = TopicPartition("t", 0)

    private func groupStatus(_ samples: ExpositionSamples) -> ConsumerStatus? {
        status(samples.value("kafka_consumergroup_status", group))
    }

    private func partitionStatus(_ samples: ExpositionSamples) -> ConsumerStatus? {
        status(samples.value("kafka_consumergroup_partition_status", partition0))
    }

    private func status(_ code: Double?) -> ConsumerStatus? {
        code.flatMap { code in ConsumerStatus.allCases.first { Double($0.code) == code } }
    }

    @Test func codesAreBurrows() {
        #expect(ConsumerStatus.allCases.map(\.code) == [0, 1, 2, 3, 4, 5, 6])
        #expect(ConsumerStatus.allCases.map(\.rawValue) == ["NOTFOUND", "OK", "WARN", "ERR", "STOP", "STALL", "REWIND"])
    }

    /// Burrow marks a consumer of an idle topic STOP because it stops committing; caught up is OK.
    @Test func anIdleTopicWithACaughtUpGroupThatNeverCommitsStaysOK() {
        var cluster = ScriptedCluster()
        cluster.topics = ["t": [500]]
        cluster.commits = ["g": [tp0: 500]]
        for second in stride(from: 0.0, through: 3600, by: 15) {
            let samples = cluster.cycle(at: second)
            #expect(partitionStatus(samples) == .ok && groupStatus(samples) == .ok)
        }
    }

    @Test func aGroupThatStopsCommittingWhileMessagesArriveIsStoppedAfterTheWindow() {
        var cluster = ScriptedCluster(statusWindow: .seconds(60))
        var statuses: [Double: ConsumerStatus] = [:]
        for second in stride(from: 0.0, through: 300, by: 10) {
            cluster.topics = ["t": [Int64(second)]]
            cluster.commits = ["g": [tp0: min(Int64(second), 100)]]  // last commit at 100 s
            let samples = cluster.cycle(at: second)
            statuses[second] = partitionStatus(samples)
            if second == 160 { #expect(groupStatus(samples) == .error) }
        }
        #expect(statuses[150] == .ok, "stopped for 50 s of a 60 s window")
        #expect(statuses[160] == .stop)
        #expect(statuses[300] == .stop)
    }

    @Test func resumingCommitsReturnsToOK() {
        var cluster = ScriptedCluster(statusWindow: .seconds(60))
        for second in stride(from: 0.0, through: 200, by: 10) {
            cluster.topics = ["t": [Int64(second)]]
            cluster.commits = ["g": [tp0: second < 100 ? 0 : Int64(second) - 5]]  // stuck at 0 until 100 s
            let samples = cluster.cycle(at: second)
            if second == 90 { #expect(partitionStatus(samples) == .stop) }
            if second == 100 { #expect(partitionStatus(samples) == .ok && groupStatus(samples) == .ok) }
        }
    }

    @Test func aLiveMemberThatDoesNotAdvanceIsStalledAndWithoutOneStopped() {
        var cluster = ScriptedCluster(statusWindow: .seconds(60))
        cluster.members = ["g": [[tp0]]]
        var last = ExpositionSamples("")
        for second in stride(from: 0.0, through: 120, by: 10) {
            cluster.topics = ["t": [Int64(second) + 10]]
            cluster.commits = ["g": [tp0: 5]]
            last = cluster.cycle(at: second)
        }
        #expect(partitionStatus(last) == .stall && groupStatus(last) == .error)
        cluster.members = ["g": []]
        cluster.topics = ["t": [200]]
        #expect(partitionStatus(cluster.cycle(at: 130)) == .stop)
    }

    @Test func anOffsetMovingBackwardsIsARewindForOneWindow() {
        var cluster = ScriptedCluster(statusWindow: .seconds(60))
        cluster.topics = ["t": [1000]]
        cluster.commits = ["g": [tp0: 900]]
        cluster.cycle(at: 0)
        cluster.commits = ["g": [tp0: 100]]
        let rewound = cluster.cycle(at: 10)
        #expect(partitionStatus(rewound) == .rewind && groupStatus(rewound) == .error)
        for second in stride(from: 20.0, through: 60, by: 10) {
            cluster.commits = ["g": [tp0: 100 + Int64(second) * 10]]
            #expect(partitionStatus(cluster.cycle(at: second)) == .rewind)
        }
        cluster.commits = ["g": [tp0: 1000]]
        #expect(partitionStatus(cluster.cycle(at: 70)) == .ok)
    }

    @Test func lagGrowingForAWholeWindowWhileCommittingIsAWarning() {
        var cluster = ScriptedCluster(statusWindow: .seconds(60))
        var statuses: [Double: ConsumerStatus] = [:]
        for second in stride(from: 0.0, through: 120, by: 10) {
            cluster.topics = ["t": [Int64(second) * 10]]
            cluster.commits = ["g": [tp0: Int64(second) * 5]]  // consuming at half the rate
            let samples = cluster.cycle(at: second)
            statuses[second] = partitionStatus(samples)
            if second == 120 { #expect(groupStatus(samples) == .warn) }
        }
        #expect(statuses[50] == .ok, "watched for less than a window")
        #expect(statuses[60] == .warn)
        #expect(statuses[120] == .warn)
    }

    @Test func aConstantLagWhileCommittingIsNotAWarning() {
        var cluster = ScriptedCluster(statusWindow: .seconds(60))
        for second in stride(from: 0.0, through: 200, by: 10) {
            cluster.topics = ["t": [Int64(second) * 10 + 50]]
            cluster.commits = ["g": [tp0: Int64(second) * 10]]
            #expect(partitionStatus(cluster.cycle(at: second)) == .ok)
        }
    }

    @Test func aLagThatDipsWithinTheWindowIsNotAWarning() {
        var cluster = ScriptedCluster(statusWindow: .seconds(60))
        for second in stride(from: 0.0, through: 200, by: 10) {
            cluster.topics = ["t": [Int64(second) * 10]]
            // Falls behind overall, but every 50 s a batch of 200 brings the lag down for a moment.
            cluster.commits = ["g": [tp0: Int64(second) * 5 + 200 * (Int64(second) / 50)]]
            #expect(partitionStatus(cluster.cycle(at: second)) == .ok)
        }
    }

    @Test func theGroupIsTheWorstOfItsPartitionsAndNotFoundWithoutAny() {
        #expect(ConsumerStatus.group(of: []) == .notFound)
        #expect(ConsumerStatus.group(of: [.ok, .ok]) == .ok)
        #expect(ConsumerStatus.group(of: [.ok, .warn, .ok]) == .warn)
        for problem in [ConsumerStatus.stop, .stall, .rewind] {
            #expect(ConsumerStatus.group(of: [.warn, problem, .ok]) == .error)
        }
        var cluster = ScriptedCluster()
        cluster.topics = ["t": [nil]]
        cluster.commits = ["g": [tp0: 5]]
        let samples = cluster.cycle(at: 0)
        #expect(groupStatus(samples) == .notFound)
        #expect(partitionStatus(samples) == nil)
    }

    @Test func theWindowIsAParameter() {
        for (window, stoppedAt) in [(30.0, 130.0), (120, 220)] {
            var cluster = ScriptedCluster(statusWindow: .seconds(window))
            var firstStop: Double?
            for second in stride(from: 0.0, through: 300, by: 10) {
                cluster.topics = ["t": [Int64(second)]]
                cluster.commits = ["g": [tp0: min(Int64(second), 100)]]
                if firstStop == nil, partitionStatus(cluster.cycle(at: second)) == .stop { firstStop = second }
            }
            #expect(firstStop == stoppedAt)
        }
    }
}
