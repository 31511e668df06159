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

    /// How long `close` waits for librdkafka to tear a handle down.
    package static let closeLimit = Duration.seconds(10)

    /// Stops callbacks and destroys the handle. A consumer leaves its group first unless `leavingGroup`
    /// is false (for consumers that were only assigned partitions). Waits at most `closeLimit`: librdkafka
    /// 2.0.x can wait forever for a broker thread once a partition it consumed went away or its broker
    /// restarted (confluentinc/librdkafka#4674, fixed in 2.6). Such a handle is reported through the error
    /// callback and left to finish on its own thread.
    package func close(leavingGroup: Bool = true) {
        guard let destroyed = destroyInBackground(leavingGroup: leavingGroup) else { return }
        guard destroyed.wait(timeout: .now() + Self.closeLimit.seconds) == .timedOut else { return }
        callbackBox.takeUnretainedValue().callbacks.error?(KafkaError(
            RD_KAFKA_RESP_ERR__TIMED_OUT,
            "\(name) did not close within \(Self.closeLimit); left to finish in the background (librdkafka#4674)"))
    }

    /// Destroys the handle without waiting for a consumer to leave its group or for the handle to go;
    /// used for handles that stopped answering.
    package func abandon() {
        _ = destroyInBackground(leavingGroup: false)
    }

    /// Destroys the handle on a thread of its own; nil if it was closed before. The semaphore is signalled
    /// once the handle is gone and its callbacks released.
    private func destroyInBackground(leavingGroup: Bool) -> DispatchSemaphore? {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
        let destroyed = DispatchSemaphore(value: 0)
        let box = callbackBox
        let handle = SendablePointer(pointer: handle)
        let closesConsumer = kind == .consumer && leavingGroup
        let poller = poller
        Thread.detachNewThread {
            poller.stop()
            if closesConsumer {
                rd_kafka_consumer_close(handle.pointer)
                rd_kafka_destroy(handle.pointer)
            } else {
                rd_kafka_destroy_flags(handle.pointer, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
            }
            box.release()
            destroyed.signal()
        }
        return destroyed
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
