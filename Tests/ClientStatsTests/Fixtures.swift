import Foundation
import TestSupport

/// The captured statistics documents under Tests/Fixtures/stats (see the README there).
enum Fixtures {
    static let directory = TansuBroker.repositoryRoot.appendingPathComponent("Tests/Fixtures/stats")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}
