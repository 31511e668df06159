import CRdKafka
import Kafka

extension MockCluster {
    /// Makes the next `errors.count` requests of `apiKey` (e.g. 0 = Produce) fail with these codes.
    package func pushRequestErrors(apiKey: Int16, errors: [KafkaErrorCode]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, codes.count, codes)
    }

    /// Delays every response of `broker` by `rtt` (zero restores it).
    package func setRoundTripTime(broker: Int32, _ rtt: Duration) {
        rd_kafka_mock_broker_set_rtt(cluster, broker, Int32(rtt.components.seconds * 1000 + rtt.components.attoseconds / 1_000_000_000_000_000))
    }
}

/// Kafka protocol API keys that tests inject errors into.
package enum KafkaAPIKey {
    package static let produce: Int16 = 0
    package static let fetch: Int16 = 1
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
