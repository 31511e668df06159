import Exposition

extension ExpositionFormat {
    /// Chooses the format from an HTTP Accept header: OpenMetrics only when the client lists it
    /// with a non-zero quality, as Prometheus does when it prefers it.
    package static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .text }
        let offersOpenMetrics = MediaRange.parseList(accept).contains {
            $0.type == "application/openmetrics-text" && $0.quality > 0
        }
        return offersOpenMetrics ? .openMetrics : .text
    }
}

/// One element of an HTTP Accept or Accept-Encoding list, e.g. `gzip;q=0.5`.
package struct MediaRange: Sendable, Equatable {
    package let type: String
    package let quality: Double

    package static func parseList(_ header: String) -> [MediaRange] {
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
    package var trimmed: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
