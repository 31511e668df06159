import Cluster
import Exposition
import HTTP

/// Where metric families come from. Everything `/metrics` shows is published by one source, through one
/// path (`SourceSet`): after every collection cycle, and by sources with threads of their own whenever
/// they have something new. docs/architecture.md shows how to add one.
package protocol MetricSource: Sendable {
    /// The source's name in the registry; unique. Its families replace each other, never another source's.
    var name: String { get }

    /// Every family the source can publish, without samples, known without running it: docs/metrics.md
    /// is generated from these, and debug builds stop at a published family that is not one of them.
    static var declaredFamilies: [MetricFamily] { get }

    /// The families after a collection cycle, or nil to keep those published last. Called on the
    /// collection thread, once per cycle and in order, so a source may keep history between calls; it
    /// must not block on Kafka (sources that read Kafka do it on their own threads).
    func families(after cycle: CollectionCycle) -> [MetricFamily]?

    /// HTTP endpoints the source answers besides `/metrics`; none of them may talk to Kafka.
    var routes: [Route] { get }

    /// Starts the source's own threads; `publish` replaces its families at any time. Called once,
    /// before the first cycle.
    func start(publish: @escaping @Sendable ([MetricFamily]) -> Void)

    /// Stops those threads; called once, after the last cycle.
    func stop()
}

extension MetricSource {
    package var routes: [Route] { [] }
    package func start(publish: @escaping @Sendable ([MetricFamily]) -> Void) {}
    package func stop() {}
}

/// A source derived from what each cycle read of the cluster: a cycle that could not read the cluster
/// publishes nothing, so the families of the last good one stay served.
package protocol ClusterStateSource: MetricSource {
    func families(from state: ClusterState) -> [MetricFamily]
}

extension ClusterStateSource {
    package func families(after cycle: CollectionCycle) -> [MetricFamily]? {
        cycle.state.map(families(from:))
    }
}
