// swift-tools-version:6.2
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its directory, which depends on where the repository was cloned.
let rootPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
// The modules share their API with `package` access; compiling the benchmarks under the root package's
// name (SwiftPM's: the identity with every other character than letters and digits as `_`) lets them
// call it as the root package's own tests do.
let rootPackageName = String(rootPackage.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })

// Benchmarks live in their own package so that swift-prometheus (the baseline) and benchmark-only
// code stay out of the build that the tests and the demo need. Run: `make bench`.
let package = Package(
    name: "kafka-exporter-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        .executableTarget(
            name: "ExporterBenchmarks",
            dependencies: [
                .product(name: "KafkaExporterModules", package: rootPackage),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: [.unsafeFlags(["-package-name", rootPackageName])]
        ),
    ]
)
