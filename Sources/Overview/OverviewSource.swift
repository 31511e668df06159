import Cluster
import Exposition
import FoundationEssentials
import HTTP
import MetricSources

/// The overview at `/` and `/api/v1/overview`: it publishes no families of its own but reads those
/// every other source publishes (`PublicationObserver`) into a bounded history.
package final class OverviewSource: MetricSource, PublicationObserver {
    package static let jsonPath = "/api/v1/overview"
    package let name = "overview"
    package static let declaredFamilies: [MetricFamily] = []
    package let recorder: OverviewRecorder

    package init(recorder: OverviewRecorder) {
        self.recorder = recorder
    }

    package func families(after cycle: CollectionCycle) -> [MetricFamily]? { nil }

    package func observe(_ familiesBySource: [String: [MetricFamily]], after cycle: CollectionCycle?) {
        recorder.observe(familiesBySource, at: cycle.map { $0.state?.collectedAt ?? Date() })
    }

    package var routes: [Route] {
        [Route(.exact(Self.jsonPath), title: "Overview (JSON)") { [recorder] _ in
            var response = HTTPResponse.json(200, recorder.json())
            response.headers.append(("X-Content-Type-Options", "nosniff"))
            return response
        }]
    }

    /// The page; the route table mounts it at `/` with the links to every other endpoint.
    package func pageRoute(frame: @escaping @Sendable () -> PageFrame) -> Route {
        Route(.exact("/")) { [recorder] _ in
            let nonce = Data((0..<16).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
            let page = OverviewPage.render(recorder.document(), frame: frame(), nonce: nonce, top: recorder.settings.top, jsonPath: Self.jsonPath)
            var response = HTTPResponse.text(200, page, contentType: "text/html; charset=utf-8")
            response.headers += Self.securityHeaders(nonce: nonce)
            return response
        }
    }

    /// No script at all, nothing from elsewhere, the one stylesheet by its nonce; not framed, not sniffed, not cached.
    static func securityHeaders(nonce: String) -> [(String, String)] {
        [
            ("Content-Security-Policy",
             "default-src 'none'; style-src 'nonce-\(nonce)'; script-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Cache-Control", "no-store"),
        ]
    }
}
