import FoundationEssentials
import Kafka
import Logging

/// The pipeline of the incident that started this project, on librdkafka's in-process mock cluster:
/// telegraf → `_rawdata` → router (group `router`) → `_policy` | `_flow` → groups `policy-store`, `flow-store`.
package final class DemoPipeline: Sendable {
    package struct Settings: Sendable {
        package var brokers = 3
        package var partitions = 3
        /// Messages per minute produced into `_rawdata`.
        package var messagesPerMinute = 200.0
        /// How often the demo clients emit librdkafka statistics to `statistics`.
        package var statisticsInterval: Duration = .seconds(5)

        package init() {}
    }

    package static let rawTopic = "_rawdata"
    package static let policyTopic = "_policy"
    package static let flowTopic = "_flow"
    /// The groups and the topic each consumes, for `--group.static`.
    package static let groups = [("router", rawTopic), ("policy-store", policyTopic), ("flow-store", flowTopic)]

    package let cluster: MockCluster
    /// Switches on the incident's retry bug in the router.
    package let retryBug = RetryBug()
    private let workers: [DemoWorker]

    /// `statistics` receives the librdkafka statistics JSON of every demo client (producer, router,
    /// stores), as an application's `stats_cb` would.
    package init(settings: Settings, logger: Logger, statistics: (@Sendable (String, [UInt8]) -> Void)? = nil) throws(KafkaError) {
        cluster = try MockCluster(brokers: settings.brokers)
        for topic in [Self.rawTopic, Self.policyTopic, Self.flowTopic] {
            try cluster.createTopic(topic, partitions: settings.partitions, replicationFactor: min(3, settings.brokers))
        }
        let clients = DemoClients(
            bootstrap: cluster.bootstrapServers, logger: logger, statistics: statistics, statisticsInterval: settings.statisticsInterval)
        let components: [DemoComponent] = [
            try TelegrafProducer(clients: clients, topic: Self.rawTopic, messagesPerMinute: settings.messagesPerMinute, bug: retryBug, logger: logger),
            try ClassifyingRouter(clients: clients, input: Self.rawTopic, bug: retryBug, logger: logger),
            try StoreConsumer(clients: clients, group: "policy-store", topic: Self.policyTopic, logger: logger),
            try StoreConsumer(clients: clients, group: "flow-store", topic: Self.flowTopic, logger: logger),
        ]
        workers = components.map(DemoWorker.init)
    }

    package var bootstrapServers: String { cluster.bootstrapServers }

    /// The probe's topic as an operator would create it: one partition led by each broker (the mock
    /// cluster cannot create topics through the admin API).
    package func createProbeTopic(_ name: String) throws(KafkaError) {
        try cluster.createTopic(name, partitions: cluster.brokerIDs.count, replicationFactor: min(3, cluster.brokerIDs.count))
        for (partition, broker) in cluster.brokerIDs.enumerated() {
            try cluster.setLeader(topic: name, partition: Int32(partition), broker: broker)
        }
    }

    package func start() {
        workers.forEach { $0.start() }
    }

    package func stop() {
        workers.forEach { $0.stop() }
    }
}
