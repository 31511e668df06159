import Glibc
import Support

/// What Linux says about a process in /proc: the values client_golang's process collector exports.
package struct ProcessStatus: Sendable, Equatable {
    /// User plus system CPU time.
    package var cpuSeconds: Double
    package var virtualMemoryBytes: Double
    package var residentMemoryBytes: Double
    /// Unix time the process started.
    package var startTimeSeconds: Double
    package var openFileDescriptors: Double
    /// Soft limits; "unlimited" is 2^64 - 1, as client_golang reports it.
    package var maxFileDescriptors: Double
    package var virtualMemoryMaxBytes: Double
    /// Bytes in and out of the process's network namespace (IpExt InOctets/OutOctets); nil where unreadable.
    package var networkReceiveBytes: Double?
    package var networkTransmitBytes: Double?

    package struct Unreadable: Error, CustomStringConvertible {
        package let description: String
    }

    /// Reads the status of the process `pid` ("self" for this one) under `procRoot`.
    package static func read(pid: String = "self", procRoot: String = "/proc") throws(Unreadable) -> ProcessStatus {
        let directory = "\(procRoot)/\(pid)"
        let stat = try ProcStat(parsing: try contents("\(directory)/stat"))
        let bootTime = try bootTimeSeconds(try contents("\(procRoot)/stat"))
        let limits = try contents("\(directory)/limits")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let openFileDescriptors = try entries(of: "\(directory)/fd")
        let network = (try? contents("\(directory)/net/netstat")).flatMap(ipExtOctets)
        return ProcessStatus(
            cpuSeconds: Double(stat.userTicks + stat.systemTicks) / ticks,
            virtualMemoryBytes: Double(stat.virtualBytes),
            residentMemoryBytes: Double(stat.residentPages) * Double(sysconf(Int32(_SC_PAGESIZE))),
            startTimeSeconds: bootTime + Double(stat.startTicks) / ticks,
            openFileDescriptors: Double(openFileDescriptors),
            maxFileDescriptors: try softLimit("Max open files", in: limits),
            virtualMemoryMaxBytes: try softLimit("Max address space", in: limits),
            networkReceiveBytes: network?.received, networkTransmitBytes: network?.sent)
    }

    private static func contents(_ path: String) throws(Unreadable) -> String {
        // /proc files report size 0: read to the end rather than by size.
        guard let bytes = SystemFile.read(path) else { throw Unreadable(description: "\(path): not readable") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Names in a directory, counted with readdir alone: descriptors closing meanwhile (librdkafka's
    /// sockets) must not fail the count, as a stat of each entry would.
    private static func entries(of path: String) throws(Unreadable) -> Int {
        guard let directory = opendir(path) else { throw Unreadable(description: "\(path): not readable") }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDot { count += 1 }
        }
        return count
    }

    private static func bootTimeSeconds(_ stat: String) throws(Unreadable) -> Double {
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            if let value = Double(line.dropFirst(6).trimmingWhitespace()) { return value }
        }
        throw Unreadable(description: "/proc/stat: no btime line")
    }

    /// The soft limit of `name` in /proc/PID/limits (columns are separated by two or more spaces).
    static func softLimit(_ name: String, in limits: String) throws(Unreadable) -> Double {
        for line in limits.split(separator: "\n") where line.hasPrefix(name) {
            let columns = line.dropFirst(name.count).split(separator: " ", omittingEmptySubsequences: true)
            guard let soft = columns.first else { break }
            if soft == "unlimited" { return Double(UInt64.max) }
            if let value = Double(soft) { return value }
        }
        throw Unreadable(description: "limits: no \"\(name)\" line")
    }

    /// InOctets and OutOctets of the `IpExt:` header and value lines of /proc/PID/net/netstat.
    static func ipExtOctets(_ netstat: String) -> (received: Double, sent: Double)? {
        let lines = netstat.split(separator: "\n").filter { $0.hasPrefix("IpExt:") }
        guard lines.count == 2 else { return nil }
        let names = lines[0].split(separator: " ").dropFirst()
        let values = lines[1].split(separator: " ").dropFirst().map { Double($0) }
        let byName = Dictionary(zip(names.map(String.init), values), uniquingKeysWith: { first, _ in first })
        guard let received = byName["InOctets"] ?? nil, let sent = byName["OutOctets"] ?? nil else { return nil }
        return (received, sent)
    }
}

/// The fields of /proc/PID/stat the status needs (proc(5) numbers them from 1).
struct ProcStat {
    let userTicks: UInt64
    let systemTicks: UInt64
    let startTicks: UInt64
    let virtualBytes: UInt64
    let residentPages: UInt64

    init(parsing text: String) throws(ProcessStatus.Unreadable) {
        // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
        guard let close = text.lastIndex(of: ")") else { throw ProcessStatus.Unreadable(description: "stat: no command name") }
        let fields = text[text.index(after: close)...].split(separator: " ").map { UInt64($0) }
        // fields[0] is field 3 (state); field n is fields[n - 3].
        func field(_ number: Int) throws(ProcessStatus.Unreadable) -> UInt64 {
            guard fields.count > number - 3, let value = fields[number - 3] else {
                throw ProcessStatus.Unreadable(description: "stat: field \(number) missing")
            }
            return value
        }
        userTicks = try field(14)
        systemTicks = try field(15)
        startTicks = try field(22)
        virtualBytes = try field(23)
        residentPages = try field(24)
    }
}
