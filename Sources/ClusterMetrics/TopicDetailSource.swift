import ArgumentParser
import Cluster
import Exposition
import Kafka
import MetricSources
import Support

/// Replication factor from metadata, and retention, cleanup policy and min.insync.replicas from
/// DescribeConfigs, with the partitions whose in-sync replicas fall below min.insync.replicas (where
/// producers with acks=all are refused).
package struct TopicDetailSource: ClusterStateSource {
    package let name = "topic_detail"
    package static var declaredFamilies: [MetricFamily] { perTopic.declaredFamilies + [cleanupPolicy, underMinInSyncReplicas] }
    let reader: TopicConfigReader?

    package init(reader: TopicConfigReader?) {
        self.reader = reader
    }

    package func families(from state: ClusterState) -> [MetricFamily] {
        reader?.follow(state.topics.map(\.name))
        return Self.families(state.topics, configs: reader?.configs ?? [:])
    }

    private struct Row {
        let topic: TopicState
        let config: TopicConfig?
    }

    private static let perTopic = FamilyTable<Row>(labelNames: ["topic"], [
        .init("kafka_topic_replication_factor", .gauge, "Replicas of the topic's partitions (the largest count among them), from metadata.") {
            Double($0.topic.partitions.map(\.info.replicas.count).max() ?? 0)
        },
        .init("kafka_topic_config_retention_seconds", .gauge, "The topic's retention.ms in seconds; -1 keeps records forever.") {
            $0.config?.retentionMilliseconds.map { $0 < 0 ? -1 : $0 / 1000 }
        },
        .init("kafka_topic_config_retention_bytes", .gauge, "The topic's retention.bytes per partition; -1 has no size limit.") {
            $0.config?.retentionBytes
        },
        .init("kafka_topic_config_min_insync_replicas", .gauge, "The topic's min.insync.replicas.") {
            $0.config?.minInSyncReplicas.map(Double.init)
        },
    ])

    private static let cleanupPolicy = MetricFamily(
        name: "kafka_topic_config_cleanup_policy", help: "1 for each cleanup.policy of the topic (delete, compact).",
        type: .gauge, labelNames: ["topic", "policy"])
    private static let underMinInSyncReplicas = MetricFamily(
        name: "kafka_topic_partition_under_min_isr",
        help: "1 when the partition has fewer in-sync replicas than min.insync.replicas: producers with acks=all are refused.",
        type: .gauge, labelNames: ["topic", "partition"])

    package static func families(_ topics: [TopicState], configs: [String: TopicConfig]) -> [MetricFamily] {
        var filling = perTopic.filling(capacity: topics.count)
        var cleanup = cleanupPolicy
        var underMinISR = underMinInSyncReplicas
        for topic in topics {
            let config = configs[topic.name]
            filling.add(Row(topic: topic, config: config), topic.name)
            for policy in config?.cleanupPolicies ?? [] { cleanup.add(topic.name, policy, 1) }
            guard let minimum = config?.minInSyncReplicas else { continue }
            for partition in topic.partitions {
                underMinISR.add(topic.name, String(partition.info.id), partition.info.inSyncReplicas.count < minimum ? 1 : 0)
            }
        }
        return filling.families + [cleanup, underMinISR]
    }

    package func start(publish: @escaping @Sendable ([MetricFamily]) -> Void) {
        reader?.start()
    }

    package func stop() {
        reader?.stop()
    }
}

/// `--topic.config-interval`: how often topic configs are read (0s turns DescribeConfigs off; the
/// replication factor comes from metadata and stays).
package struct TopicDetailOptions: SourceOptions {
    @Option(name: .customLong("topic.config-interval"), help: "How often topic configs are read with DescribeConfigs (0s: never).") package var configInterval = DurationParsing.format(TopicConfigReader.Settings().interval)

    package init() {}

    /// The interval between two reads of the topic configs; zero turns them off.
    package func settings() throws(ConfigurationError) -> Duration {
        try FlagValue.duration(configInterval, flag: "--topic.config-interval")
    }

    package func makeSource(_ interval: Duration, in context: SourceContext) throws -> TopicDetailSource? {
        // Topics are cluster-wide: with shards, replica 0 alone has this source.
        guard context.shard.ownsClusterWide else { return nil }
        guard interval > .zero else { return TopicDetailSource(reader: nil) }
        var settings = TopicConfigReader.Settings()
        settings.interval = interval
        return TopicDetailSource(reader: TopicConfigReader(settings: settings, admin: context.kafka.admin(role: "topic-configs"), logger: context.logger))
    }
}
