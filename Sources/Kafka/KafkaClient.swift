import CRdKafka
import Foundation
import Synchronization
import Support

/// Owns one `rd_kafka_t` and the thread that serves its callbacks.
///
/// librdkafka handles are thread-safe, so the class is shared freely; every other type in this
/// module borrows `handle` from a client and never outlives it.
package final class KafkaClient: @unchecked Sendable {
    package enum Kind: Sendable {
        case producer
        case consumer
    }

    package let handle: OpaquePointer
    package let kind: Kind
    package let name: String
    private let callbackBox: Unmanaged<CallbackBox>
    private let closed = Atomic<Bool>(false)
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
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            box.release()
            throw KafkaError.invalidArgument(string(fromCBuffer: errorText))
        }
        self.handle = handle
        self.callbackBox = box
        self.name = String(cString: rd_kafka_name(handle))
        poller = BackgroundLoop(name: "rdkafka-poll \(name)")
        if kind == .consumer {
            // Route statistics, logs and errors to the consumer queue that its owner polls.
            rd_kafka_poll_set_consumer(handle)
        } else {
            let handle = SendablePointer(pointer: handle)
            poller.start {
                rd_kafka_poll(handle.pointer, 100)
                return .zero
            }
        }
    }

    deinit {
        close()
    }

    /// Stops callbacks and destroys the handle. A consumer leaves its group first unless `leavingGroup`
    /// is false (for consumers that were only assigned partitions).
    package func close(leavingGroup: Bool = true) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        poller.stop()
        if kind == .consumer && leavingGroup {
            rd_kafka_consumer_close(handle)
            rd_kafka_destroy(handle)
        } else {
            rd_kafka_destroy_flags(handle, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
        }
        callbackBox.release()
    }

    /// Destroys the handle without waiting for a consumer to leave its group; used for handles that
    /// stopped answering, on a thread of its own since a wedged handle may block for a while.
    package func abandon() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let box = callbackBox
        let handle = SendablePointer(pointer: handle)
        let poller = poller
        Thread.detachNewThread {
            poller.stop()
            rd_kafka_destroy_flags(handle.pointer, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
            box.release()
        }
    }

    package var isClosed: Bool { closed.load(ordering: .acquiring) }

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
