import Cluster
import Support
import Testing

@Suite struct NameFilterTests {
    @Test func includeAndExcludeAreUnanchoredLikeKafkaExporter() throws {
        let filter = try NameFilter(include: "orders", exclude: "^tmp-")
        #expect(filter.accepts("orders"))
        #expect(filter.accepts("eu-orders-v2"))
        #expect(!filter.accepts("tmp-orders"))
        #expect(!filter.accepts("payments"))
    }

    @Test func defaultsAcceptEveryNonEmptyName() {
        #expect(NameFilter.everything.accepts("__consumer_offsets"))
        #expect(NameFilter.everything.accepts("x"))
        // kafka_exporter's default exclude "^$" leaves out only the empty (legacy) group name.
        #expect(!NameFilter.everything.accepts(""))
        // Go's "$" matches only at the end of the text and ".*" matches the empty start of any text.
        #expect(NameFilter.everything.accepts("\n"))
        #expect(NameFilter.everything.accepts("line\nbreak"))
    }

    /// kafka_exporter's flags take Go RE2 patterns; these are the forms its users write.
    @Test(arguments: [
        ("^orders$", ["orders"], ["orders-v2", "eu-orders"]),
        (#"\Aorders\z"#, ["orders"], ["orders-v2"]),
        ("^(orders|payments)-", ["orders-eu", "payments-us"], ["refunds-eu", "eu-orders-x"]),
        ("^team-[0-9]+-[a-z]+$", ["team-42-orders"], ["team-x-orders", "team-42-Orders"]),
        ("^[^_]", ["orders"], ["__consumer_offsets"]),
        (#"[[:upper:]]"#, ["Orders"], ["orders"]),
        ("(?i)^ORDERS", ["orders", "Orders-v2"], ["eu-orders"]),
        ("^(?i:eu)-orders", ["EU-orders"], ["EU-ORDERS"]),
        (#"\.v\d+$"#, ["orders.v12"], ["orders.v", "orders.v٣"]),
        (#"\borders\b"#, ["eu.orders", "orders-v2"], ["eu_orders", "ordersv2"]),
        ("", ["anything", ""], []),
    ])
    func goRE2PatternsMatchAsInKafkaExporter(pattern: String, matching: [String], notMatching: [String]) throws {
        let filter = try NameFilter(include: pattern, exclude: "a^")
        for name in matching { #expect(filter.accepts(name), "\(pattern) should match \(name)") }
        for name in notMatching { #expect(!filter.accepts(name), "\(pattern) should not match \(name)") }
    }

    /// Go matches code points, not the grapheme clusters Swift strings are made of.
    @Test func dotMatchesOneCodePointAsInGo() throws {
        let twoCodePoints = try NameFilter(include: "^..$", exclude: "a^")
        #expect(twoCodePoints.accepts("🇩🇪"))
        #expect(twoCodePoints.accepts("e\u{301}"))
        #expect(!twoCodePoints.accepts("é"))
    }

    @Test func invalidPatternsNameThePattern() {
        #expect(throws: NameFilter.InvalidPattern.self) { try NameFilter(include: "([a-z") }
        do {
            _ = try NameFilter(include: ".*", exclude: "*oops")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("\"*oops\""))
        }
    }

    @Test func staticGroupsParseTopics() throws {
        #expect(try StaticGroup(parsing: "router") == StaticGroup(id: "router", topics: []))
        #expect(try StaticGroup(parsing: "router:_rawdata,_other") == StaticGroup(id: "router", topics: ["_rawdata", "_other"]))
        #expect(throws: ConfigurationError.self) { try StaticGroup(parsing: ":topic") }
        #expect(throws: ConfigurationError.self) { try StaticGroup(parsing: "group:") }
    }
}
