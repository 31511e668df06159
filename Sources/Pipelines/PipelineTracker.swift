import Cluster
import Exposition
import Kafka
import Support

/// Messages in and out of each declared pipeline stage per second, and their ratio, over a window of
/// collection cycles: a stage that emits more than it takes in (a router producing every record twice)
/// shows an amplification ratio above 1.
///
/// In = messages the stage's group consumed from its inputs (growth of its committed offsets);
/// out = messages written into its outputs (growth of their newest offsets). Both are counted over the
/// same span, which starts only once both sides are known (`StageFlow`) and ends at cycles that
/// showed a new commit of the group in a steady stretch of output (`FlowHistory.span(over:)`). The
/// ratio is shown once its bound is within `RatioPrecision.publishedWithin`: as soon as the records
/// counted outweigh those the counts cannot place (the lag at the span's ends).
package final class PipelineTracker: Sendable {
    package let stages: [PipelineStage]
    package let window: Duration
    private let flows = Locked<[String: StageFlow]>([:])

    package init(stages: [PipelineStage], window: Duration) {
        (self.stages, self.window) = (stages, window)
    }

    package struct Rates: Sendable, Equatable {
        package let inPerSecond: Double
        package let outPerSecond: Double
        /// Out / in; nil while the stage consumed nothing in the span (no traffic) and while its bound
        /// is above `RatioPrecision.publishedWithin` (too few records yet, or a backlog at an end).
        package let amplification: Double?
        /// How far out / in may be from the stage's true ratio; nil while it cannot be bounded (no
        /// input, or no span between two commits yet).
        package let bound: Double?
        /// Records the stage consumed over the span.
        package let records: Double
        /// The span the rates were measured over.
        package let seconds: Double
        /// `seconds` as a share of the window, 0 to 1.
        package let coverage: Double

        package init(
            inPerSecond: Double, outPerSecond: Double, amplification: Double?, bound: Double?, records: Double, seconds: Double,
            coverage: Double
        ) {
            (self.inPerSecond, self.outPerSecond, self.amplification, self.bound) = (inPerSecond, outPerSecond, amplification, bound)
            (self.records, self.seconds, self.coverage) = (records, seconds, coverage)
        }
    }

    /// Adds a cycle; returns each stage's rates once two cycles with both sides are known. A stage whose
    /// group is missing from the cycle keeps its history and its previous rates.
    package func update(with state: ClusterState) -> [String: Rates] {
        let newest = state.newestOffsets
        let committedByGroup = Dictionary(state.groups.map { ($0.id, $0.committedOffsets) }, uniquingKeysWith: { first, _ in first })
        let seconds = window.seconds, time = state.collectedAt.timeIntervalSince1970
        return flows.withLock { flows in
            var rates: [String: Rates] = [:]
            for stage in stages where state.shard.owns(stage.group) {
                var flow = flows[stage.name] ?? StageFlow(window: seconds)
                if let committed = committedByGroup[stage.group] {
                    let inputs = Set(stage.inputs)
                    flow.advance(
                        consumed: committed.filter { inputs.contains($0.key.topic) }, available: newest.partitions(of: inputs),
                        produced: newest.partitions(of: Set(stage.outputs)), at: time)
                    flows[stage.name] = flow
                }
                rates[stage.name] = flow.history.span(over: seconds).map { Self.rates($0, window: seconds) }
            }
            return rates.compactMapValues { $0 }
        }
    }

    private static func rates(_ span: FlowHistory.Span, window: Double) -> Rates {
        let bound = span.ratioBound.isFinite ? span.ratioBound : nil
        return Rates(
            inPerSecond: span.consumed / span.seconds, outPerSecond: span.produced / span.seconds,
            amplification: bound.flatMap { $0 <= RatioPrecision.publishedWithin ? span.ratio : nil }, bound: bound,
            records: span.consumed, seconds: span.seconds, coverage: min(1, span.seconds / window))
    }

    static var declaredFamilies: [MetricFamily] { families.declaredFamilies }

    private static let families = FamilyTable<Rates>(labelNames: ["stage"], [
        .init(
            "kafka_pipeline_messages_in_per_second", .gauge,
            "Messages the stage's consumer group consumed from its input topics, per second over the span measured."
        ) { $0.inPerSecond },
        .init(
            "kafka_pipeline_messages_out_per_second", .gauge,
            "Messages written into the stage's output topics, per second over the span measured."
        ) { $0.outPerSecond },
        .init(
            "kafka_pipeline_amplification_ratio", .gauge,
            "Messages out per message in over the span measured (1 for a router); present once it is exact to \(RatioPrecision.publishedWithin) (kafka_pipeline_amplification_ratio_bound)."
        ) { $0.amplification },
        .init(
            "kafka_pipeline_amplification_ratio_bound", .gauge,
            "How far the measured messages out per message in may be from the true ratio: the outputs of the records not yet committed at either end of the span, over the records consumed in it."
        ) { $0.bound },
        .init(
            "kafka_pipeline_window_records", .gauge,
            "Messages the stage consumed over the span measured: the count behind its ratio."
        ) { $0.records },
        .init(
            "kafka_pipeline_window_seconds", .gauge,
            "The span the stage's rates were measured over: cycles in which both its inputs' commits and its outputs' offsets were known, at most the pipeline window."
        ) { $0.seconds },
        .init(
            "kafka_pipeline_window_coverage_ratio", .gauge,
            "kafka_pipeline_window_seconds as a share of the pipeline window (0 to 1)."
        ) { $0.coverage },
    ])

    package func families(_ rates: [String: Rates]) -> [MetricFamily] {
        var families = Self.families.filling()
        for stage in stages {
            if let rate = rates[stage.name] { families.add(rate, stage.name) }
        }
        return families.families
    }
}
