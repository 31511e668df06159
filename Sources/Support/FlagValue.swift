/// Flag values parsed with errors that name the flag.
package enum FlagValue {
    /// A positive duration such as `15s`, `500ms` or `1h30m`.
    package static func positiveDuration(_ text: String, flag: String) throws(ConfigurationError) -> Duration {
        let value = try duration(text, flag: flag)
        guard value > .zero else { throw ConfigurationError("\(flag) must be positive") }
        return value
    }

    /// A duration that may be zero but not negative.
    package static func duration(_ text: String, flag: String) throws(ConfigurationError) -> Duration {
        let value: Duration
        do {
            value = try DurationParsing.parse(text)
        } catch {
            throw ConfigurationError("\(flag): \(error)")
        }
        guard value >= .zero else { throw ConfigurationError("\(flag) \(text): the duration is negative") }
        return value
    }
}
