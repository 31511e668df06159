import ClusterMetrics
import Exposition
import Foundation
import HTTP
import TestSupport

/// Scraping a 100k-series snapshot over loopback HTTP, against copying the same body in memory.
enum ScrapeBenchmark {
    static func run(requests: Int = 1000) throws {
        let registry = Registry()
        let state = SyntheticCluster.state(topics: 10, partitionsPerTopic: 1000, groups: 15)
        registry.publish(source: "cluster", families: ClusterFamilies.build(state))
        let router = Router(routes: [.metrics(path: "/metrics", registry: registry), Route(.exact("/empty")) { _ in .text(200, "") }])
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), router: router)
        defer { server.stop() }

        print("\n## Scraping the \(SyntheticCluster.seriesCount(state))-series snapshot over loopback HTTP (\(requests) requests, keep-alive)")
        print("body       size        scrape p50   scrape p99   memcpy p50   memcpy p99   p99 ratio (goal ≤ 10×)")
        for gzip in [false, true] {
            let body = registry.snapshot.body(.text, gzip: gzip)
            let client = try HTTPTestClient(port: server.port)
            let headers = gzip ? ["Accept-Encoding": "gzip"] : [:]
            var scrapes: [Duration] = []
            for _ in 0..<requests {
                let start = ContinuousClock.now
                let response = try client.request("GET", "/metrics", headers: headers)
                scrapes.append(.now - start)
                precondition(response.body.count == body.count, "short body")
            }
            let copies = memcpyTimes(of: body, times: requests)
            scrapes.sort()
            let p99 = Measure.percentile(scrapes, 0.99), copyP99 = Measure.percentile(copies, 0.99)
            print(String(format: "%-9@  %9d B  %11@  %11@  %11@  %11@  %@",
                         gzip ? "gzip" : "plain", body.count,
                         Measure.percentile(scrapes, 0.5).formatted, p99.formatted,
                         Measure.percentile(copies, 0.5).formatted, copyP99.formatted, ratio(p99, copyP99)))
        }
        let client = try HTTPTestClient(port: server.port)
        var emptyRequests: [Duration] = []
        for _ in 0..<requests {
            let start = ContinuousClock.now
            _ = try client.request("GET", "/empty")
            emptyRequests.append(.now - start)
        }
        emptyRequests.sort()
        print("an empty response (the fixed cost of a request): p50 \(Measure.percentile(emptyRequests, 0.5).formatted), p99 \(Measure.percentile(emptyRequests, 0.99).formatted)")
        let plain = registry.snapshot.body(.text, gzip: false)
        let compression = Measure.fastest(runs: 3) { _ = Gzip.compress(plain) }
        print("gzip of the body takes \(compression.formatted) once per snapshot; a gzip scrape never pays it.")
    }

    /// Copying the body into a fresh buffer, as the cheapest possible way of handing it out.
    private static func memcpyTimes(of body: Body, times: Int) -> [Duration] {
        (0..<times).map { _ in
            let start = ContinuousClock.now
            let copy = UnsafeMutableRawPointer.allocate(byteCount: body.count, alignment: 16)
            copy.copyMemory(from: body.baseAddress, byteCount: body.count)
            let elapsed = ContinuousClock.now - start
            copy.deallocate()
            return elapsed
        }.sorted()
    }
}
