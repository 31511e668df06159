import Support

/// One of the four bodies a scrape can be answered with.
struct BodyVariant: Sendable, Equatable {
    let format: ExpositionFormat
    let gzip: Bool

    static let all = ExpositionFormat.allCases.flatMap { format in [false, true].map { BodyVariant(format: format, gzip: $0) } }

    var index: Int { (format == .text ? 0 : 2) + (gzip ? 1 : 0) }
}

/// When each body was last asked for. The registry builds ahead only the bodies asked for within
/// `remembered`: Prometheus asks for gzip-compressed OpenMetrics, curl for plain text, and a body
/// nobody fetches should cost neither CPU nor memory each cycle.
final class ScrapeDemand: Sendable {
    /// Long enough to span several scrape intervals, so that a regular scraper always finds its body ready.
    static let remembered = Duration.seconds(600)

    private let lastAsked = Locked<[ContinuousClock.Instant?]>(Array(repeating: nil, count: BodyVariant.all.count))

    func record(_ variant: BodyVariant) {
        lastAsked.withLock { $0[variant.index] = .now }
    }

    /// The bodies asked for within `remembered`.
    var recent: [BodyVariant] {
        let since = ContinuousClock.now - Self.remembered
        let asked = lastAsked.withLock { $0 }
        return BodyVariant.all.filter { variant in asked[variant.index].map { $0 >= since } ?? false }
    }
}
