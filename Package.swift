// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "kafka-exporter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kafka-exporter", targets: ["kafka-exporter"]),
        // For the benchmarks package (Benchmarks/), which keeps its own dependencies out of this build.
        .library(name: "KafkaExporterModules", targets: ["Kafka", "Exposition", "Collectors", "ClientStats", "HTTP", "TestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
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
        .systemLibrary(name: "CMalloc"),
        .target(name: "CMicroHTTPDShims", dependencies: ["CMicroHTTPD"]),

        .target(name: "Kafka", dependencies: ["CRdKafka"]),
        .target(name: "Exposition", dependencies: ["CZlib", "CMalloc"]),
        .target(
            name: "Collectors",
            dependencies: ["Kafka", "Exposition", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "HTTP",
            dependencies: ["CMicroHTTPD", "CMicroHTTPDShims", "Exposition", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "ClientStats",
            dependencies: ["Kafka", "Exposition", "HTTP", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "Demo", dependencies: ["Kafka", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "Exporter",
            dependencies: [
                "Kafka", "Exposition", "Collectors", "ClientStats", "HTTP", "Demo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "kafka-exporter", dependencies: ["Exporter"]),

        .target(name: "TestSupport", dependencies: ["Kafka", "Exposition"], path: "Tests/TestSupport"),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "TestSupport"]),
        .testTarget(name: "CollectorsTests", dependencies: ["Collectors", "TestSupport"]),
        .testTarget(name: "ClientStatsTests", dependencies: ["ClientStats", "TestSupport"]),
        .testTarget(name: "ExporterTests", dependencies: ["Exporter", "Demo", "TestSupport"]),
    ]
)
