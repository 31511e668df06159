import CRdKafka

/// librdkafka's in-process mock cluster: real Kafka protocol over TCP on loopback ports.
/// It lacks ListGroups, DescribeGroups and DescribeConfigs, and has no controller for CreateTopics
/// (librdkafka 2.0.2).
package final class MockCluster: @unchecked Sendable {
    private let host: KafkaClient
    package let cluster: OpaquePointer
    package let bootstrapServers: String
    package let brokerIDs: [Int32]

    package init(brokers: Int, callbacks: ClientCallbacks = ClientCallbacks()) throws(KafkaError) {
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

    package func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        try KafkaError.check(
            rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor)), "create topic \(name)")
    }

    /// Makes `broker` the leader of the partition (the mock picks leaders at random on creation).
    package func setLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker), "leader of \(topic)[\(partition)]")
    }

    /// Closes the broker's listener and connections, as if it had crashed.
    package func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_down(cluster, id), "broker \(id) down")
    }

    package func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_up(cluster, id), "broker \(id) up")
    }
}
