import CRdKafka

extension KafkaClient {
    /// Brokers, topics and partitions (with leader, replicas and ISR) of the whole cluster: one request.
    /// A broker that goes down after it was asked leaves the request unanswered until its deadline, so
    /// a request not answered within a third of `timeout`, or whose connection failed, is asked again
    /// (librdkafka picks a broker that is up) until `timeout` has passed: a cluster that still has a
    /// broker serving is read.
    package func fetchMetadata(timeout: Duration) throws(KafkaError) -> ClusterMetadata {
        let deadline = ContinuousClock.now + timeout
        let attempt = max(timeout / 3, .seconds(1))
        while true {
            let remaining = deadline - .now
            do {
                return try withHandle { (handle) throws(KafkaError) in
                    try Self.metadata(handle, topic: nil, timeout: min(attempt, remaining), what: "metadata")
                }
            } catch where (error.isTimeout || error.code == RD_KAFKA_RESP_ERR__TRANSPORT.rawValue) && deadline - .now > .milliseconds(100) {
                continue
            }
        }
    }

    /// One Metadata request: of every topic, or of `topic` alone.
    static func metadata(_ handle: OpaquePointer, topic: OpaquePointer?, timeout: Duration, what: String) throws(KafkaError) -> ClusterMetadata {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        try KafkaError.check(rd_kafka_metadata(handle, topic == nil ? 1 : 0, topic, &metadata, timeout.milliseconds), what)
        guard let metadata else { throw KafkaError.invalidArgument("\(what): empty response") }
        defer { rd_kafka_metadata_destroy(metadata) }
        return ClusterMetadata(metadata.pointee)
    }
}

extension Duration {
    /// Whole milliseconds for librdkafka's `int timeout_ms` parameters.
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

extension ClusterMetadata {
    init(_ md: rd_kafka_metadata) {
        let brokers = UnsafeBufferPointer(start: md.brokers, count: Int(md.broker_cnt)).map {
            Broker(id: $0.id, host: String(cString: $0.host), port: $0.port)
        }
        let topics = UnsafeBufferPointer(start: md.topics, count: Int(md.topic_cnt)).map { topic in
            TopicInfo(
                name: String(cString: topic.topic),
                partitions: UnsafeBufferPointer(start: topic.partitions, count: Int(topic.partition_cnt)).map { p in
                    PartitionInfo(
                        id: p.id, leader: p.leader,
                        replicas: Array(UnsafeBufferPointer(start: p.replicas, count: Int(p.replica_cnt))),
                        inSyncReplicas: Array(UnsafeBufferPointer(start: p.isrs, count: Int(p.isr_cnt))),
                        error: p.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(p.err))
                },
                error: topic.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(topic.err))
        }
        self.init(brokers: brokers, topics: topics)
    }
}
