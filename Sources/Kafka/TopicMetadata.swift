import CRdKafka

extension KafkaClient {
    /// Brokers and one topic's partitions: a Metadata request for that topic alone, nil where the cluster
    /// has no such topic. The request lets the broker create a missing topic when the handle's
    /// `allow.auto.create.topics` is true, which is librdkafka's default for producers.
    package func fetchMetadata(topic name: String, timeout: Duration) throws(KafkaError) -> (brokers: [Broker], topic: TopicInfo?) {
        let handle = try retainHandle()
        let topic = try TopicHandle(handle, name: name)
        let parsed = try handle.use { (handle) throws(KafkaError) in
            try topic.use { (topic) throws(KafkaError) in try Self.metadata(handle, topic: topic, timeout: timeout, what: "metadata \(name)") }
        }
        let found = parsed.topics.first { $0.name == name }
        if let error = found?.error {
            if error.code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue { return (parsed.brokers, nil) }
            throw error
        }
        return (parsed.brokers, found)
    }
}
