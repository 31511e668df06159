import CRdKafka
import Support
import Synchronization

extension KafkaClient {
    package struct WatermarkResult: Sendable {
        package var watermarks: [TopicPartition: Watermarks] = [:]
        package var errors: [TopicPartition: KafkaError] = [:]

        package init() {}
    }

    /// How watermark reads are split: librdkafka 2.0.2's `rd_kafka_offsets_for_times` looks up every
    /// returned partition in the whole request list with `strcmp`, so one list of n partitions costs
    /// O(n²); lists of one leader and at most `batchSize` partitions keep the cost linear in partitions.
    package struct WatermarkBatching: Sendable {
        package var batchSize: Int
        /// Calls in flight at once, each on a thread of its own (the calls block).
        package var inFlight: Int

        package init(batchSize: Int = 100, inFlight: Int = 8) {
            precondition(batchSize >= 1 && inFlight >= 1, "batch size and calls in flight must be positive")
            (self.batchSize, self.inFlight) = (batchSize, inFlight)
        }
    }

    /// Oldest and newest offsets of partitions grouped by leader broker: one ListOffsets request per
    /// batch and end, `batching.inFlight` at a time, all within `timeout`. A failing batch costs only
    /// its own partitions (reported in `errors` with the batch's error), and so does a partition
    /// without a leader (-1), which no broker can answer for.
    package func fetchWatermarks(
        byLeader partitions: [Int32: [TopicPartition]], batching: WatermarkBatching = WatermarkBatching(), timeout: Duration
    ) -> WatermarkResult {
        var result = WatermarkResult()
        var calls: [(partitions: ArraySlice<TopicPartition>, end: Int64)] = []
        for (leader, led) in partitions.sorted(by: { $0.key < $1.key }) {
            guard leader >= 0 else {
                for partition in led { result.errors[partition] = KafkaError(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE) }
                continue
            }
            for start in stride(from: 0, to: led.count, by: batching.batchSize) {
                let batch = led[start..<min(start + batching.batchSize, led.count)]
                calls.append((batch, SpecialOffset.earliest))
                calls.append((batch, SpecialOffset.latest))
            }
        }
        guard !calls.isEmpty else { return result }
        let handle: KafkaHandle
        do { handle = try retainHandle() } catch {
            for call in calls { for partition in call.partitions { result.errors[partition] = error } }
            return result
        }

        let deadline = ContinuousClock.now + timeout
        let next = Atomic(0)
        let answers = Locked([Result<PartitionList, KafkaError>?](repeating: nil, count: calls.count))
        let workers = (0..<min(batching.inFlight, calls.count)).map { _ in
            Concurrently.start { [calls] in
                while true {
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < calls.count else { return }
                    let answer = Self.listOffsets(calls[index].partitions, end: calls[index].end, handle: handle, deadline: deadline)
                    answers.withLock { $0[index] = answer }
                }
            }
        }
        for worker in workers { worker.wait() }

        // The two calls of a batch are neighbours, earliest first; librdkafka fills each list in place,
        // in the order it was given, so the partitions are those of the batch at the same index.
        result.watermarks.reserveCapacity(calls.count / 2 * batching.batchSize)
        let answered = answers.withLock { $0 }
        for index in stride(from: 0, to: calls.count, by: 2) {
            let batch = calls[index].partitions
            switch (answered[index], answered[index + 1]) {
            case (.success(let earliest)?, .success(let latest)?):
                earliest.withElements { oldest in
                    latest.withElements { newest in
                        for (offset, partition) in batch.enumerated() {
                            guard offset < oldest.count, offset < newest.count,
                                  oldest[offset].partition == partition.partition, newest[offset].partition == partition.partition
                            else {
                                result.errors[partition] = .invalidArgument("list offsets: answer out of order")
                                continue
                            }
                            if let error = oldest[offset].error ?? newest[offset].error {
                                result.errors[partition] = error
                            } else {
                                result.watermarks[partition] = Watermarks(oldest: oldest[offset].offset, newest: newest[offset].offset)
                            }
                        }
                    }
                }
            case (.failure(let error)?, _), (_, .failure(let error)?):
                for partition in batch { result.errors[partition] = error }
            default:
                preconditionFailure("every watermark call is answered before the workers end")
            }
        }
        return result
    }

    /// One blocking ListOffsets call for `end` (earliest or latest) of `partitions`.
    private static func listOffsets(
        _ partitions: ArraySlice<TopicPartition>, end: Int64, handle: KafkaHandle, deadline: ContinuousClock.Instant
    ) -> Result<PartitionList, KafkaError> {
        let remaining = deadline - .now
        guard remaining > .zero else { return .failure(.timedOut("list offsets")) }
        let list = PartitionList(partitions, offset: end)
        let code = handle.use { handle in list.withPointer { rd_kafka_offsets_for_times(handle, $0, remaining.milliseconds) } }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(KafkaError(code, "list offsets: \(String(cString: rd_kafka_err2str(code)))"))
        }
        return .success(list)
    }
}
