/// A flag or configuration value that cannot be used; the process exits with status 2 and prints the
/// description, which names the flag.
package struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}
