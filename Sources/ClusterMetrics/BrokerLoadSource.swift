import Cluster
import Exposition
import MetricSources

/// Partitions each broker leads and hosts, over the collected topics: a broker that leads far more
/// than its share takes more of the produce and fetch traffic. `id` joins with `kafka_broker_info`.
package struct BrokerLoadSource: ClusterStateSource {
    package let name = "broker_load"
    package static let declaredFamilies = [leaderPartitions, replicaPartitions]

    private static let leaderPartitions = MetricFamily(
        name: "kafka_broker_leader_partitions", help: "Partitions of the collected topics whose leader is this broker.",
        type: .gauge, labelNames: ["id"])
    private static let replicaPartitions = MetricFamily(
        name: "kafka_broker_replica_partitions", help: "Partitions of the collected topics with a replica on this broker.",
        type: .gauge, labelNames: ["id"])

    package init() {}

    package func families(from state: ClusterState) -> [MetricFamily] {
        var leads: [Int32: Int] = [:]
        var hosts: [Int32: Int] = [:]
        for partition in state.topics.lazy.flatMap(\.partitions) {
            leads[partition.info.leader, default: 0] += 1
            for replica in partition.info.replicas { hosts[replica, default: 0] += 1 }
        }
        var leader = Self.leaderPartitions
        var replicas = Self.replicaPartitions
        for broker in state.brokers {
            leader.add(String(broker.id), Double(leads[broker.id] ?? 0))
            replicas.add(String(broker.id), Double(hosts[broker.id] ?? 0))
        }
        return [leader, replicas]
    }
}

/// Always on; it has no flags.
package struct BrokerLoadOptions: SourceOptions {
    package init() {}

    /// Brokers are cluster-wide: with shards, replica 0 alone has this source.
    package func makeSource(_: Void, in context: SourceContext) throws -> BrokerLoadSource? {
        context.shard.ownsClusterWide ? BrokerLoadSource() : nil
    }
}
