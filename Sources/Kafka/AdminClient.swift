import CRdKafka
import Synchronization
import Support

/// Consumer-group admin calls on a handle of their own, each with a deadline.
///
/// librdkafka 2.0.2 can leave a handle unresponsive after a failed DescribeConsumerGroups (fixed
/// upstream in 2.10). A call that gets no result event at all within its request timeout plus a grace
/// period is taken as such a wedge: the handle is abandoned and the next call gets a fresh one.
package final class AdminClient: Sendable {
    package struct OffsetRequest: Sendable {
        package let group: String
        /// The partitions to ask about; nil asks for every partition the group committed to.
        package let partitions: [TopicPartition]?

        package init(group: String, partitions: [TopicPartition]?) {
            self.group = group
            self.partitions = partitions
        }
    }

    private let makeClient: @Sendable () throws(KafkaError) -> KafkaClient
    private let current = Locked<KafkaClient?>(nil)
    private let replacementCount = Atomic<Int>(0)
    package let grace: Duration

    package init(grace: Duration = .seconds(2), makeClient: @escaping @Sendable () throws(KafkaError) -> KafkaClient) {
        self.grace = grace
        self.makeClient = makeClient
    }

    deinit {
        current.withLock { $0?.close() }
    }

    /// The request timeout librdkafka is given. librdkafka 2.0.2 frees a coordinator request that times
    /// out while it waits for its coordinator, then reads it again once the coordinator is back: a
    /// use-after-free that aborts the process (seen during rolling broker restarts; fixed upstream in
    /// 2.6.0, confluentinc/librdkafka@8bf0a679c). Requests routed to a group coordinator therefore never
    /// time out inside librdkafka: the exporter's own deadline (`timeout` + `grace`) comes first and
    /// abandons the handle, whose destroy ends such a request safely.
    func librdkafkaTimeout(_ operation: rd_kafka_admin_op_t, _ timeout: Duration) -> Duration {
        let coordinatorRouted = [RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, RD_KAFKA_ADMIN_OP_DELETEGROUPS]
        return coordinatorRouted.contains(operation) ? timeout + max(grace, .zero) + .seconds(5) : timeout
    }

    /// How many handles were abandoned because they stopped answering.
    package var replacements: Int { replacementCount.load(ordering: .relaxed) }

    /// The handle in use, created on demand (for its statistics, for example).
    package func client() throws(KafkaError) -> KafkaClient {
        try current.withLock { (client: inout KafkaClient?) throws(KafkaError) -> KafkaClient in
            if let client { return client }
            let fresh = try makeClient()
            client = fresh
            return fresh
        }
    }

    func abandon(_ client: KafkaClient) {
        let replaced = current.withLock { current -> Bool in
            guard current === client else { return false }
            current = nil
            return true
        }
        if replaced {
            replacementCount.add(1, ordering: .relaxed)
            client.abandon()
        }
    }

    /// One admin request: `send` issues it on the call's queue, the result event is checked and handed to
    /// `read`. A handle that sends no event within the deadline and grace is abandoned.
    func request<Value>(
        _ operation: rd_kafka_admin_op_t, named name: String, timeout: Duration,
        send: (AdminCall) -> Void, read: (OpaquePointer) throws(KafkaError) -> Value
    ) throws(KafkaError) -> Value {
        let client = try client()
        let call = try AdminCall(handle: client.retainHandle(), operation: operation, timeout: librdkafkaTimeout(operation, timeout))
        send(call)
        guard let event = call.nextEvent(deadline: .now + timeout + grace) else {
            abandon(client)
            throw KafkaError.timedOut(name)
        }
        try event.check(name)
        return try event.read(read)
    }

    // MARK: ListConsumerGroups

    package func listGroups(timeout: Duration) throws(KafkaError) -> [GroupListing] {
        try request(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, named: "ListConsumerGroups", timeout: timeout) { call in
            call.submit(opaque: 0) { rd_kafka_ListConsumerGroups($0, $1, $2) }
        } read: { (event) throws(KafkaError) in
            guard let result = rd_kafka_event_ListConsumerGroups_result(event) else {
                throw KafkaError.invalidArgument("ListConsumerGroups: unexpected event")
            }
            var errorCount = 0
            if let errors = rd_kafka_ListConsumerGroups_result_errors(result, &errorCount), errorCount > 0, let first = errors[0] {
                // Some brokers failed to answer: a partial list would make groups flap in and out.
                throw KafkaError(error: first, owned: false)
            }
            var count = 0
            guard let listings = rd_kafka_ListConsumerGroups_result_valid(result, &count) else { return [] }
            return UnsafeBufferPointer(start: listings, count: count).compactMap { listing in
                guard let listing else { return nil }
                return GroupListing(
                    groupID: String(cString: rd_kafka_ConsumerGroupListing_group_id(listing)),
                    isSimple: rd_kafka_ConsumerGroupListing_is_simple_consumer_group(listing) != 0,
                    state: GroupState(rd_kafka_ConsumerGroupListing_state(listing)))
            }
        }
    }

    // MARK: DescribeConsumerGroups

    package func describeGroups(_ groups: [String], timeout: Duration) throws(KafkaError) -> [GroupDescription] {
        guard !groups.isEmpty else { return [] }
        return try request(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, named: "DescribeConsumerGroups", timeout: timeout) { call in
            withCStringArray(groups) { names in
                call.submit(opaque: 0) { rd_kafka_DescribeConsumerGroups($0, names, groups.count, $1, $2) }
            }
        } read: { (event) throws(KafkaError) in
            guard let result = rd_kafka_event_DescribeConsumerGroups_result(event) else {
                throw KafkaError.invalidArgument("DescribeConsumerGroups: unexpected event")
            }
            var count = 0
            guard let descriptions = rd_kafka_DescribeConsumerGroups_result_groups(result, &count) else { return [] }
            return UnsafeBufferPointer(start: descriptions, count: count).compactMap { description in
                description.map(GroupDescription.init)
            }
        }
    }
}

extension AdminClient {
    /// Drops the current handle (if any) so the next call starts on a fresh one.
    package func reset() {
        let dropped = current.withLock { current -> KafkaClient? in
            defer { current = nil }
            return current
        }
        dropped?.abandon()
    }
}
