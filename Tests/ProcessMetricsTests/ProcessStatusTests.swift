import Foundation
@testable import ProcessMetrics
import Testing

/// The test process reads its own status; every expectation comes from another view of the same
/// process: getrusage, getrlimit, ps, pipes it opens, memory it touches.
@Suite(.serialized) struct ProcessStatusTests {
    @Test func cpuTimeAgreesWithGetrusage() throws {
        // Spin until this process has used 0.2 s of CPU more (however loaded the machine is).
        let start = processCPUSeconds()
        var spin = 0
        while processCPUSeconds() - start < 0.2 { spin &+= 1 }
        let status = try ProcessStatus.read()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let expected = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        // /proc counts in clock ticks (10 ms); getrusage in microseconds.
        #expect(abs(status.cpuSeconds - expected) < 0.05, "proc \(status.cpuSeconds) s, getrusage \(expected) s (\(spin))")
        #expect(status.cpuSeconds >= 0.2)
    }

    @Test func openFileDescriptorsCountPipesOpenedHere() throws {
        // Other suites open and close descriptors meanwhile: one of a few tries must see exactly these ten.
        var differences: [Double] = []
        while differences.count < 20 && differences.last != 10 {
            let before = try ProcessStatus.read().openFileDescriptors
            var pipes = [[Int32]](repeating: [0, 0], count: 5)
            for index in pipes.indices { #expect(pipe(&pipes[index]) == 0) }
            let after = try ProcessStatus.read().openFileDescriptors
            pipes.joined().forEach { close($0) }
            differences.append(after - before)
        }
        #expect(differences.last == 10, "descriptors added by five pipes, try by try: \(differences)")
    }

    @Test func limitsAgreeWithGetrlimit() throws {
        let status = try ProcessStatus.read()
        var files = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files)
        #expect(status.maxFileDescriptors == Double(files.rlim_cur))
        var addressSpace = rlimit()
        getrlimit(Int32(RLIMIT_AS.rawValue), &addressSpace)
        // RLIM_INFINITY is 2^64 - 1, which client_golang also reports for "unlimited".
        #expect(status.virtualMemoryMaxBytes == Double(addressSpace.rlim_cur))
    }

    @Test func memoryAndStartTimeAgreeWithPs() throws {
        let size = 64 << 20
        let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        defer { block.deallocate() }
        for offset in stride(from: 0, to: size, by: 4096) { block.storeBytes(of: 1, toByteOffset: offset, as: UInt8.self) }
        // Starting ps may add threads (and malloc arenas) to this process: bracket ps between two reads.
        let before = try ProcessStatus.read()
        let ps = try psFields(["rss", "vsz", "etimes"])
        let after = try ProcessStatus.read()
        let now = Date().timeIntervalSince1970
        func bracketed(_ value: Double, _ read: (ProcessStatus) -> Double, slack: Double) -> Bool {
            (min(read(before), read(after)) - slack...max(read(before), read(after)) + slack).contains(value)
        }
        // ps reports KiB.
        #expect(bracketed(ps[0] * 1024, \.residentMemoryBytes, slack: 4_194_304), "proc \(before.residentMemoryBytes)…\(after.residentMemoryBytes), ps \(ps[0]) KiB")
        #expect(before.residentMemoryBytes >= Double(size))
        #expect(bracketed(ps[1] * 1024, \.virtualMemoryBytes, slack: 4_194_304), "proc \(before.virtualMemoryBytes)…\(after.virtualMemoryBytes), ps \(ps[1]) KiB")
        #expect(abs(after.startTimeSeconds - (now - ps[2])) < 2, "start \(after.startTimeSeconds), ps elapsed \(ps[2]) s")
    }

    @Test func limitsAndNetstatParse() throws {
        let limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max open files            1024                 524288               files
            Max address space         unlimited            unlimited            bytes
            """
        #expect(try ProcessStatus.softLimit("Max open files", in: limits) == 1024)
        #expect(try ProcessStatus.softLimit("Max address space", in: limits) == Double(UInt64.max))
        let netstat = "TcpExt: SyncookiesSent\nTcpExt: 0\nIpExt: InNoRoutes InOctets OutOctets\nIpExt: 0 1234 5678\n"
        #expect(ProcessStatus.ipExtOctets(netstat).map { [$0.received, $0.sent] } == [1234, 5678])
    }

    private func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func psFields(_ fields: [String]) throws -> [Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/ps")
        process.arguments = ["-o", fields.map { "\($0)=" }.joined(separator: ","), "-p", "\(getpid())"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let values = String(decoding: data, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: true).compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(values.count == fields.count, "ps said \(String(decoding: data, as: UTF8.self))")
        return values
    }
}
