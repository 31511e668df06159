import Cluster
import Exposition
import Logging
import MetricSources
import Support

/// The exporter's own process, named as client_golang's process collector names it (users of
/// kafka_exporter track its memory with `process_resident_memory_bytes`). Read from /proc once per
/// collection cycle and at start.
package struct ProcessMetricsSource: MetricSource {
    package let name = "process"
    package static let declaredFamilies = [
        cpuSeconds, openFDs, maxFDs, virtualMemory, virtualMemoryMax, residentMemory, startTime, networkReceived, networkSent,
    ]

    private static let cpuSeconds = MetricFamily(
        name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", type: .counter)
    private static let openFDs = MetricFamily(name: "process_open_fds", help: "Number of open file descriptors.", type: .gauge)
    private static let maxFDs = MetricFamily(name: "process_max_fds", help: "Maximum number of open file descriptors.", type: .gauge)
    private static let virtualMemory = MetricFamily(
        name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.", type: .gauge)
    private static let virtualMemoryMax = MetricFamily(
        name: "process_virtual_memory_max_bytes", help: "Maximum amount of virtual memory available in bytes.", type: .gauge)
    private static let residentMemory = MetricFamily(
        name: "process_resident_memory_bytes", help: "Resident memory size in bytes.", type: .gauge)
    private static let startTime = MetricFamily(
        name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.", type: .gauge)
    private static let networkReceived = MetricFamily(
        name: "process_network_receive_bytes_total", help: "Number of bytes received by the process over the network.", type: .counter)
    private static let networkSent = MetricFamily(
        name: "process_network_transmit_bytes_total", help: "Number of bytes sent by the process over the network.", type: .counter)

    private let problems: ProblemLog<String>

    package init(logger: Logger) {
        problems = ProblemLog("cannot read the process status", recovery: "process status readable again", logger: logger)
    }

    package func start(publish: @escaping @Sendable ([MetricFamily]) -> Void) {
        publish(families())
    }

    package func families(after cycle: CollectionCycle) -> [MetricFamily]? {
        families()
    }

    private func families() -> [MetricFamily] {
        let status: ProcessStatus
        do {
            status = try ProcessStatus.read()
            problems.report(nil, for: name)
        } catch {
            problems.report(error.description, for: name)
            return []
        }
        var families = [
            Self.filled(Self.cpuSeconds, status.cpuSeconds),
            Self.filled(Self.openFDs, status.openFileDescriptors),
            Self.filled(Self.maxFDs, status.maxFileDescriptors),
            Self.filled(Self.virtualMemory, status.virtualMemoryBytes),
            Self.filled(Self.virtualMemoryMax, status.virtualMemoryMaxBytes),
            Self.filled(Self.residentMemory, status.residentMemoryBytes),
            Self.filled(Self.startTime, status.startTimeSeconds),
        ]
        if let received = status.networkReceiveBytes, let sent = status.networkTransmitBytes {
            families.append(Self.filled(Self.networkReceived, received))
            families.append(Self.filled(Self.networkSent, sent))
        }
        return families
    }

    private static func filled(_ declaration: MetricFamily, _ value: Double) -> MetricFamily {
        var family = declaration
        family.add(value)
        return family
    }
}

/// Always on; it has no flags.
package struct ProcessMetricsOptions: SourceOptions {
    package init() {}

    package func makeSource(_: Void, in context: SourceContext) throws -> ProcessMetricsSource? {
        ProcessMetricsSource(logger: context.logger)
    }
}
