import CRdKafka
import Foundation

/// One admin call's result queue and options.
package final class AdminCall {
    package let queue: OpaquePointer
    private let handle: OpaquePointer
    private let operation: rd_kafka_admin_op_t
    private let timeout: Duration
    private var allOptions: [OpaquePointer] = []

    package init(client: KafkaClient, operation: rd_kafka_admin_op_t, timeout: Duration) {
        handle = client.handle
        queue = rd_kafka_queue_new(client.handle)
        self.operation = operation
        self.timeout = timeout
    }

    deinit {
        allOptions.forEach { rd_kafka_AdminOptions_destroy($0) }
        rd_kafka_queue_destroy(queue)
    }

    package func options(opaque: Int) -> OpaquePointer {
        let options = rd_kafka_AdminOptions_new(handle, operation)!
        var errorText = [CChar](repeating: 0, count: 256)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errorText, errorText.count)
        rd_kafka_AdminOptions_set_opaque(options, UnsafeMutableRawPointer(bitPattern: opaque))
        allOptions.append(options)
        return options
    }

    package func nextEvent(deadline: ContinuousClock.Instant) -> OpaquePointer? {
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { return nil }
            if let event = rd_kafka_queue_poll(queue, min(remaining, .milliseconds(500)).milliseconds + 1) {
                return event
            }
        }
    }

    package func check(_ event: OpaquePointer, _ what: String) throws(KafkaError) {
        let code = rd_kafka_event_error(event)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code, "\(what): \(String(cString: rd_kafka_event_error_string(event)))")
        }
    }
}

func withCStringArray<Result>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Result) -> Result {
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    var pointers = duplicates.map { UnsafePointer($0) }
    return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
