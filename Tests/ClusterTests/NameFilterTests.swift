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
