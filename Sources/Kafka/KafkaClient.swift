import CRdKafka
import Support

/// A librdkafka client: owns the `rd_kafka_t` (through a `KafkaHandle`) and the thread that serves
/// its callbacks.
///
/// librdkafka handles are thread-safe, so the class is shared freely. `close()` may be called at any
/// time, from any thread, any number of times: calls already in flight keep the handle until they
/// return, later calls fail with `KafkaError.closed`, and the handle is destroyed once the last of
/// them and of its dependents (topic handles, admin queues) is gone.
package final class KafkaClient: Sendable {
    package enum Kind: Sendable {
        case producer
        case consumer
    }

    package let kind: Kind
    package let name: String
    /// nil once closed.
    private let handle: Locked<KafkaHandle?>
    /// Serves a producer's callbacks; a consumer's owner polls it instead.
    private let poller: BackgroundLoop

    package init(kind: Kind, configuration: ClientConfiguration, callbacks: ClientCallbacks = ClientCallbacks()) throws(KafkaError) {
        self.kind = kind
        let conf = try configuration.makeConf()
        let box = Unmanaged.passRetained(CallbackBox(callbacks))
        rd_kafka_conf_set_opaque(conf, box.toOpaque())
        Self.installCallbacks(conf, callbacks)
        if kind == .consumer, configuration.value(for: "group.id") == nil {
            // librdkafka refuses a consumer without a group; one that never joins or commits is harmless.
            rd_kafka_conf_set(conf, "group.id", "kafka-exporter-unjoined", nil, 0)
        }
        var errorText = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let pointer = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            box.release()
            throw KafkaError.invalidArgument(string(fromCBuffer: errorText))
        }
        let handle = KafkaHandle(pointer: pointer, callbackBox: box)
        self.handle = Locked(handle)
        name = String(cString: rd_kafka_name(pointer))
        poller = BackgroundLoop(name: "rdkafka-poll \(name)")
        if kind == .consumer {
            // Route statistics, logs and errors to the consumer queue that its owner polls.
            rd_kafka_poll_set_consumer(pointer)
        } else {
            // Holds the handle only during a pass, so that `close()` destroys it before returning.
            poller.start { [weak self] in
                guard let handle = try? self?.retainHandle() else { return .milliseconds(100) }
                handle.use { _ = rd_kafka_poll($0, 100) }
                return .zero
            }
        }
    }

    deinit {
        close()
    }

    /// Stops callbacks and lets go of the handle. A consumer leaves its group first unless
    /// `leavingGroup` is false (for consumers that were only assigned partitions).
    package func close(leavingGroup: Bool = true) {
        guard let handle = take() else { return }
        poller.stop()
        if kind == .consumer && leavingGroup {
            handle.use { _ = rd_kafka_consumer_close($0) }
        }
    }

    /// Lets go of a handle that stopped answering without waiting for anything: its destroy, which may
    /// block for a while, runs on a thread of its own.
    package func abandon() {
        guard let handle = take() else { return }
        handle.destroyInBackground()
        let poller = poller
        Threads.detach {
            poller.stop()
            withExtendedLifetime(handle) {}
        }
    }

    package var isClosed: Bool { handle.withLock { $0 == nil } }

    private func take() -> KafkaHandle? {
        handle.withLock { handle in
            defer { handle = nil }
            return handle
        }
    }

    /// The handle, kept alive by the caller's reference; fails once the client is closed.
    func retainHandle() throws(KafkaError) -> KafkaHandle {
        guard let handle = handle.withLock({ $0 }) else { throw KafkaError.closed(name) }
        return handle
    }

    /// Runs `body` with the `rd_kafka_t`, which lives until `body` returns even if the client is closed meanwhile.
    func withHandle<Result>(_ body: (OpaquePointer) throws(KafkaError) -> Result) throws(KafkaError) -> Result {
        try retainHandle().use(body)
    }

    private static func installCallbacks(_ conf: OpaquePointer, _ callbacks: ClientCallbacks) {
        if callbacks.statistics != nil {
            rd_kafka_conf_set_stats_cb(conf) { handle, json, length, opaque in
                guard let json, let opaque, let handle else { return 0 }
                let box = Unmanaged<CallbackBox>.fromOpaque(opaque).takeUnretainedValue()
                let bytes = Array(UnsafeRawBufferPointer(start: json, count: length))
                box.callbacks.statistics?(String(cString: rd_kafka_name(handle)), bytes)
                return 0
            }
        }
        if callbacks.log != nil {
            rd_kafka_conf_set_log_cb(conf) { handle, level, facility, message in
                guard let handle, let opaque = rd_kafka_opaque(handle) else { return }
                let box = Unmanaged<CallbackBox>.fromOpaque(opaque).takeUnretainedValue()
                box.callbacks.log?(level, facility.map { String(cString: $0) } ?? "", message.map { String(cString: $0) } ?? "")
            }
        }
        if callbacks.error != nil {
            rd_kafka_conf_set_error_cb(conf) { _, code, reason, opaque in
                guard let opaque else { return }
                let box = Unmanaged<CallbackBox>.fromOpaque(opaque).takeUnretainedValue()
                let error = KafkaError(rd_kafka_resp_err_t(rawValue: code), reason.map { String(cString: $0) })
                box.callbacks.error?(error)
            }
        }
        if callbacks.delivery != nil {
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let opaque, let message else { return }
                let box = Unmanaged<CallbackBox>.fromOpaque(opaque).takeUnretainedValue()
                let m = message.pointee
                let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                let error = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(m.err)
                box.callbacks.delivery?(DeliveryReport(
                    topicPartition: TopicPartition(topic, m.partition), offset: m.offset, error: error,
                    token: UInt(bitPattern: m._private)))
            }
        }
    }
}
