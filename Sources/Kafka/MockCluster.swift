import CRdKafka

/// librdkafka's in-process mock cluster: real Kafka protocol over TCP on loopback ports.
/// It lacks ListGroups, DescribeGroups and DescribeConfigs, and has no controller for CreateTopics
/// (librdkafka 2.0.2).
package final class MockCluster: Sendable {
    private let cluster: MockClusterHandle
    package let bootstrapServers: String
    package let brokerIDs: [Int32]

    package init(brokers: Int, callbacks: ClientCallbacks = ClientCallbacks()) throws(KafkaError) {
        // The host handle never connects anywhere; its "no bootstrap.servers" notice is noise.
        let configuration = ClientConfiguration([("client.id", "mock-cluster"), ("log_level", "4")])
        let host = try KafkaClient(kind: .producer, configuration: configuration, callbacks: callbacks)
        cluster = try MockClusterHandle(host: host.retainHandle(), brokers: brokers)
        bootstrapServers = cluster.use { String(cString: rd_kafka_mock_cluster_bootstraps($0)) }
        brokerIDs = (1...Int32(brokers)).map { $0 }
    }

    package func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        try KafkaError.check(
            cluster.use { rd_kafka_mock_topic_create($0, name, Int32(partitions), Int32(replicationFactor)) }, "create topic \(name)")
    }

    /// Makes `broker` the leader of the partition (the mock picks leaders at random on creation).
    package func setLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try KafkaError.check(
            cluster.use { rd_kafka_mock_partition_set_leader($0, topic, partition, broker) }, "leader of \(topic)[\(partition)]")
    }

    /// Closes the broker's listener and connections, as if it had crashed.
    package func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(cluster.use { rd_kafka_mock_broker_set_down($0, id) }, "broker \(id) down")
    }

    package func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(cluster.use { rd_kafka_mock_broker_set_up($0, id) }, "broker \(id) up")
    }

    /// Makes the next `errors.count` requests of `apiKey` fail with these codes.
    package func pushRequestErrors(apiKey: Int16, errors: [KafkaErrorCode]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        cluster.use { rd_kafka_mock_push_request_errors_array($0, apiKey, codes.count, codes) }
    }

    /// Delays every response of `broker` by `rtt` (zero restores it).
    package func setRoundTripTime(broker: Int32, _ rtt: Duration) {
        _ = cluster.use { rd_kafka_mock_broker_set_rtt($0, broker, rtt.milliseconds) }
    }
}

/// The `rd_kafka_mock_cluster_t`, which keeps its host handle alive until it is destroyed.
private final class MockClusterHandle: @unchecked Sendable {
    private let host: KafkaHandle
    private let pointer: OpaquePointer

    init(host: KafkaHandle, brokers: Int) throws(KafkaError) {
        guard let pointer = host.use({ rd_kafka_mock_cluster_new($0, Int32(brokers)) }) else {
            throw KafkaError.invalidArgument("could not start the mock cluster")
        }
        self.host = host
        self.pointer = pointer
    }

    deinit {
        rd_kafka_mock_cluster_destroy(pointer)
    }

    func use<Result>(_ body: (OpaquePointer) -> Result) -> Result {
        body(pointer)
    }
}

/// Kafka protocol API keys that tests inject errors into.
package enum KafkaAPIKey {
    package static let produce: Int16 = 0
    package static let fetch: Int16 = 1
    package static let listOffsets: Int16 = 2
    package static let offsetCommit: Int16 = 8
}

/// Broker error codes that tests inject; the raw values are Kafka's protocol codes.
package struct KafkaErrorCode: RawRepresentable, Sendable, Equatable {
    package let rawValue: Int32
    package init(rawValue: Int32) { self.rawValue = rawValue }

    package static let notLeaderForPartition = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue)
    package static let requestTimedOut = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue)
    package static let notEnoughReplicas = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue)
    package static let invalidRecord = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_INVALID_RECORD.rawValue)
    package static let offsetOutOfRange = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE.rawValue)
    package static let topicAuthorizationFailed = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED.rawValue)
    package static let coordinatorNotAvailable = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE.rawValue)
}
