import Cluster
import Exposition
import Foundation
import Kafka
import Support
import Synchronization

/// Messages in and out of each declared pipeline stage per second, and their ratio, over a window of
/// collection cycles: a stage that emits more than it takes in (a router producing every record twice)
/// shows an amplification ratio above 1.
///
/// In = messages the stage's group consumed from its inputs (growth of its committed offsets);
/// out = messages written into its outputs (growth of their newest offsets). Both are accumulated from
/// positive per-partition deltas, so a recreated topic or a group reset never makes them go backwards.
package final class PipelineTracker: Sendable {
    package let stages: [PipelineStage]
    package let window: Duration

    /// The stage's two message counters: consumed from its inputs, produced into its outputs.
    private struct StageCounters {
        var consumed: MessageCounter
        var produced: MessageCounter
    }

    private let counters = Mutex<[String: StageCounters]>([:])

    package init(stages: [PipelineStage], window: Duration) {
        (self.stages, self.window) = (stages, window)
    }

    package struct Rates: Sendable, Equatable {
        package let inPerSecond: Double
        package let outPerSecond: Double
        /// Out / in; nil while the stage consumed nothing in the window (no traffic) and until a whole
        /// window of cycles exists (start-up).
        package let amplification: Double?
        /// The span the rates were measured over.
        package let seconds: Double
    }

    /// Adds a cycle; returns each stage's rates once two cycles are known.
    package func update(with state: ClusterState) -> [String: Rates] {
        let newest = state.newestOffsets
        let committedByGroup = Dictionary(state.groups.map { ($0.id, $0.committedOffsets) }, uniquingKeysWith: { first, _ in first })
        let seconds = window.seconds, time = state.collectedAt.timeIntervalSince1970
        return counters.withLock { counters in
            var rates: [String: Rates] = [:]
            for stage in stages where state.shard.owns(stage.group) {
                let inputs = Set(stage.inputs), outputs = Set(stage.outputs)
                let committed = (committedByGroup[stage.group] ?? [:]).filter { inputs.contains($0.key.topic) }
                let produced = newest.partitions(of: outputs)
                var stageCounters: StageCounters
                if var known = counters[stage.name] {
                    known.consumed.advance(to: committed, at: time)
                    known.produced.advance(to: produced, at: time)
                    stageCounters = known
                } else {
                    stageCounters = StageCounters(
                        consumed: MessageCounter(offsets: committed, at: time, maxAge: seconds),
                        produced: MessageCounter(offsets: produced, at: time, maxAge: seconds))
                }
                counters[stage.name] = stageCounters
                rates[stage.name] = Self.rates(stageCounters, window: seconds)
            }
            return rates.compactMapValues { $0 }
        }
    }

    private static let families = FamilyTable<Rates>(labelNames: ["stage"], [
        .init(
            "kafka_pipeline_messages_in_per_second", .gauge,
            "Messages the stage's consumer group consumed from its input topics, per second over the pipeline window."
        ) { $0.inPerSecond },
        .init(
            "kafka_pipeline_messages_out_per_second", .gauge,
            "Messages written into the stage's output topics, per second over the pipeline window."
        ) { $0.outPerSecond },
        .init(
            "kafka_pipeline_amplification_ratio", .gauge,
            "Messages out per message in over the pipeline window (1 for a router; absent without input traffic)."
        ) { $0.amplification },
        .init("kafka_pipeline_window_seconds", .gauge, "The span the stage's rates were measured over.") { $0.seconds },
    ])

    package func families(_ rates: [String: Rates]) -> [MetricFamily] {
        var families = Self.families.filling()
        for stage in stages {
            if let rate = rates[stage.name] { families.add(rate, stage.name) }
        }
        return families.families
    }

    /// Rates over the window (over the history while it is shorter). In and out are read at different
    /// moments of a stage's work (commits trail the records they produced), so over a partial window
    /// after a start their ratio swings: it waits for a full one.
    private static func rates(_ counters: StageCounters, window: Double) -> Rates? {
        guard let inPerSecond = counters.consumed.perSecond(over: window),
              let outPerSecond = counters.produced.perSecond(over: window)
        else { return nil }
        let span = counters.consumed.span
        return Rates(
            inPerSecond: inPerSecond, outPerSecond: outPerSecond,
            amplification: inPerSecond > 0 && span >= window ? outPerSecond / inPerSecond : nil,
            seconds: min(span, window))
    }
}
