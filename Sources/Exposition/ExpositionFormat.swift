/// The two exposition formats a scraper may ask for.
package enum ExpositionFormat: Sendable, CaseIterable {
    case text
    case openMetrics

    package var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }
}
