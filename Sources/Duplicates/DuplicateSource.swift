import Cluster
import Exposition
import Kafka
import MetricSources

/// Duplicate records in the topics matching `--duplicates.topic`: each cycle tells the reader which
/// partitions exist now and publishes what it counted.
package struct DuplicateSource: ClusterStateSource {
    package let name = "duplicates"
    package static var declaredFamilies: [MetricFamily] { DuplicateReader.declaredFamilies }
    let topics: NameFilter
    let reader: DuplicateReader

    package func families(from state: ClusterState) -> [MetricFamily] {
        reader.follow(Set(state.topics.filter { topics.accepts($0.name) && state.shard.owns($0.name) }.flatMap { topic in
            topic.partitions.map { TopicPartition(topic.name, $0.info.id) }
        }))
        return reader.families(at: state.collectedAt)
    }

    package func start(publish: @escaping @Sendable ([MetricFamily]) -> Void) {
        reader.start()
    }

    package func stop() {
        reader.stop()
    }
}
