import Foundation

/// Files of this repository that tests read (fixtures, helpers), found from this file's own path.
package enum Repository {
    package static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file under `Tests/Fixtures/<kind>/`.
    package static func fixture(_ kind: String, _ name: String) -> URL {
        root.appendingPathComponent("Tests/Fixtures").appendingPathComponent(kind).appendingPathComponent(name)
    }
}
