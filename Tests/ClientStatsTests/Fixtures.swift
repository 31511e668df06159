import Foundation
import TestSupport

/// The captured statistics documents under Tests/Fixtures/statistics (see the README there).
enum Fixtures {
    static let directory = Repository.root.appendingPathComponent("Tests/Fixtures/statistics")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}
