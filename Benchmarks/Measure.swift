import Foundation

/// Wall-clock measurements: repeated runs, reported as the fastest, which is the least disturbed by
/// whatever else the machine is doing.
enum Measure {
    static func fastest(runs: Int = 9, _ body: () -> Void) -> Duration {
        body()  // warm-up
        var best = Duration.seconds(3600)
        for _ in 0..<runs {
            let start = ContinuousClock.now
            body()
            best = min(best, .now - start)
        }
        return best
    }

    /// User plus system CPU time of the whole process, in milliseconds.
    static func processCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let total = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
        return Double(total) * 1000 + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000
    }

    static func percentile(_ sorted: [Duration], _ fraction: Double) -> Duration {
        sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    var formatted: String { String(format: "%.3f ms", milliseconds) }
}

func ratio(_ numerator: Duration, _ denominator: Duration) -> String {
    String(format: "%.2f×", numerator.milliseconds / max(denominator.milliseconds, 1e-9))
}
