import Cluster
import Exposition
import Kafka
import MetricSources
import Support

/// Every broker seen in metadata since the exporter started, with whether the latest metadata still
/// lists it: unlike `kafka_broker_info`, a broker that drops out keeps its series, at 0, so an alert
/// on it fires instead of going quiet. A restart of the exporter forgets decommissioned brokers.
package final class BrokerPresenceSource: ClusterStateSource {
    package let name = "broker_presence"
    package static let declaredFamilies = [up]
    private static let up = MetricFamily(
        name: "kafka_broker_up",
        help: "1 when the broker is in the latest metadata, 0 when it was seen earlier but is missing now; host and port as last seen.",
        type: .gauge, labelNames: ["id", "host", "port"])
    private let seen = Locked<[Int32: Broker]>([:])

    package init() {}

    package func families(from state: ClusterState) -> [MetricFamily] {
        let present = Set(state.brokers.map(\.id))
        let known = seen.withLock { seen in
            for broker in state.brokers { seen[broker.id] = broker }
            return seen.values.sorted { $0.id < $1.id }
        }
        var up = Self.up
        for broker in known {
            up.add(String(broker.id), broker.host, String(broker.port), present.contains(broker.id) ? 1 : 0)
        }
        return [up]
    }
}

/// Always on; it has no flags.
package struct BrokerPresenceOptions: SourceOptions {
    package init() {}

    /// Brokers are cluster-wide: with shards, replica 0 alone has this source.
    package func makeSource(_: Void, in context: SourceContext) throws -> BrokerPresenceSource? {
        context.shard.ownsClusterWide ? BrokerPresenceSource() : nil
    }
}
