extension StringProtocol {
    /// Without leading and trailing whitespace, newlines included: Foundation's `trimmingCharacters`,
    /// which FoundationEssentials leaves out.
    package func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
