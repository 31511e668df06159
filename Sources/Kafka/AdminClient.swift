import CRdKafka
import Foundation
import Synchronization

/// Consumer-group admin calls on a handle of their own, each with a deadline.
///
/// librdkafka 2.0.2 can leave a handle unresponsive after a failed DescribeConsumerGroups (fixed
/// upstream in 2.10). A call that gets no result event at all within its request timeout plus a grace
/// period is taken as such a wedge: the handle is abandoned and the next call gets a fresh one.
public final class AdminClient: Sendable {
    public struct OffsetRequest: Sendable {
        public let group: String
        /// The partitions to ask about; nil asks for every partition the group committed to.
        public let partitions: [TopicPartition]?

        public init(group: String, partitions: [TopicPartition]?) {
            self.group = group
            self.partitions = partitions
        }
    }

    private let makeClient: @Sendable () throws(KafkaError) -> KafkaClient
    private let current = Mutex<KafkaClient?>(nil)
    private let replacementCount = Atomic<Int>(0)
    let grace: Duration

    public init(grace: Duration = .seconds(2), makeClient: @escaping @Sendable () throws(KafkaError) -> KafkaClient) {
        self.grace = grace
        self.makeClient = makeClient
    }

    deinit {
        current.withLock { $0?.close() }
    }

    /// How many handles were abandoned because they stopped answering.
    public var replacements: Int { replacementCount.load(ordering: .relaxed) }

    /// The handle in use, created on demand (for its statistics, for example).
    public func client() throws(KafkaError) -> KafkaClient {
        try current.withLock { (client: inout KafkaClient?) throws(KafkaError) -> KafkaClient in
            if let client { return client }
            let fresh = try makeClient()
            client = fresh
            return fresh
        }
    }

    private func abandon(_ client: KafkaClient) {
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

    // MARK: ListConsumerGroups

    public func listGroups(timeout: Duration) throws(KafkaError) -> [GroupListing] {
        let client = try client()
        let call = AdminCall(client: client, operation: RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, timeout: timeout)
        rd_kafka_ListConsumerGroups(client.handle, call.options(opaque: 0), call.queue)
        guard let event = call.nextEvent(deadline: .now + timeout + grace) else {
            abandon(client)
            throw KafkaError.timedOut("ListConsumerGroups")
        }
        defer { rd_kafka_event_destroy(event) }
        try call.check(event, "ListConsumerGroups")
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

    // MARK: DescribeConsumerGroups

    public func describeGroups(_ groups: [String], timeout: Duration) throws(KafkaError) -> [GroupDescription] {
        guard !groups.isEmpty else { return [] }
        let client = try client()
        let call = AdminCall(client: client, operation: RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout: timeout)
        withCStringArray(groups) { names in
            rd_kafka_DescribeConsumerGroups(client.handle, names, groups.count, call.options(opaque: 0), call.queue)
        }
        guard let event = call.nextEvent(deadline: .now + timeout + grace) else {
            abandon(client)
            throw KafkaError.timedOut("DescribeConsumerGroups")
        }
        defer { rd_kafka_event_destroy(event) }
        try call.check(event, "DescribeConsumerGroups")
        guard let result = rd_kafka_event_DescribeConsumerGroups_result(event) else {
            throw KafkaError.invalidArgument("DescribeConsumerGroups: unexpected event")
        }
        var count = 0
        guard let descriptions = rd_kafka_DescribeConsumerGroups_result_groups(result, &count) else { return [] }
        return UnsafeBufferPointer(start: descriptions, count: count).compactMap { description in
            description.map(GroupDescription.init)
        }
    }

    // MARK: ListConsumerGroupOffsets

    /// Committed offsets of each group (one request per group in librdkafka 2.0.2), at most
    /// `maxInFlight` at a time. Partitions without a committed offset are left out.
    public func committedOffsets(
        _ requests: [OffsetRequest], timeout: Duration, maxInFlight: Int
    ) -> [String: Result<[TopicPartition: Int64], KafkaError>] {
        var results: [String: Result<[TopicPartition: Int64], KafkaError>] = [:]
        guard !requests.isEmpty else { return results }
        let client: KafkaClient
        do { client = try self.client() } catch {
            for request in requests { results[request.group] = .failure(error) }
            return results
        }
        let call = AdminCall(client: client, operation: RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout: timeout)
        var next = 0
        var inFlight = 0
        var deadline = ContinuousClock.now + timeout + grace
        while next < requests.count || inFlight > 0 {
            while next < requests.count && inFlight < max(1, maxInFlight) {
                send(requests[next], index: next, on: client, call: call)
                next += 1
                inFlight += 1
            }
            guard let event = call.nextEvent(deadline: deadline) else { break }
            inFlight -= 1
            deadline = ContinuousClock.now + timeout + grace
            let request = requests[Int(bitPattern: rd_kafka_event_opaque(event)) - 1]
            results[request.group] = Self.offsets(from: event, group: request.group)
            rd_kafka_event_destroy(event)
        }
        if inFlight > 0 || next < requests.count {
            abandon(client)
            for request in requests where results[request.group] == nil {
                results[request.group] = .failure(.timedOut("ListConsumerGroupOffsets"))
            }
        }
        return results
    }

    private func send(_ request: OffsetRequest, index: Int, on client: KafkaClient, call: AdminCall) {
        let partitionList = request.partitions.map { PartitionList($0) }
        var groupRequest = rd_kafka_ListConsumerGroupOffsets_new(request.group, partitionList?.pointer)
        rd_kafka_ListConsumerGroupOffsets(client.handle, &groupRequest, 1, call.options(opaque: index + 1), call.queue)
        rd_kafka_ListConsumerGroupOffsets_destroy(groupRequest)
    }

    private static func offsets(from event: OpaquePointer, group: String) -> Result<[TopicPartition: Int64], KafkaError> {
        let code = rd_kafka_event_error(event)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .failure(KafkaError(code, "ListConsumerGroupOffsets(\(group)): \(String(cString: rd_kafka_event_error_string(event)))"))
        }
        guard let result = rd_kafka_event_ListConsumerGroupOffsets_result(event) else {
            return .failure(.invalidArgument("ListConsumerGroupOffsets: unexpected event"))
        }
        var count = 0
        guard let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(result, &count), count > 0,
              let groupResult = groups[0]
        else { return .success([:]) }
        if let error = rd_kafka_group_result_error(groupResult) {
            return .failure(KafkaError(error: error, owned: false))
        }
        var offsets: [TopicPartition: Int64] = [:]
        for element in PartitionList.elements(of: rd_kafka_group_result_partitions(groupResult))
        where element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 {
            offsets[element.topicPartition] = element.offset
        }
        return .success(offsets)
    }
}

/// One admin call's result queue and options.
final class AdminCall {
    let queue: OpaquePointer
    private let handle: OpaquePointer
    private let operation: rd_kafka_admin_op_t
    private let timeout: Duration
    private var allOptions: [OpaquePointer] = []

    init(client: KafkaClient, operation: rd_kafka_admin_op_t, timeout: Duration) {
        handle = client.handle
        queue = rd_kafka_queue_new(client.handle)
        self.operation = operation
        self.timeout = timeout
    }

    deinit {
        allOptions.forEach { rd_kafka_AdminOptions_destroy($0) }
        rd_kafka_queue_destroy(queue)
    }

    func options(opaque: Int) -> OpaquePointer {
        let options = rd_kafka_AdminOptions_new(handle, operation)!
        var errorText = [CChar](repeating: 0, count: 256)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errorText, errorText.count)
        rd_kafka_AdminOptions_set_opaque(options, UnsafeMutableRawPointer(bitPattern: opaque))
        allOptions.append(options)
        return options
    }

    func nextEvent(deadline: ContinuousClock.Instant) -> OpaquePointer? {
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { return nil }
            if let event = rd_kafka_queue_poll(queue, min(remaining, .milliseconds(500)).milliseconds + 1) {
                return event
            }
        }
    }

    func check(_ event: OpaquePointer, _ what: String) throws(KafkaError) {
        let code = rd_kafka_event_error(event)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code, "\(what): \(String(cString: rd_kafka_event_error_string(event)))")
        }
    }
}

extension GroupState {
    init(_ state: rd_kafka_consumer_group_state_t) {
        self = GroupState(rawValue: String(cString: rd_kafka_consumer_group_state_name(state))) ?? .unknown
    }
}

extension GroupDescription {
    init(_ description: OpaquePointer) {
        let memberCount = rd_kafka_ConsumerGroupDescription_member_count(description)
        let members = (0..<memberCount).compactMap { index -> GroupMember? in
            guard let member = rd_kafka_ConsumerGroupDescription_member(description, index) else { return nil }
            let assignment = rd_kafka_MemberDescription_assignment(member)
                .map { PartitionList.elements(of: rd_kafka_MemberAssignment_partitions($0)).map(\.topicPartition) } ?? []
            return GroupMember(
                consumerID: String(cString: rd_kafka_MemberDescription_consumer_id(member)),
                clientID: String(cString: rd_kafka_MemberDescription_client_id(member)),
                host: String(cString: rd_kafka_MemberDescription_host(member)),
                assignment: assignment)
        }
        self.init(
            groupID: String(cString: rd_kafka_ConsumerGroupDescription_group_id(description)),
            state: GroupState(rd_kafka_ConsumerGroupDescription_state(description)),
            members: members,
            coordinator: rd_kafka_ConsumerGroupDescription_coordinator(description).map { rd_kafka_Node_id($0) },
            error: rd_kafka_ConsumerGroupDescription_error(description).map { KafkaError(error: $0, owned: false) })
    }
}

func withCStringArray<Result>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Result) -> Result {
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    var pointers = duplicates.map { UnsafePointer($0) }
    return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}

extension AdminClient {
    /// Drops the current handle (if any) so the next call starts on a fresh one.
    public func reset() {
        let dropped = current.withLock { current -> KafkaClient? in
            defer { current = nil }
            return current
        }
        dropped?.abandon()
    }
}

extension AdminClient {
    /// Deletes consumer groups (the broker refuses groups with members, except brokers that do not).
    public func deleteGroups(_ groups: [String], timeout: Duration) throws(KafkaError) {
        let client = try client()
        let call = AdminCall(client: client, operation: RD_KAFKA_ADMIN_OP_DELETEGROUPS, timeout: timeout)
        var requests = groups.map { rd_kafka_DeleteGroup_new($0) }
        defer { requests.forEach { rd_kafka_DeleteGroup_destroy($0) } }
        rd_kafka_DeleteGroups(client.handle, &requests, requests.count, call.options(opaque: 0), call.queue)
        guard let event = call.nextEvent(deadline: .now + timeout + grace) else {
            throw KafkaError.timedOut("DeleteGroups")
        }
        defer { rd_kafka_event_destroy(event) }
        try call.check(event, "DeleteGroups")
        var count = 0
        guard let result = rd_kafka_event_DeleteGroups_result(event),
              let results = rd_kafka_DeleteGroups_result_groups(result, &count) else { return }
        for groupResult in UnsafeBufferPointer(start: results, count: count) {
            if let groupResult, let error = rd_kafka_group_result_error(groupResult) {
                throw KafkaError(error: error, owned: false)
            }
        }
    }
}
