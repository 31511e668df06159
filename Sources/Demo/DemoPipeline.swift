import Foundation
import Kafka
import Logging

/// The pipeline of the incident that started this project, on librdkafka's in-process mock cluster:
/// telegraf → `_rawdata` → router (group `router`) → `_policy` | `_flow` → groups `policy-store`, `flow-store`.
public final class DemoPipeline: Sendable {
    public struct Settings: Sendable {
        public var brokers = 3
        public var partitions = 3
        /// Messages per minute produced into `_rawdata`.
        public var messagesPerMinute = 200.0

        public init() {}
    }

    public static let rawTopic = "_rawdata"
    public static let policyTopic = "_policy"
    public static let flowTopic = "_flow"
    /// The groups and the topic each consumes, for `--group.static`.
    public static let groups = [("router", rawTopic), ("policy-store", policyTopic), ("flow-store", flowTopic)]

    public let cluster: MockCluster
    private let workers: [DemoWorker]

    public init(settings: Settings, logger: Logger) throws(KafkaError) {
        cluster = try MockCluster(brokers: settings.brokers, callbacks: .demo(logger))
        for topic in [Self.rawTopic, Self.policyTopic, Self.flowTopic] {
            try cluster.createTopic(topic, partitions: settings.partitions, replicationFactor: min(3, settings.brokers))
        }
        let bootstrap = cluster.bootstrapServers
        let components: [DemoComponent] = [
            try TelegrafProducer(bootstrap: bootstrap, topic: Self.rawTopic, messagesPerMinute: settings.messagesPerMinute, logger: logger),
            try Router(bootstrap: bootstrap, input: Self.rawTopic, logger: logger),
            try StoreConsumer(bootstrap: bootstrap, group: "policy-store", topic: Self.policyTopic, logger: logger),
            try StoreConsumer(bootstrap: bootstrap, group: "flow-store", topic: Self.flowTopic, logger: logger),
        ]
        workers = components.map(DemoWorker.init)
    }

    public var bootstrapServers: String { cluster.bootstrapServers }

    public func start() {
        workers.forEach { $0.start() }
    }

    public func stop() {
        workers.forEach { $0.stop() }
    }
}
