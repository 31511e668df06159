/// The two exposition formats a scraper may ask for.
public enum ExpositionFormat: Sendable, CaseIterable {
    case text
    case openMetrics

    public var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// Chooses the format from an HTTP Accept header: OpenMetrics only when the client lists it
    /// with a non-zero quality, as Prometheus does when it prefers it.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .text }
        let offersOpenMetrics = MediaRange.parseList(accept).contains {
            $0.type == "application/openmetrics-text" && $0.quality > 0
        }
        return offersOpenMetrics ? .openMetrics : .text
    }
}

/// One element of an HTTP Accept or Accept-Encoding list, e.g. `gzip;q=0.5`.
public struct MediaRange: Sendable, Equatable {
    public let type: String
    public let quality: Double

    public static func parseList(_ header: String) -> [MediaRange] {
        header.split(separator: ",").compactMap { element in
            let parts = element.split(separator: ";")
            guard let first = parts.first else { return nil }
            let type = first.trimmed.lowercased()
            guard !type.isEmpty else { return nil }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmed.lowercased() == "q" {
                    quality = Double(pair[1].trimmed) ?? 0
                }
            }
            return MediaRange(type: type, quality: quality)
        }
    }
}

extension Substring {
    var trimmed: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
