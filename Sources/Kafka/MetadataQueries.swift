import CRdKafka
import Dispatch
import Synchronization

extension KafkaClient {
    /// Brokers, topics and partitions (with leader, replicas and ISR) of the whole cluster: one request.
    package func fetchMetadata(timeout: Duration) throws(KafkaError) -> ClusterMetadata {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        try KafkaError.check(rd_kafka_metadata(handle, 1, nil, &metadata, timeout.milliseconds), "metadata")
        guard let metadata else { throw KafkaError.invalidArgument("metadata: empty response") }
        defer { rd_kafka_metadata_destroy(metadata) }
        return ClusterMetadata(metadata.pointee)
    }

    package struct WatermarkResult: Sendable {
        package var watermarks: [TopicPartition: Watermarks] = [:]
        package var errors: [TopicPartition: KafkaError] = [:]

        package init() {}
    }

    /// Oldest and newest offsets of `partitions`. librdkafka groups the partitions by leader and sends one
    /// ListOffsets request per leader broker for each of the two ends, so the request count depends on
    /// the number of brokers, not partitions. Per-partition failures are reported, not thrown.
    package func fetchWatermarks(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> WatermarkResult {
        guard !partitions.isEmpty else { return WatermarkResult() }
        let ends = [SpecialOffset.earliest, SpecialOffset.latest]
        let lists = ends.map { PartitionList(partitions, offset: $0) }
        let codes = Mutex([rd_kafka_resp_err_t](repeating: RD_KAFKA_RESP_ERR_NO_ERROR, count: 2))
        let handle = SendablePointer(pointer: handle)
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let code = lists[index].withPointer { rd_kafka_offsets_for_times(handle.pointer, $0, timeout.milliseconds) }
            codes.withLock { $0[index] = code }
        }
        for code in codes.withLock({ $0 }) {
            try KafkaError.check(code, "list offsets")
        }
        var oldest: [TopicPartition: Int64] = [:]
        var result = WatermarkResult()
        lists[0].withElements { elements in
            for element in elements {
                if let error = element.error { result.errors[element.topicPartition] = error } else {
                    oldest[element.topicPartition] = element.offset
                }
            }
        }
        lists[1].withElements { elements in
            for element in elements {
                let partition = element.topicPartition
                if let error = element.error {
                    result.errors[partition] = error
                } else if let low = oldest[partition] {
                    result.watermarks[partition] = Watermarks(oldest: low, newest: element.offset)
                }
            }
        }
        return result
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
