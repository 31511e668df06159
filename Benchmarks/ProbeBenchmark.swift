import Foundation
import Kafka
import Logging
import Probe

/// What the end-to-end probe costs at 3 brokers: process CPU time per minute with the probe running,
/// minus the same process idle with the mock cluster alone (the in-process mock brokers' work for the
/// probe's requests is included, as a real broker's would not be), and Kafka requests per minute sent
/// by the probe's clients, read from their own librdkafka statistics (`tx`).
enum ProbeBenchmark {
    static func run(seconds: Double = 20) throws {
        print("\n## Probe overhead, mock cluster with 3 brokers (\(Int(seconds)) s per interval)")
        print("interval   records/min   CPU ms/min (probe − idle)   CPU share of one core   requests/min")
        for interval in [Duration.seconds(1), .milliseconds(100)] {
            let result = try measure(interval: interval, seconds: seconds)
            print(String(format: "%8@   %11.0f   %25.1f   %20.3f%%   %12.0f",
                         "\(interval.milliseconds / 1000)s", result.recordsPerMinute, result.cpuPerMinute, result.cpuPerMinute / 600,
                         result.requestsPerMinute))
        }
    }

    private struct Result {
        let recordsPerMinute: Double
        let cpuPerMinute: Double
        let requestsPerMinute: Double
    }

    private static func measure(interval: Duration, seconds: Double) throws -> Result {
        let cluster = try MockCluster(brokers: 3)
        try cluster.createTopic("probe", partitions: 3, replicationFactor: 3)
        for partition: Int32 in 0..<3 { try cluster.setLeader(topic: "probe", partition: partition, broker: partition + 1) }

        let idleStart = Measure.processCPU()
        Thread.sleep(forTimeInterval: seconds)
        let idleCPU = Measure.processCPU() - idleStart

        let requests = RequestCounter()
        let factory = KafkaClientFactory(
            base: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers), ("statistics.interval.ms", "500"), ("log_level", "0")]),
            logger: Logger(label: "bench"), statistics: requests.record)
        var settings = ProbeSettings()
        settings.topic = "probe"
        settings.interval = interval
        let prober = try Prober(settings: settings, kafka: factory, logger: Logger(label: "bench"))
        prober.start()
        // Start-up (metadata, assignment, first fetches) is not the steady state being measured.
        while !prober.snapshot().isUp { Thread.sleep(forTimeInterval: 0.05) }
        Thread.sleep(forTimeInterval: 2)
        let sentBefore = prober.snapshot().ledger.counts.values.reduce(0) { $0 + $1.produced }
        let requestsBefore = requests.settled()
        let cpuStart = Measure.processCPU()
        let wallStart = ContinuousClock.now
        Thread.sleep(forTimeInterval: seconds)
        let cpu = Measure.processCPU() - cpuStart
        let wall = (ContinuousClock.now - wallStart).milliseconds / 60_000
        let requestCount = requests.settled() - requestsBefore
        let sent = prober.snapshot().ledger.counts.values.reduce(0) { $0 + $1.produced } - sentBefore
        prober.stop()
        return Result(
            recordsPerMinute: Double(sent) / wall, cpuPerMinute: (cpu - idleCPU) / wall,
            requestsPerMinute: Double(requestCount) / wall)
    }
}
