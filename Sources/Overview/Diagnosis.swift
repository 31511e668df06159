import FoundationEssentials

/// The banner's problems. Thresholds are those of dashboards/kafka-exporter.rules.yml (RulesAgreementTests
/// compares them with it); the banner shows a condition as soon as it holds (the alerts' `for:`
/// durations are Prometheus's to apply), except where the rule itself is about duration (sustained
/// retries, growing lag).
struct Diagnosis {
    /// PipelineAmplification.
    static let amplificationAbove = 1.2
    /// TopicDuplicates.
    static let duplicateRatioAbove = 0.01
    /// KafkaProducerQueueNearFull.
    static let queueFillAbove = 0.8
    /// KafkaConsumerGroupLagGrowing: lag above 1000 messages, growing by more than 1 per second over 10 minutes.
    static let lagAbove = 1000.0
    static let lagGrowthPerSecondAbove = 1.0
    /// The span of "recent" retries, and of the lag slope.
    static let recentWindow = 600.0

    let readings: Readings
    let rings: [OverviewRecorder.Ring: HistoryRing]
    let clients: [ClientRow]
    let groups: [GroupRow]

    var problems: [Problem] {
        let found = clusterDown() + amplification() + stoppedGroups() + duplicates() + queueFull() + retries() + underReplicated()
            + growingLag()
        return found.filter { $0.severity == .critical } + found.filter { $0.severity == .warning }
    }

    private var lastInstant: Double? { rings[.inPerSecond]?.instants.last }

    private func clusterDown() -> [Problem] {
        guard readings.scalar(PublishedFamily.up) == 0 else { return [] }
        let since = readings.scalar(PublishedFamily.lastSuccess).map { last in
            " since \(Numbers.duration(Date().timeIntervalSince1970 - last)) ago"
        } ?? ""
        return [Problem(.clusterDown,
            message: "The exporter cannot read the cluster's metadata\(since): everything below is the last data it read.",
            check: "kafka_exporter_collect_errors_total and the exporter's log name the failing step; check --kafka.server and the TLS and SASL flags.")]
    }

    private func amplification() -> [Problem] {
        let inRates = readings.byFirstLabel(PublishedFamily.stageIn), outRates = readings.byFirstLabel(PublishedFamily.stageOut)
        let ratios = readings.measured(PublishedFamily.amplification, bound: PublishedFamily.amplificationBound, records: PublishedFamily.stageRecords)
        return ratios.filter { $0.value.value > Self.amplificationAbove }.sorted { $0.key < $1.key }
            .map { stage, ratio in
                let rates = inRates[stage].flatMap { inRate in
                    outRates[stage].map { "in \(Numbers.format(inRate))/s, out \(Numbers.format($0))/s" }
                }
                let measured = Numbers.measurement(ratio, bound: Numbers.ratioBound).dropFirst()
                return Problem(.amplification,
                    message: "\(name: stage) writes \(Numbers.ratio(ratio.value)) records for every record it reads\(Self.parenthesized([String(measured), rates])).",
                    check: "the producer retries and queue fill of \(name: stage) (a Queue full followed by a retry loop re-produces records) and the duplicate ratio of the topics it writes.")
            }
    }

    /// The duplicate ratio the exporter publishes once it is exact enough, as the alert reads it.
    private func duplicates() -> [Problem] {
        let ratios = readings.measured(PublishedFamily.duplicateRatio, bound: PublishedFamily.duplicateBound, records: PublishedFamily.duplicateSamples)
        return ratios.filter { $0.value.value > Self.duplicateRatioAbove }.sorted { $0.key < $1.key }.map { topic, ratio in
            let measured = Numbers.measurement(ratio, bound: Numbers.percent).dropFirst()
            return Problem(.duplicates,
                message: "\(Numbers.percent(ratio.value)) of the records in \(name: topic) repeat an earlier one\(Self.parenthesized([measured.isEmpty ? nil : measured + " sampled in the duplicate window"])).",
                check: "the producers writing into \(name: topic): their retries and queue fill; a pipeline stage writing it shows amplification above 1.")
        }
    }

    /// " (a; b)" of the details known, or nothing.
    private static func parenthesized(_ details: [String?]) -> String {
        let known = details.compactMap { $0 }.filter { !$0.isEmpty }
        return known.isEmpty ? "" : " (" + known.joined(separator: "; ") + ")"
    }

    private func stoppedGroups() -> [Problem] {
        let troubles = GroupReasons.troubles(readings[PublishedFamily.partitionStatus])
        return troubles.keys.sorted().flatMap { group -> [Problem] in
            let all = troubles[group] ?? []
            let stopped = all.filter { $0.status == .stop }, stalled = all.filter { $0.status == .stall }
            var problems: [Problem] = []
            if !stopped.isEmpty {
                problems.append(Problem(.groupStopped,
                    message: "\(name: group) has stopped consuming: no commit for the status window on \(Self.partitions(stopped)), with messages waiting and no live member owning them.",
                    check: "whether the consumers of \(name: group) run (deployed, scaled to zero, crashed) and their logs."))
            }
            if !stalled.isEmpty {
                problems.append(Problem(.groupStalled,
                    message: "\(name: group) is stuck: a live member owns \(Self.partitions(stalled)) but has not committed for the status window.",
                    check: "the log of the consumer that owns them: a message it cannot process, or a downstream it waits for."))
            }
            return problems
        }
    }

    private static func partitions(_ troubles: GroupReasons.Troubles) -> Phrase {
        let parts = troubles.map { trouble -> Phrase in
            "\(trouble.partitions == 1 ? "1 partition" : "\(trouble.partitions) partitions") of \(name: trouble.topic)"
        }
        return parts.dropFirst().reduce(parts[0]) { "\($0), \($1)" }
    }

    private func queueFull() -> [Problem] {
        clients.filter { $0.type == "producer" && ($0.queueFill ?? 0) > Self.queueFillAbove }.map { client in
            Problem(.queueFull,
                message: "The queue of producer \(name: client.clientID) is \(Numbers.percent(client.queueFill ?? 0)) full: at 100 % produce() fails with Queue full.",
                check: "broker round-trip times and request errors of \(name: client.clientID); the application must answer Queue full by polling and producing the same record once.")
        }
    }

    /// Retries in every minute of the last 10 (KafkaProducerRetriesSustained: rate1m > 0 for 10m).
    private func retries() -> [Problem] {
        guard let lastInstant, let ring = rings[.retries] else { return [] }
        return clients.filter { $0.type == "producer" }.compactMap { client in
            let key = ClientKey.make([client.clientID, client.type])
            let sustained = (0..<10).allSatisfy { minute in
                let start = lastInstant - Self.recentWindow + Double(minute) * 60
                guard let before = ring.value(of: key, atOrBefore: start), let after = ring.value(of: key, atOrBefore: start + 60) else {
                    return false
                }
                return after > before
            }
            guard sustained else { return nil }
            return Problem(.retries,
                message: "Producer \(name: client.clientID) has retried requests for 10 minutes (\(Numbers.format(client.recentRetries ?? 0)) in the last 10 min).",
                check: "the request errors and timeouts of \(name: client.clientID) to find the broker it retries against; without idempotence, retries write duplicates.")
        }
    }

    private func underReplicated() -> [Problem] {
        let byTopic = readings.byFirstLabel(PublishedFamily.underReplicated).filter { $0.value > 0 }
        guard !byTopic.isEmpty else { return [] }
        let worst = byTopic.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        let named = worst.prefix(3).map { topic, count -> Phrase in "\(name: topic) \(Numbers.format(count))" }
        let list = named.dropFirst().reduce(named[0]) { "\($0), \($1)" }
        let more: Phrase = worst.count > 3 ? ", and \(String(worst.count - 3)) more topics" : ""
        return [Problem(.underReplicated,
            message: "\(Numbers.format(byTopic.values.reduce(0, +))) partitions have fewer in-sync replicas than replicas (\(list)\(more)).",
            check: "the brokers holding the missing replicas: down, slow or out of disk.")]
    }

    /// The least-squares slope of each group's lag over the last 10 minutes, once the history covers them.
    private func growingLag() -> [Problem] {
        guard let lastInstant, let ring = rings[.lag] else { return [] }
        let instants = ring.instants
        guard let first = instants.first, lastInstant - first >= Self.recentWindow else { return [] }
        return groups.compactMap { group in
            guard let lag = group.lag, lag > Self.lagAbove, let series = ring.series(group.group) else { return nil }
            let points = zip(instants, series).compactMap { time, value in
                value.map { (time, $0) }
            }.filter { $0.0 >= lastInstant - Self.recentWindow }
            guard points.count >= 3, let slope = Self.slope(points), slope > Self.lagGrowthPerSecondAbove else { return nil }
            return Problem(.lagGrowing,
                message: "\(name: group.group) falls behind: lag \(Numbers.format(lag)) messages, growing by \(Numbers.format(slope)) per second over the last 10 min.",
                check: "Message in per minute against Message consume per minute: more in than consumed needs more consumers (up to the partition count) or faster processing.")
        }
    }

    private static func slope(_ points: [(Double, Double)]) -> Double? {
        let count = Double(points.count)
        let meanX = points.reduce(0) { $0 + $1.0 } / count, meanY = points.reduce(0) { $0 + $1.1 } / count
        let spread = points.reduce(0) { $0 + ($1.0 - meanX) * ($1.0 - meanX) }
        guard spread > 0 else { return nil }
        return points.reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) } / spread
    }
}
