import CRdKafka

/// A librdkafka error code with its text; Kafka errors never reach callers as bare Int32s.
package struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    package let code: Int32
    package let message: String

    init(_ code: rd_kafka_resp_err_t, _ message: String? = nil) {
        self.code = code.rawValue
        self.message = message ?? String(cString: rd_kafka_err2str(code))
    }

    /// Wraps an `rd_kafka_error_t`, destroying it when `owned`.
    init(error: OpaquePointer, owned: Bool) {
        self.code = rd_kafka_error_code(error).rawValue
        self.message = String(cString: rd_kafka_error_string(error))
        if owned { rd_kafka_error_destroy(error) }
    }

    /// An error detected on our side of the API, e.g. a call that never answered.
    package static func timedOut(_ what: String) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, "\(what) timed out")
    }

    /// A call on a client that was closed.
    package static func closed(_ client: String) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__DESTROY, "\(client) is closed")
    }

    package static func invalidArgument(_ message: String) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, message)
    }

    package var description: String { message }

    package var isTimeout: Bool {
        code == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue || code == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue
    }

    /// The broker does not implement the request (e.g. ListGroups on librdkafka's mock cluster).
    package var isUnsupported: Bool {
        [RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE, RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION, RD_KAFKA_RESP_ERR_INVALID_REQUEST]
            .contains { $0.rawValue == code }
    }

    /// The call was made on a client that was closed (`KafkaError.closed`).
    package var isClosedClient: Bool { code == RD_KAFKA_RESP_ERR__DESTROY.rawValue }

    /// The offset asked for is not in the log (with `auto.offset.reset` = `error`, librdkafka's own code).
    package var isOffsetOutOfRange: Bool {
        [RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE, RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET].contains { $0.rawValue == code }
    }

    package var isQueueFull: Bool { code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue }

    /// The group does not exist on the broker (deleted, expired, or never created).
    package var isUnknownGroup: Bool {
        [RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE]
            .contains { $0.rawValue == code }
    }

    package static func check(_ code: rd_kafka_resp_err_t, _ context: String) throws(KafkaError) {
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code, "\(context): \(String(cString: rd_kafka_err2str(code)))")
        }
    }
}

/// librdkafka's version, e.g. "2.0.2".
package var librdkafkaVersion: String {
    String(cString: rd_kafka_version_str())
}
