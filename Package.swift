// swift-tools-version:6.1
import Foundation
import PackageDescription

/// The commit for `kafka_exporter_build_info{revision}`: `make` passes `git rev-parse HEAD` in
/// KAFKA_EXPORTER_REVISION (SwiftPM reloads the manifest when the environment changes).
let revision = ProcessInfo.processInfo.environment["KAFKA_EXPORTER_REVISION"].flatMap { value in
    value.allSatisfy { $0.isHexDigit } && !value.isEmpty ? value : nil
} ?? "unknown"

/// How the release binary is linked so that a running exporter pages in less of it (BENCHMARKS.md,
/// "The fixed cost at 1,000 partitions"): lld puts the functions a running exporter calls next to each
/// other, those `scripts/generate-symbol-order` recorded (names it no longer finds are skipped),
/// and packs the relative relocations the loader would otherwise read and apply page by page
/// (`DT_RELR`, glibc ≥ 2.36, Debian 12's).
let releaseLayout: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=lld",
        "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/kafka-exporter/symbol-order.txt",
        "-Xlinker", "--no-warn-symbol-ordering",
        "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
    ], .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "kafka-exporter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kafka-exporter", targets: ["kafka-exporter"]),
    ],
    traits: [
        // `make bench` turns it on; every other build leaves swift-prometheus out.
        .trait(name: "PrometheusBaseline", description: "Benchmarks the renderer against swift-prometheus."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(name: "CYAML", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        .target(name: "CMicroHTTPDShims", dependencies: ["CMicroHTTPD"], linkerSettings: [.linkedLibrary("gnutls")]),
        .target(name: "CBuildInfo", cSettings: [.define("KAFKA_EXPORTER_REVISION", to: "\"\(revision)\"")]),

        .target(name: "CThreadName"),
        .target(name: "Support", dependencies: ["CThreadName", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Kafka", dependencies: ["CRdKafka", "Support", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Exposition", dependencies: ["CZlib", "CMalloc", "Support"]),
        .target(name: "HTTP", dependencies: ["CMicroHTTPD", "CMicroHTTPDShims", "CCrypt", "CYAML", "Exposition", "Support", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Cluster", dependencies: ["Kafka", "Support", .product(name: "Logging", package: "swift-log"), .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "MetricSources", dependencies: ["Cluster", "Exposition", "HTTP", "Kafka", "Support", .product(name: "Logging", package: "swift-log"), .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "ClusterMetrics", dependencies: ["MetricSources", "Cluster", "Exposition", "Kafka", "Support", .product(name: "Logging", package: "swift-log"), .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "RatesAndLag", dependencies: ["MetricSources", "Cluster", "Exposition", "HTTP", "Kafka", "Support", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "Pipelines", dependencies: ["MetricSources", "Cluster", "Exposition", "Kafka", "Support", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "Duplicates", dependencies: ["MetricSources", "Cluster", "Exposition", "Kafka", "Support", .product(name: "Logging", package: "swift-log"), .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "ClientStats", dependencies: ["MetricSources", "Cluster", "Exposition", "HTTP", "Kafka", "Support", .product(name: "Logging", package: "swift-log"), .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "Overview", dependencies: ["MetricSources", "Cluster", "Exposition", "HTTP", "Support", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "Probe", dependencies: ["MetricSources", "Cluster", "Exposition", "Kafka", "Support", .product(name: "Logging", package: "swift-log"), .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "Demo", dependencies: ["Kafka", "Support", .product(name: "Logging", package: "swift-log")]),
        .target(name: "ProcessMetrics", dependencies: ["MetricSources", "Cluster", "Exposition", "Support", .product(name: "Logging", package: "swift-log"), .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(
            name: "Exporter",
            dependencies: [
                "Support", "Kafka", "Exposition", "HTTP", "Cluster", "MetricSources",
                "ClusterMetrics", "RatesAndLag", "Pipelines", "Duplicates", "ClientStats", "Overview", "Probe", "Demo", "ProcessMetrics", "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "kafka-exporter", dependencies: ["Exporter", "Exposition"], exclude: ["symbol-order.txt"], linkerSettings: releaseLayout),
        // Benchmarks print ratios measured in one run (BENCHMARKS.md); not tests.
        .executableTarget(
            name: "ExporterBenchmarks",
            dependencies: [
                "Support", "Kafka", "Exposition", "HTTP", "Cluster", "ClusterMetrics", "ClientStats", "Overview", "Probe", "RatesAndLag", "TestSupport",
                .product(name: "Prometheus", package: "swift-prometheus", condition: .when(traits: ["PrometheusBaseline"])),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks"
        ),

        .target(
            name: "TestSupport",
            dependencies: ["Kafka", "Exposition", "HTTP", "MetricSources", "Support", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"),
        .testTarget(name: "SupportTests", dependencies: ["Support", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "Support", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "TestSupport"]),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "TestSupport"]),
        .testTarget(name: "ClusterMetricsTests", dependencies: ["ClusterMetrics", "TestSupport"]),
        .testTarget(name: "RatesAndLagTests", dependencies: ["RatesAndLag", "TestSupport"]),
        .testTarget(name: "PipelinesTests", dependencies: ["Pipelines", "Cluster", "Kafka", "Support", "TestSupport"]),
        .testTarget(name: "DuplicatesTests", dependencies: ["Duplicates", "TestSupport"]),
        .testTarget(name: "OverviewTests", dependencies: ["Overview", "Cluster", "MetricSources", "TestSupport"]),
        .testTarget(name: "ProbeTests", dependencies: ["Probe", "TestSupport"]),
        .testTarget(name: "ClientStatsTests", dependencies: ["ClientStats", "MetricSources", "TestSupport"]),
        .testTarget(name: "ProcessMetricsTests", dependencies: ["ProcessMetrics", "TestSupport"]),
        .testTarget(name: "ExporterTests", dependencies: ["Exporter", "Demo", "MetricSources", "ProcessMetrics", "TestSupport"]),
    ]
)
