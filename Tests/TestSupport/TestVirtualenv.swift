import Foundation

/// The project's Python virtualenv, `.venv` at the repository root: the Tansu broker, confluent-kafka
/// and pytest. `make test-deps` (and so `make test`) creates it all at once; `swift test` on its own
/// skips the tests that need it.
package enum TestVirtualenv {
    package static let bin = Repository.root.appendingPathComponent(".venv/bin")
    package static let python3 = bin.appendingPathComponent("python3")
    package static let tansu = bin.appendingPathComponent("tansu")

    package static var isInstalled: Bool {
        [python3, tansu].allSatisfy { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
