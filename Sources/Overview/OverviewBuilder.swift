import Cluster
import FoundationEssentials
import Support

/// The document from the latest readings and the rings: charts of the top keys, tables of all.
struct OverviewBuilder {
    let readings: Readings
    let rings: [OverviewRecorder.Ring: HistoryRing]
    let settings: OverviewRecorder.Settings
    let now: Date

    func document() -> OverviewDocument {
        let groups = groupRows()
        let clients = clientRows()
        return OverviewDocument(
            generatedAt: now, historySeconds: settings.history, cluster: cluster(groups: groups.count),
            problems: Diagnosis(readings: readings, rings: rings, clients: clients, groups: groups).problems,
            charts: charts(), topics: topicRows(), groups: groups, stages: stageRows(), clients: clients)
    }

    private func cluster(groups: Int) -> ClusterSummary {
        let partitions = readings.byFirstLabel(PublishedFamily.topicPartitions)
        return ClusterSummary(
            up: readings.scalar(PublishedFamily.up).map { $0 == 1 }, brokers: readings.scalar(PublishedFamily.brokers).map { Int($0) },
            topics: partitions.count, partitions: Int(partitions.values.reduce(0, +)), groups: groups,
            underReplicatedPartitions: Int(readings[PublishedFamily.underReplicated].values.reduce(0, +)),
            lastCollectedAt: readings.scalar(PublishedFamily.lastSuccess).map(Date.init(timeIntervalSince1970:)))
    }

    // MARK: Charts

    private struct Line {
        let name: String
        let current: Double?
        let ring: OverviewRecorder.Ring
        let key: String
    }

    private func lines(_ family: PublishedFamily, _ ring: OverviewRecorder.Ring, suffix: String = "") -> [Line] {
        readings.byFirstLabel(family).map { Line(name: $0.key + suffix, current: $0.value, ring: ring, key: $0.key) }
    }

    private func charts() -> [Chart] {
        let clients = ClientKey.values(readings).queueFill.map { key, fill in
            let (clientID, type) = ClientKey.split(key)
            return Line(name: "\(clientID) (\(type))", current: fill, ring: .queueFill, key: key)
        }
        let noRates = "No rates yet: they appear from the second collection cycle."
        return [
            chart("message-in-per-second", "Message in per second", "msg/s", noRates, lines(PublishedFamily.inPerSecond, .inPerSecond)),
            chart("message-in-per-minute", "Message in per minute", "msg/min", noRates, lines(PublishedFamily.inPerMinute, .inPerMinute)),
            chart("message-consume-per-minute", "Message consume per minute", "msg/min", noRates,
                  lines(PublishedFamily.consumedPerMinute, .consumedPerMinute)),
            chart("lag-messages", "Lag by consumer group", "msg", "No consumer group has committed offsets.",
                  lines(PublishedFamily.lagSum, .lag)),
            chart("lag-seconds", "Lag by consumer group in seconds", "s", "No lag in seconds yet: it needs two collection cycles.",
                  lines(PublishedFamily.maxLagSeconds, .lagSeconds)),
            chart("pipeline-rates", "Pipeline stages: in and out per second", "msg/s", "No pipeline stage declared (--pipeline).",
                  lines(PublishedFamily.stageIn, .stageIn, suffix: " in") + lines(PublishedFamily.stageOut, .stageOut, suffix: " out")),
            chart("amplification", "Amplification: records out per record in", "ratio",
                  "No ratio yet: a stage's ratio appears once the records it read bound it within ±\(RatioPrecision.publishedWithin).", lines(PublishedFamily.amplification, .amplification),
                  threshold: Diagnosis.amplificationAbove),
            chart("duplicates", "Duplicate ratio per watched topic", "share", "No topic watched for duplicates (--duplicates.topic).",
                  lines(PublishedFamily.duplicateRatio, .duplicateRatio), threshold: Diagnosis.duplicateRatioAbove),
            chart("queue-fill", "Producer queue fill", "share", "No producer reports librdkafka statistics.", clients,
                  threshold: Diagnosis.queueFillAbove),
        ]
    }

    private func chart(_ id: String, _ title: String, _ unit: String, _ emptyNote: String, _ lines: [Line], threshold: Double? = nil) -> Chart {
        // Every ring takes an instant at the same time, so any ring's instants are every chart's.
        let times = rings[.inPerSecond]?.instants ?? []
        let shown = lines.sorted { ($0.current ?? -.infinity, $1.name) > ($1.current ?? -.infinity, $0.name) }.prefix(settings.top)
        let series = shown.map { line in
            ChartSeries(
                name: line.name, current: line.current,
                values: rings[line.ring]?.series(line.key) ?? Array(repeating: nil, count: times.count))
        }
        return Chart(id: id, title: title, unit: unit, times: times, series: series, total: lines.count, threshold: threshold, emptyNote: emptyNote)
    }

    // MARK: Tables

    private func topicRows() -> [TopicRow] {
        let partitions = readings.byFirstLabel(PublishedFamily.topicPartitions)
        let perSecond = readings.byFirstLabel(PublishedFamily.inPerSecond)
        let perMinute = readings.byFirstLabel(PublishedFamily.inPerMinute)
        let duplicates = readings.measured(PublishedFamily.duplicateRatio, bound: PublishedFamily.duplicateBound, records: PublishedFamily.duplicateSamples)
        let underReplicated = readings.byFirstLabel(PublishedFamily.underReplicated)
        let names = Set(partitions.keys).union(perSecond.keys).union(duplicates.keys)
        return names.map { topic in
            TopicRow(
                topic: topic, partitions: partitions[topic].map { Int($0) }, messagesInPerSecond: perSecond[topic],
                messagesInPerMinute: perMinute[topic], duplicateRatio: duplicates[topic], underReplicatedPartitions: Int(underReplicated[topic] ?? 0))
        }.sorted { ($0.messagesInPerSecond ?? -1, $1.topic) > ($1.messagesInPerSecond ?? -1, $0.topic) }
    }

    /// ERR first, then WARN, NOTFOUND and OK; within each, the largest lag first.
    private func groupRows() -> [GroupRow] {
        let status = readings.byFirstLabel(PublishedFamily.groupStatus)
        let lag = readings.byFirstLabel(PublishedFamily.lagSum)
        let lagSeconds = readings.byFirstLabel(PublishedFamily.maxLagSeconds)
        let consumed = readings.byFirstLabel(PublishedFamily.consumedPerMinute)
        let troubles = GroupReasons.troubles(readings[PublishedFamily.partitionStatus])
        let names = Set(status.keys).union(lag.keys).union(consumed.keys)
        let rank = Dictionary(uniqueKeysWithValues: [ConsumerStatus.error, .warn, .notFound, .ok].enumerated().map { ($1.rawValue, $0) })
        return names.map { group in
            let name = GroupReasons.statusName(status[group])
            return GroupRow(
                group: group, status: name, reason: GroupReasons.reason(status: name, lag: lag[group], troubles: troubles[group] ?? []),
                lag: lag[group], maxLagSeconds: lagSeconds[group], consumedPerMinute: consumed[group])
        }.sorted {
            (rank[$0.status] ?? 4, -($0.lag ?? 0), $0.group) < (rank[$1.status] ?? 4, -($1.lag ?? 0), $1.group)
        }
    }

    private func stageRows() -> [StageRow] {
        let inRates = readings.byFirstLabel(PublishedFamily.stageIn)
        let outRates = readings.byFirstLabel(PublishedFamily.stageOut)
        let ratios = readings.measured(PublishedFamily.amplification, bound: PublishedFamily.amplificationBound, records: PublishedFamily.stageRecords)
        return Set(inRates.keys).union(outRates.keys).sorted().map { stage in
            StageRow(stage: stage, inPerSecond: inRates[stage], outPerSecond: outRates[stage], amplificationRatio: ratios[stage])
        }
    }

    /// The fullest queues first, then the most retries.
    private func clientRows() -> [ClientRow] {
        let (retries, errors, fill) = ClientKey.values(readings)
        let lastInstant = rings[.retries]?.instants.last ?? 0
        return Set(retries.keys).union(errors.keys).union(fill.keys).map { key in
            let (clientID, type) = ClientKey.split(key)
            let recent = rings[.retries]?.change(of: key, since: lastInstant - Diagnosis.recentWindow).map { change in
                change.to.value >= change.from.value ? change.to.value - change.from.value : change.to.value
            }
            return ClientRow(clientID: clientID, type: type, retries: retries[key], recentRetries: recent, errors: errors[key], queueFill: fill[key])
        }.sorted {
            ($0.queueFill ?? -1, $0.recentRetries ?? -1, $1.clientID, $1.type) > ($1.queueFill ?? -1, $1.recentRetries ?? -1, $0.clientID, $0.type)
        }
    }
}
