import CRdKafka

/// Topic admin calls: creating a topic with an explicit replica assignment, and reading topic configs.
extension AdminClient {
    /// Creates `name` with one partition per entry of `replicas` (each a broker list, preferred leader
    /// first). A topic that already exists fails with `TOPIC_ALREADY_EXISTS` (see `isTopicAlreadyExisting`).
    package func createTopic(_ name: String, replicas: [[Int32]], timeout: Duration) throws(KafkaError) {
        guard !replicas.isEmpty else { throw KafkaError.invalidArgument("CreateTopics \(name): no partitions") }
        var errorText = [CChar](repeating: 0, count: 512)
        guard let topic = rd_kafka_NewTopic_new(name, Int32(replicas.count), -1, &errorText, errorText.count) else {
            throw KafkaError.invalidArgument("CreateTopics \(name): \(string(fromCBuffer: errorText))")
        }
        defer { rd_kafka_NewTopic_destroy(topic) }
        for (partition, brokers) in replicas.enumerated() {
            var brokers = brokers
            let code = rd_kafka_NewTopic_set_replica_assignment(
                topic, Int32(partition), &brokers, brokers.count, &errorText, errorText.count)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(code, "CreateTopics \(name): \(string(fromCBuffer: errorText))")
            }
        }
        try request(RD_KAFKA_ADMIN_OP_CREATETOPICS, named: "CreateTopics", timeout: timeout) { call in
            var topics: [OpaquePointer?] = [topic]
            call.submit(opaque: 0) { rd_kafka_CreateTopics($0, &topics, 1, $1, $2) }
        } read: { (event) throws(KafkaError) in
            guard let result = rd_kafka_event_CreateTopics_result(event) else {
                throw KafkaError.invalidArgument("CreateTopics: unexpected event")
            }
            var count = 0
            guard let topics = rd_kafka_CreateTopics_result_topics(result, &count), count > 0, let created = topics[0] else {
                throw KafkaError.invalidArgument("CreateTopics: no result for \(name)")
            }
            let code = rd_kafka_topic_result_error(created)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(code, "CreateTopics \(name): \(rd_kafka_topic_result_error_string(created).map { String(cString: $0) } ?? "")")
            }
        }
    }

    /// The configuration of each topic (every entry the broker returns, defaults included), one
    /// DescribeConfigs request for all of `topics`. A topic the broker could not describe gets its error.
    package func describeTopicConfigs(_ topics: [String], timeout: Duration) throws(KafkaError) -> [String: Result<[String: String], KafkaError>] {
        guard !topics.isEmpty else { return [:] }
        let resources = topics.map { rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, $0) }
        defer { resources.forEach { rd_kafka_ConfigResource_destroy($0) } }
        return try request(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, named: "DescribeConfigs", timeout: timeout) { call in
            var pointers = resources
            call.submit(opaque: 0) { rd_kafka_DescribeConfigs($0, &pointers, pointers.count, $1, $2) }
        } read: { (event) throws(KafkaError) in
            guard let result = rd_kafka_event_DescribeConfigs_result(event) else {
                throw KafkaError.invalidArgument("DescribeConfigs: unexpected event")
            }
            var count = 0
            guard let described = rd_kafka_DescribeConfigs_result_resources(result, &count) else { return [:] }
            var configs: [String: Result<[String: String], KafkaError>] = [:]
            for resource in UnsafeBufferPointer(start: described, count: count) {
                guard let resource else { continue }
                let name = String(cString: rd_kafka_ConfigResource_name(resource))
                let code = rd_kafka_ConfigResource_error(resource)
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    configs[name] = .failure(KafkaError(code, rd_kafka_ConfigResource_error_string(resource).map { String(cString: $0) }))
                    continue
                }
                var entryCount = 0
                let entries = rd_kafka_ConfigResource_configs(resource, &entryCount)
                var values: [String: String] = [:]
                for entry in UnsafeBufferPointer(start: entries, count: entryCount) {
                    guard let entry, let value = rd_kafka_ConfigEntry_value(entry) else { continue }
                    values[String(cString: rd_kafka_ConfigEntry_name(entry))] = String(cString: value)
                }
                configs[name] = .success(values)
            }
            return configs
        }
    }
}

extension KafkaError {
    package var isTopicAlreadyExisting: Bool { code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS.rawValue }
}
