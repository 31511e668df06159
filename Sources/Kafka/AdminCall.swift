import CRdKafka
import Glibc

/// One admin call's result queue and options, which keep the handle they were made from alive; the
/// events read from the queue keep the call alive in turn, so each is destroyed before what it came from.
final class AdminCall {
    private let handle: KafkaHandle
    private let queue: OpaquePointer
    private let operation: rd_kafka_admin_op_t
    private let timeout: Duration
    private var allOptions: [OpaquePointer] = []

    init(handle: KafkaHandle, operation: rd_kafka_admin_op_t, timeout: Duration) {
        self.handle = handle
        queue = handle.use { rd_kafka_queue_new($0) }
        self.operation = operation
        self.timeout = timeout
    }

    deinit {
        allOptions.forEach { rd_kafka_AdminOptions_destroy($0) }
        rd_kafka_queue_destroy(queue)
    }

    /// Issues a request: `body` gets the handle, options carrying `opaque` and the request timeout,
    /// and the queue its result is to arrive on.
    func submit(opaque: Int, _ body: (_ handle: OpaquePointer, _ options: OpaquePointer, _ queue: OpaquePointer) -> Void) {
        handle.use { handle in
            let options = rd_kafka_AdminOptions_new(handle, operation)!
            var errorText = [CChar](repeating: 0, count: 256)
            _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errorText, errorText.count)
            rd_kafka_AdminOptions_set_opaque(options, UnsafeMutableRawPointer(bitPattern: opaque))
            allOptions.append(options)
            body(handle, options, queue)
        }
    }

    /// The next result, or nil when none arrives before `deadline`.
    func nextEvent(deadline: ContinuousClock.Instant) -> AdminEvent? {
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { return nil }
            if let event = rd_kafka_queue_poll(queue, min(remaining, .milliseconds(500)).milliseconds + 1) {
                return AdminEvent(event, of: self)
            }
        }
    }
}

/// A result event; its pointers (results, errors, partition lists) are valid only inside `read`.
final class AdminEvent {
    private let pointer: OpaquePointer
    private let call: AdminCall

    fileprivate init(_ pointer: OpaquePointer, of call: AdminCall) {
        self.pointer = pointer
        self.call = call
    }

    deinit {
        rd_kafka_event_destroy(pointer)
    }

    /// The opaque value of the options the request was issued with.
    var opaque: Int { Int(bitPattern: rd_kafka_event_opaque(pointer)) }

    /// The event's error, with `what` naming the call.
    func check(_ what: String) throws(KafkaError) {
        let code = rd_kafka_event_error(pointer)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code, "\(what): \(String(cString: rd_kafka_event_error_string(pointer)))")
        }
    }

    func read<Result>(_ body: (OpaquePointer) throws(KafkaError) -> Result) throws(KafkaError) -> Result {
        try body(pointer)
    }
}

func withCStringArray<Result>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Result) -> Result {
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    var pointers = duplicates.map { UnsafePointer($0) }
    return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
