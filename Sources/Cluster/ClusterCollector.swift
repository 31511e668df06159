import FoundationEssentials
import Kafka
import Logging
import Support

/// Reads the cluster once per cycle: metadata, consumer groups and their committed offsets, then the
/// watermarks of every partition that passed the filters (after the groups, so that lag is not
/// under-estimated by offsets read later than the watermarks).
///
/// Only a metadata failure loses the cycle (the last good state stays served). Any other failing step
/// costs only its own objects: a group whose offsets cannot be read keeps its previous offsets; a
/// partition whose watermarks cannot be read keeps its previous ones, marked stale.
package final class ClusterCollector: Sendable {
    package struct Clients: Sendable {
        /// For metadata and watermarks.
        package let cluster: KafkaClient
        /// One admin handle per call type, so that a handle wedged by one call cannot stall another.
        package let listGroups: AdminClient
        package let describeGroups: AdminClient
        package let groupOffsets: AdminClient

        package init(_ factory: KafkaClientFactory) throws(KafkaError) {
            cluster = try factory.client(role: "cluster")
            listGroups = factory.admin(role: "list-groups")
            describeGroups = factory.admin(role: "describe-groups")
            groupOffsets = factory.admin(role: "group-offsets")
        }

        /// Admin handles replaced since start because they stopped answering.
        var handleReplacements: Int {
            listGroups.replacements + describeGroups.replacements + groupOffsets.replacements
        }
    }

    private struct Memory {
        var previous: ClusterState?
        var discoveredGroups: [String] = []
        /// When an API the broker does not support may be tried again.
        var unsupportedUntil: [CollectionStage: ContinuousClock.Instant] = [:]
        /// Set once the broker failed a request for all of a group's commits.
        var explicitOffsetRequests = false
    }

    private let settings: CollectionSettings
    private let clients: Clients
    private let logger: Logger
    private let stageProblems: ProblemLog<CollectionStage>
    private let memory = Locked(Memory())

    package init(settings: CollectionSettings, clients: Clients, logger: Logger) {
        self.settings = settings
        self.clients = clients
        self.logger = logger
        stageProblems = ProblemLog("collection step failed", recovery: "collection step recovered", logger: logger)
    }

    /// Closes the metadata handle; the admin handles close with the collector.
    package func close() {
        clients.cluster.close()
    }

    package func collect() -> CollectionCycle {
        let start = ContinuousClock.now
        var errors = ErrorTally()
        let metadata: ClusterMetadata
        do {
            metadata = try clients.cluster.fetchMetadata(timeout: settings.requestTimeout)
            report(.metadata, nil)
        } catch {
            report(.metadata, error)
            errors.add(.metadata)
            return cycle(state: nil, errors: errors, start: start, failure: error)
        }
        let previous = memory.withLock { $0.previous }
        let topics = metadata.topics
            .filter { $0.error == nil && settings.acceptsTopic($0.name) }
            .sorted { $0.name < $1.name }
        let groups = collectGroups(topics: topics, previous: previous, errors: &errors)

        var partitionsByLeader: [Int32: [TopicPartition]] = [:]
        for topic in topics {
            for partition in topic.partitions { partitionsByLeader[partition.leader, default: []].append(TopicPartition(topic.name, partition.id)) }
        }
        let watermarks = clients.cluster.fetchWatermarks(
            byLeader: partitionsByLeader, batching: settings.watermarkBatching, timeout: settings.requestTimeout)
        // Partitions whose watermarks could not be read keep their previous ones, marked stale.
        report(.watermarks, Self.first(watermarks.errors))
        if !watermarks.errors.isEmpty { errors.add(.watermarks) }
        // Only partitions read in vain need the previous cycle's watermarks (at 100k partitions a map of
        // all of them costs ~10 MB and a hash per partition every cycle).
        let previousWatermarks = watermarks.errors.isEmpty ? [:] : previous.map(Self.watermarksByPartition) ?? [:]
        let state = ClusterState(
            collectedAt: Date(),
            brokers: metadata.brokers.sorted { $0.id < $1.id },
            topics: topics.map { topic in
                TopicState(name: topic.name, partitions: topic.partitions.sorted { $0.id < $1.id }.map { partition in
                    let key = TopicPartition(topic.name, partition.id)
                    if let fresh = watermarks.watermarks[key] { return PartitionState(info: partition, watermarks: fresh) }
                    return PartitionState(info: partition, watermarks: previousWatermarks[key], watermarksAreStale: true)
                })
            },
            groups: groups, shard: settings.shard)
        memory.withLock { $0.previous = state }
        return cycle(state: state, errors: errors, start: start, failure: nil)
    }

    private func cycle(state: ClusterState?, errors: ErrorTally, start: ContinuousClock.Instant, failure: KafkaError?) -> CollectionCycle {
        CollectionCycle(
            state: state, errors: errors.counts, duration: .now - start, failure: failure,
            adminHandleReplacements: clients.handleReplacements)
    }

    // MARK: Groups

    private func collectGroups(topics: [TopicInfo], previous: ClusterState?, errors: inout ErrorTally) -> [ConsumerGroupState] {
        let discovered = discoverGroups(errors: &errors)
        let staticByID = Dictionary(
            settings.staticGroups.filter { settings.shard.owns($0.id) }.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let ids = Array(Set(discovered).union(staticByID.keys)).sorted()
        guard !ids.isEmpty else { return [] }

        let knownPartitions = Set(topics.flatMap { topic in topic.partitions.map { TopicPartition(topic.name, $0.id) } })
        let askForAllCommits = isSupported(.listGroups) && settings.discoverGroups && !memory.withLock { $0.explicitOffsetRequests }
        let requests = ids.map { id in
            AdminClient.OffsetRequest(group: id, partitions: offsetPartitions(
                staticGroup: staticByID[id], topics: topics, askForAllCommits: askForAllCommits))
        }
        // Descriptions and offsets come from different handles: ask for both at once.
        let describing = Concurrently.start { [self] in describe(ids) }
        let results = committedOffsets(requests, topics: topics)
        let (descriptions, describeFailed) = describing.wait()
        if describeFailed { errors.add(.describeGroups) }
        let previousGroups = Dictionary((previous?.groups ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        var failures: [String] = []
        var states: [ConsumerGroupState] = []
        for id in ids {
            let description = descriptions[id]
            if description?.state == .dead && staticByID[id] == nil { continue }
            var committed: [TopicPartition: Int64]
            switch results[id] {
            case .success(let offsets)?:
                committed = offsets.filter { knownPartitions.contains($0.key) }
            case .failure(let error)?:
                failures.append("\(id): \(error)")
                committed = previousGroups[id]?.committedOffsets.filter { knownPartitions.contains($0.key) } ?? [:]
            case nil:
                committed = [:]
            }
            if committed.isEmpty && description == nil && staticByID[id] == nil { continue }
            states.append(ConsumerGroupState(
                id: id, state: description?.state, members: description?.members, committedOffsets: committed,
                coordinator: description?.coordinator, partitionAssignor: description?.partitionAssignor))
        }
        if !failures.isEmpty { errors.add(.groupOffsets) }
        report(.groupOffsets, failures.isEmpty ? nil : "\(failures.count) group(s) failed, first: \(failures[0])")
        return states
    }

    /// Committed offsets; where the broker cannot answer a request for all of a group's commits
    /// (Tansu sends a null topic array, which librdkafka rejects as "Bad message format"), those groups
    /// are asked again with explicit partitions, and so is every group from then on.
    private func committedOffsets(
        _ requests: [AdminClient.OffsetRequest], topics: [TopicInfo]
    ) -> [String: Result<[TopicPartition: Int64], KafkaError>] {
        var results = clients.groupOffsets.committedOffsets(
            requests, timeout: settings.requestTimeout, maxInFlight: settings.maxGroupRequestsInFlight)
        let rejected = requests.filter { request in
            guard request.partitions == nil, case .failure(let error)? = results[request.group] else { return false }
            return !error.isTimeout && !error.isUnknownGroup
        }
        guard !rejected.isEmpty else { return results }
        let firstTime = memory.withLock { memory in
            defer { memory.explicitOffsetRequests = true }
            return !memory.explicitOffsetRequests
        }
        if firstTime, case .failure(let error)? = results[rejected[0].group] {
            logger.info("broker cannot list all of a group's commits; asking for explicit partitions", metadata: ["error": "\(error)"])
        }
        let allPartitions = topics.flatMap { topic in topic.partitions.map { TopicPartition(topic.name, $0.id) } }
        let retried = clients.groupOffsets.committedOffsets(
            rejected.map { AdminClient.OffsetRequest(group: $0.group, partitions: allPartitions) },
            timeout: settings.requestTimeout, maxInFlight: settings.maxGroupRequestsInFlight)
        results.merge(retried) { _, new in new }
        return results
    }

    /// Explicit partitions where the group's topics are named or where the broker cannot list groups
    /// (the mock cluster answers nothing to a request without partitions); otherwise every partition
    /// the group committed to.
    private func offsetPartitions(staticGroup: StaticGroup?, topics: [TopicInfo], askForAllCommits: Bool) -> [TopicPartition]? {
        if let staticGroup, !staticGroup.topics.isEmpty {
            let wanted = Set(staticGroup.topics)
            return topics.filter { wanted.contains($0.name) }.flatMap { topic in
                topic.partitions.map { TopicPartition(topic.name, $0.id) }
            }
        }
        if askForAllCommits { return nil }
        return topics.flatMap { topic in topic.partitions.map { TopicPartition(topic.name, $0.id) } }
    }

    private func discoverGroups(errors: inout ErrorTally) -> [String] {
        guard settings.discoverGroups, isSupported(.listGroups) else { return [] }
        do {
            let listed = try clients.listGroups.listGroups(timeout: settings.requestTimeout)
                .map(\.groupID)
                .filter { settings.acceptsGroup($0) }
            memory.withLock { $0.discoveredGroups = listed }
            report(.listGroups, nil)
            return listed
        } catch {
            if error.isUnsupported {
                markUnsupported(.listGroups, error)
            } else {
                report(.listGroups, error)
                errors.add(.listGroups)
            }
            return memory.withLock { $0.discoveredGroups }
        }
    }

    /// Descriptions by group id, and whether any failed.
    ///
    /// Not asked where ListConsumerGroups is unsupported: both APIs came with Kafka 0.9, and librdkafka
    /// 2.0.2 uses memory it has freed when a broker cannot take a DescribeGroups request (librdkafka
    /// #4605, fix proposed in PR #5397), which leaves the handle unanswering or aborts the process.
    private func describe(_ ids: [String]) -> ([String: GroupDescription], Bool) {
        guard settings.describeGroups, isSupported(.describeGroups), isSupported(.listGroups) else { return ([:], false) }
        var descriptions: [String: GroupDescription] = [:]
        var failures: [String] = []
        for chunk in stride(from: 0, to: ids.count, by: 100).map({ Array(ids[$0..<min($0 + 100, ids.count)]) }) {
            do {
                for description in try clients.describeGroups.describeGroups(chunk, timeout: settings.requestTimeout) {
                    if let error = description.error {
                        if error.isUnsupported {
                            markUnsupported(.describeGroups, error)
                            clients.describeGroups.reset()
                            return ([:], false)
                        }
                        failures.append("\(description.groupID): \(error)")
                    } else {
                        descriptions[description.groupID] = description
                    }
                }
            } catch {
                if error.isTimeout {
                    // Brokers without DescribeGroups (the mock cluster) may never answer; ask again later
                    // rather than spending a timeout on every cycle.
                    markUnsupported(.describeGroups, error)
                    return ([:], true)
                }
                failures.append(error.description)
            }
        }
        if !failures.isEmpty {
            // A failed DescribeConsumerGroups can leave a librdkafka 2.0.2 handle unanswering (#4605): start afresh.
            clients.describeGroups.reset()
        }
        report(.describeGroups, failures.isEmpty ? nil : "\(failures.count) group(s) failed, first: \(failures[0])")
        return (descriptions, !failures.isEmpty)
    }

    // MARK: Bookkeeping

    private func isSupported(_ stage: CollectionStage) -> Bool {
        memory.withLock { memory in
            guard let until = memory.unsupportedUntil[stage] else { return true }
            return ContinuousClock.now >= until
        }
    }

    private func markUnsupported(_ stage: CollectionStage, _ error: KafkaError) {
        let firstTime = memory.withLock { memory in
            defer { memory.unsupportedUntil[stage] = .now + settings.unsupportedRetryInterval }
            return memory.unsupportedUntil[stage] == nil
        }
        if firstTime {
            logger.info("broker does not support or answer this request; skipping it for a while", metadata: [
                "stage": "\(stage.rawValue)", "error": "\(error)", "retry_in": "\(settings.unsupportedRetryInterval)",
            ])
        }
    }

    private func report(_ stage: CollectionStage, _ error: KafkaError) {
        report(stage, error.description)
    }

    /// Logs a stage's error once per change, and its recovery (nil: the stage succeeded).
    private func report(_ stage: CollectionStage, _ message: String?) {
        stageProblems.report(message, for: stage, metadata: ["stage": "\(stage.rawValue)"])
    }

    /// The smallest partition's error: the same message every cycle while the same partitions fail.
    private static func first(_ errors: [TopicPartition: KafkaError]) -> String? {
        guard let partition = errors.keys.min() else { return nil }
        return "\(partition): \(errors[partition]!)"
    }

    private static func watermarksByPartition(_ state: ClusterState) -> [TopicPartition: Watermarks] {
        var result: [TopicPartition: Watermarks] = [:]
        for topic in state.topics {
            for partition in topic.partitions {
                result[TopicPartition(topic.name, partition.info.id)] = partition.watermarks
            }
        }
        return result
    }
}

private struct ErrorTally {
    private(set) var counts: [CollectionStage: Int] = [:]

    mutating func add(_ stage: CollectionStage) {
        counts[stage, default: 0] += 1
    }
}
