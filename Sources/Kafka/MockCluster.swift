import CRdKafka

/// librdkafka's in-process mock cluster: real Kafka protocol over TCP on loopback ports.
/// It lacks ListGroups, DescribeGroups and DescribeConfigs (librdkafka 2.0.2).
public final class MockCluster: @unchecked Sendable {
    private let host: KafkaClient
    private let cluster: OpaquePointer
    public let bootstrapServers: String
    public let brokerIDs: [Int32]

    public init(brokers: Int, callbacks: ClientCallbacks = ClientCallbacks()) throws(KafkaError) {
        // The host handle never connects anywhere; its "no bootstrap.servers" notice is noise.
        let configuration = ClientConfiguration([("client.id", "mock-cluster"), ("log_level", "4")])
        host = try KafkaClient(kind: .producer, configuration: configuration, callbacks: callbacks)
        guard let cluster = rd_kafka_mock_cluster_new(host.handle, Int32(brokers)) else {
            throw KafkaError.invalidArgument("could not start the mock cluster")
        }
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        brokerIDs = (1...Int32(brokers)).map { $0 }
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        host.close()
    }

    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        try KafkaError.check(
            rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor)), "create topic \(name)")
    }

    /// Closes the broker's listener and connections, as if it had crashed.
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_down(cluster, id), "broker \(id) down")
    }

    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_up(cluster, id), "broker \(id) up")
    }

    /// Makes the next `errors.count` requests of `apiKey` (e.g. 0 = Produce) fail with these codes.
    public func pushRequestErrors(apiKey: Int16, errors: [KafkaErrorCode]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, codes.count, codes)
    }
}

/// Broker error codes that tests inject; the raw values are Kafka's protocol codes.
public struct KafkaErrorCode: RawRepresentable, Sendable, Equatable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let notLeaderForPartition = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue)
    public static let requestTimedOut = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue)
    public static let notEnoughReplicas = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue)
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE.rawValue)
}
