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
            Self.family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", .counter, status.cpuSeconds),
            Self.family("process_open_fds", "Number of open file descriptors.", .gauge, status.openFileDescriptors),
            Self.family("process_max_fds", "Maximum number of open file descriptors.", .gauge, status.maxFileDescriptors),
            Self.family("process_virtual_memory_bytes", "Virtual memory size in bytes.", .gauge, status.virtualMemoryBytes),
            Self.family(
                "process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", .gauge,
                status.virtualMemoryMaxBytes),
            Self.family("process_resident_memory_bytes", "Resident memory size in bytes.", .gauge, status.residentMemoryBytes),
            Self.family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", .gauge, status.startTimeSeconds),
        ]
        if let received = status.networkReceiveBytes, let sent = status.networkTransmitBytes {
            families.append(Self.family(
                "process_network_receive_bytes_total", "Number of bytes received by the process over the network.", .counter, received))
            families.append(Self.family(
                "process_network_transmit_bytes_total", "Number of bytes sent by the process over the network.", .counter, sent))
        }
        return families
    }

    private static func family(_ name: String, _ help: String, _ type: MetricType, _ value: Double) -> MetricFamily {
        var family = MetricFamily(name: name, help: help, type: type)
        family.add(value)
        return family
    }
}

/// Always on; it has no flags.
package struct ProcessMetricsOptions: SourceOptions {
    package init() {}

    package func makeSource(_: Void, in context: SourceContext) throws -> (any MetricSource)? {
        ProcessMetricsSource(logger: context.logger)
    }
}
