import Cluster
import Insights
import Foundation
import Kafka
import Support
import Testing

@Suite struct PipelineTrackerTests {
    private let stage = PipelineStage(name: "router", inputs: ["raw"], outputs: ["a", "b"])
    private let start = Date(timeIntervalSince1970: 1_700_000_000)

    /// A cycle at `second` where the router committed `consumed` on raw and a/b hold `outA`/`outB`.
    private func state(_ second: Double, consumed: Int64, outA: Int64, outB: Int64) -> ClusterState {
        let partition = { (id: Int32, newest: Int64) in
            PartitionState(info: PartitionInfo(id: id, leader: 1, replicas: [1], inSyncReplicas: [1]), watermarks: Watermarks(oldest: 0, newest: newest))
        }
        return ClusterState(
            collectedAt: start.addingTimeInterval(second), brokers: [],
            topics: [TopicState(name: "raw", partitions: [partition(0, consumed)]),
                     TopicState(name: "a", partitions: [partition(0, outA)]),
                     TopicState(name: "b", partitions: [partition(0, outB)])],
            groups: [ConsumerGroupState(id: "router", state: nil, members: nil, committedOffsets: [TopicPartition("raw", 0): consumed])])
    }

    @Test func aRouterThatEmitsWhatItTakesHasRatioOne() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(10))
        #expect(tracker.update(with: state(0, consumed: 0, outA: 0, outB: 0)).isEmpty, "no rates from a single cycle")
        let rates = tracker.update(with: state(10, consumed: 100, outA: 30, outB: 70))["router"]
        #expect(rates?.inPerSecond == 10 && rates?.outPerSecond == 10)
        #expect(rates?.amplification == 1 && rates?.seconds == 10)
    }

    @Test func producingEveryRecordTwiceHasRatioTwo() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(20))
        _ = tracker.update(with: state(0, consumed: 0, outA: 0, outB: 0))
        _ = tracker.update(with: state(10, consumed: 100, outA: 60, outB: 140))
        #expect(tracker.update(with: state(20, consumed: 200, outA: 120, outB: 280))["router"]?.amplification == 2)
    }

    @Test func noRatioUntilAWholeWindowOfCyclesExists() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(30))
        _ = tracker.update(with: state(0, consumed: 0, outA: 0, outB: 0))
        let partial = tracker.update(with: state(10, consumed: 50, outA: 100, outB: 0))["router"]
        #expect(partial?.inPerSecond == 5 && partial?.amplification == nil)
        _ = tracker.update(with: state(20, consumed: 100, outA: 200, outB: 0))
        #expect(tracker.update(with: state(30, consumed: 150, outA: 300, outB: 0))["router"]?.amplification == 2)
    }

    @Test func noInputTrafficGivesNoRatio() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(60))
        _ = tracker.update(with: state(0, consumed: 50, outA: 10, outB: 10))
        let rates = tracker.update(with: state(10, consumed: 50, outA: 10, outB: 10))["router"]
        #expect(rates?.inPerSecond == 0 && rates?.outPerSecond == 0)
        #expect(rates?.amplification == nil)
    }

    @Test func theWindowForgetsOlderCycles() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(30))
        _ = tracker.update(with: state(0, consumed: 0, outA: 0, outB: 0))
        _ = tracker.update(with: state(30, consumed: 100, outA: 200, outB: 0))  // the bug, then fixed
        _ = tracker.update(with: state(60, consumed: 200, outA: 300, outB: 0))
        #expect(tracker.update(with: state(90, consumed: 300, outA: 400, outB: 0))["router"]?.amplification == 1)
    }

    @Test func offsetsGoingBackwardsNeverMakeNegativeRates() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(60))
        _ = tracker.update(with: state(0, consumed: 500, outA: 500, outB: 500))
        let rates = tracker.update(with: state(10, consumed: 20, outA: 5, outB: 5))["router"]
        #expect(rates?.inPerSecond == 0 && rates?.outPerSecond == 0)
    }

    @Test func declarationsParse() throws {
        #expect(try PipelineStage(parsing: "router: _rawdata -> _policy,_flow") == PipelineStage(name: "router", inputs: ["_rawdata"], outputs: ["_policy", "_flow"]))
        #expect(try PipelineStage.parseFile("# stages\nrouter: raw -> a, b  # the router\n\nenrich:a->c\n").map(\.name) == ["router", "enrich"])
        for bad in ["router _rawdata -> x", ": a -> b", "r: a", "r: -> b", "r: a -> b -> c"] {
            #expect(throws: ConfigurationError.self) { try PipelineStage(parsing: bad) }
        }
    }
}
