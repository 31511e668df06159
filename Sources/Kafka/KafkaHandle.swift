import CRdKafka
import Support
import Synchronization

/// One `rd_kafka_t` and the callback box librdkafka calls into, destroyed when the last reference goes.
///
/// librdkafka requires every object made from a handle (topic handles, queues, admin options and
/// events, a mock cluster) to be destroyed before the handle. Each such object here holds a reference
/// to the `KafkaHandle` it was made from, so Swift's reference counting destroys them first, whatever
/// order their owners let go in; and every call that passes the pointer to librdkafka holds one for
/// its duration (`use`). `KafkaClient.close()` only lets go of the client's own reference.
final class KafkaHandle: @unchecked Sendable {
    private let pointer: OpaquePointer
    private let callbackBox: Unmanaged<CallbackBox>
    /// Set for a handle that stopped answering: its destroy may block, so it runs on a thread of its own.
    private let destroysInBackground = Atomic<Bool>(false)

    init(pointer: OpaquePointer, callbackBox: Unmanaged<CallbackBox>) {
        self.pointer = pointer
        self.callbackBox = callbackBox
    }

    deinit {
        let pointer = SendableHandlePointer(pointer)
        let box = callbackBox
        let destroy: @Sendable () -> Void = {
            // A consumer that was to leave its group did so in `KafkaClient.close`.
            rd_kafka_destroy_flags(pointer.value, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
            // Callbacks may run until the handle is gone.
            box.release()
        }
        if destroysInBackground.load(ordering: .acquiring) {
            Threads.detach(destroy)
        } else {
            destroy()
        }
    }

    /// Runs `body` with the pointer; the handle lives at least until `body` returns.
    func use<Result, Failure>(_ body: (OpaquePointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(pointer)
    }

    func destroyInBackground() {
        destroysInBackground.store(true, ordering: .releasing)
    }
}

/// The pointer of a handle being destroyed on another thread, after its `KafkaHandle` is gone.
private struct SendableHandlePointer: @unchecked Sendable {
    let value: OpaquePointer
    init(_ value: OpaquePointer) { self.value = value }
}
