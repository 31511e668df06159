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

        package init(batchSize: Int = 250, inFlight: Int = 8) {
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

        let deadline = ContinuousClock.now + timeout
        let next = Atomic(0)
        let answers = Mutex([Result<PartitionList, KafkaError>?](repeating: nil, count: calls.count))
        let handle = SendablePointer(pointer: handle)
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

        var oldest: [TopicPartition: Int64] = [:]
        oldest.reserveCapacity(calls.count / 2 * batching.batchSize)
        result.watermarks.reserveCapacity(oldest.capacity)
        for (call, answer) in zip(calls, answers.withLock { $0 }) {
            switch answer {
            case .failure(let error)?:
                for partition in call.partitions { result.errors[partition] = error }
            case .success(let list)?:
                list.withElements { elements in
                    for element in elements {
                        let partition = element.topicPartition
                        if let error = element.error {
                            result.errors[partition] = error
                        } else if call.end == SpecialOffset.earliest {
                            oldest[partition] = element.offset
                        } else if let low = oldest[partition] {
                            result.watermarks[partition] = Watermarks(oldest: low, newest: element.offset)
                        }
                    }
                }
            case nil:
                preconditionFailure("every watermark call is answered before the workers end")
            }
        }
        return result
    }

    /// One blocking ListOffsets call for `end` (earliest or latest) of `partitions`.
    private static func listOffsets(
        _ partitions: ArraySlice<TopicPartition>, end: Int64, handle: SendablePointer, deadline: ContinuousClock.Instant
    ) -> Result<PartitionList, KafkaError> {
        let remaining = deadline - .now
        guard remaining > .zero else { return .failure(.timedOut("list offsets")) }
        let list = PartitionList(partitions, offset: end)
        let code = list.withPointer { rd_kafka_offsets_for_times(handle.pointer, $0, remaining.milliseconds) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(KafkaError(code, "list offsets: \(String(cString: rd_kafka_err2str(code)))"))
        }
        return .success(list)
    }
}
