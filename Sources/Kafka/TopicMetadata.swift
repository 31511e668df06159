import CRdKafka

extension KafkaClient {
    /// Brokers and one topic's partitions: a Metadata request for that topic alone, nil where the cluster
    /// has no such topic. The request lets the broker create a missing topic when the handle's
    /// `allow.auto.create.topics` is true, which is librdkafka's default for producers.
    package func fetchMetadata(topic name: String, timeout: Duration) throws(KafkaError) -> (brokers: [Broker], topic: TopicInfo?) {
        guard let topic = rd_kafka_topic_new(handle, name, nil) else {
            throw KafkaError(rd_kafka_last_error(), "metadata \(name)")
        }
        defer { rd_kafka_topic_destroy(topic) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        try KafkaError.check(rd_kafka_metadata(handle, 0, topic, &metadata, timeout.milliseconds), "metadata \(name)")
        guard let metadata else { throw KafkaError.invalidArgument("metadata: empty response") }
        defer { rd_kafka_metadata_destroy(metadata) }
        let parsed = ClusterMetadata(metadata.pointee)
        let found = parsed.topics.first { $0.name == name }
        if let error = found?.error {
            if error.code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue { return (parsed.brokers, nil) }
            throw error
        }
        return (parsed.brokers, found)
    }
}
