import Cluster
import Exposition
import MetricSources

/// The kafka_exporter-compatible families of each cycle (`ClusterFamilies`).
package struct ClusterSource: ClusterStateSource {
    package let name = "cluster"
    package static var declaredFamilies: [MetricFamily] { ClusterFamilies.declared }

    package func families(from state: ClusterState) -> [MetricFamily] {
        ClusterFamilies.build(state)
    }
}

/// Always on; what it covers is set by the collection flags (`CollectionOptions`).
package struct ClusterSourceOptions: SourceOptions {
    package init() {}

    package func makeSource(_: Void, in context: SourceContext) throws -> ClusterSource? {
        ClusterSource()
    }
}
