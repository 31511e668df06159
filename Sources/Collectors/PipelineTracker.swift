import Exposition
import Foundation
import Kafka
import Synchronization

/// Messages in and out of each declared pipeline stage per second, and their ratio, over a window of
/// collection cycles: a stage that emits more than it takes in (a router producing every record twice)
/// shows an amplification ratio above 1.
///
/// In = messages the stage's group consumed from its inputs (growth of its committed offsets);
/// out = messages written into its outputs (growth of their newest offsets). Both are accumulated from
/// positive per-partition deltas, so a recreated topic or a group reset never makes them go backwards.
public final class PipelineTracker: Sendable {
    public let stages: [PipelineStage]
    public let window: Duration

    private struct Point {
        let time: Date
        let consumed: Double
        let produced: Double
    }

    private struct StageHistory {
        var consumed = 0.0
        var produced = 0.0
        var lastCommitted: [TopicPartition: Int64] = [:]
        var lastNewest: [TopicPartition: Int64] = [:]
        var points: [Point] = []
    }

    private let histories: Mutex<[String: StageHistory]>

    public init(stages: [PipelineStage], window: Duration) {
        self.stages = stages
        self.window = window
        histories = Mutex(Dictionary(stages.map { ($0.name, StageHistory()) }, uniquingKeysWith: { first, _ in first }))
    }

    public struct Rates: Sendable, Equatable {
        public let inPerSecond: Double
        public let outPerSecond: Double
        /// Out / in; nil while the stage consumed nothing in the window (no traffic) and until a whole
        /// window of cycles exists (start-up).
        public let amplification: Double?
        /// The span the rates were measured over.
        public let seconds: Double
    }

    /// Adds a cycle; returns each stage's rates once two cycles are known.
    public func update(with state: ClusterState) -> [String: Rates] {
        let newest = state.newestOffsets
        let committedByGroup = Dictionary(state.groups.map { ($0.id, $0.committedOffsets) }, uniquingKeysWith: { first, _ in first })
        return histories.withLock { histories in
            var rates: [String: Rates] = [:]
            for stage in stages {
                var history = histories[stage.name]!
                let inputs = Set(stage.inputs), outputs = Set(stage.outputs)
                let committed = (committedByGroup[stage.group] ?? [:]).filter { inputs.contains($0.key.topic) }
                history.consumed += OffsetGrowth.sum(from: history.lastCommitted, to: committed)
                history.lastCommitted = committed
                let produced = newest.filter { outputs.contains($0.key.topic) }
                history.produced += OffsetGrowth.sum(from: history.lastNewest, to: produced)
                history.lastNewest = produced
                history.points.append(Point(time: state.collectedAt, consumed: history.consumed, produced: history.produced))
                history.points.removeAll { state.collectedAt.timeIntervalSince($0.time) > window.seconds * 2 }
                rates[stage.name] = Self.rates(history.points, window: window)
                histories[stage.name] = history
            }
            return rates.compactMapValues { $0 }
        }
    }

    public func families(_ rates: [String: Rates]) -> [MetricFamily] {
        var messagesIn = MetricFamily(
            name: "kafka_pipeline_messages_in_per_second",
            help: "Messages the stage's consumer group consumed from its input topics, per second over the pipeline window.",
            type: .gauge, labelNames: ["stage"])
        var messagesOut = MetricFamily(
            name: "kafka_pipeline_messages_out_per_second",
            help: "Messages written into the stage's output topics, per second over the pipeline window.",
            type: .gauge, labelNames: ["stage"])
        var amplification = MetricFamily(
            name: "kafka_pipeline_amplification_ratio",
            help: "Messages out per message in over the pipeline window (1 for a router; absent without input traffic).",
            type: .gauge, labelNames: ["stage"])
        var span = MetricFamily(
            name: "kafka_pipeline_window_seconds", help: "The span the stage's rates were measured over.",
            type: .gauge, labelNames: ["stage"])
        for stage in stages {
            guard let rate = rates[stage.name] else { continue }
            messagesIn.add(stage.name, rate.inPerSecond)
            messagesOut.add(stage.name, rate.outPerSecond)
            span.add(stage.name, rate.seconds)
            if let ratio = rate.amplification { amplification.add(stage.name, ratio) }
        }
        return [messagesIn, messagesOut, amplification, span]
    }

    /// Rates between the newest point and the oldest one still inside the window.
    private static func rates(_ points: [Point], window: Duration) -> Rates? {
        guard let last = points.last else { return nil }
        guard let first = points.first(where: { last.time.timeIntervalSince($0.time) <= window.seconds }),
              last.time.timeIntervalSince(first.time) > 0
        else { return nil }
        let seconds = last.time.timeIntervalSince(first.time)
        let consumed = last.consumed - first.consumed, produced = last.produced - first.produced
        // In and out are read at different moments of a stage's work (commits trail the records they
        // produced), so over a partial window after a start their ratio swings; it waits for a full one.
        let windowIsFull = points[0].time <= last.time.addingTimeInterval(-window.seconds)
        return Rates(
            inPerSecond: consumed / seconds, outPerSecond: produced / seconds,
            amplification: consumed > 0 && windowIsFull ? produced / consumed : nil, seconds: seconds)
    }
}
