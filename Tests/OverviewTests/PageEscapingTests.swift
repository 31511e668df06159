import Exposition
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Overview
import Testing

/// Group and client names are anybody's choice: on the page they are text, never markup, in element
/// content and in attribute values alike. The page is parsed as strict XML, so a name that broke out
/// of its context would show as an element, an attribute or a parse error.
@Suite struct PageEscapingTests {
    static let hostile = [
        "<script>alert(1)</script>",
        "\"onmouseover=alert(1) x=\"",
        "' onfocus='alert(2)",
        "a&amp;b</td></tr></table><img src=x onerror=alert(3)>",
        String(repeating: "g", count: 240) + "<b>\"&'</b>",
    ]

    private func page(names: [String]) throws -> String {
        let (recorder, _) = Families.recorder(cycles: 3) { cycle in
            let groups = Dictionary(uniqueKeysWithValues: names.map { ([$0, "_policy"], 100.0 + Double(cycle)) })
            let status = Dictionary(uniqueKeysWithValues: names.map { ([$0], 3.0) })
            let partitions = Dictionary(uniqueKeysWithValues: names.map { ([$0, "_policy", "0"], 4.0) })
            let clients = Dictionary(uniqueKeysWithValues: names.map { ([$0, "producer", "1"], Double(cycle)) })
            let queue = Dictionary(uniqueKeysWithValues: names.map { ([$0, "producer"], 90.0) })
            let limit = Dictionary(uniqueKeysWithValues: names.map { ([$0, "producer"], 100.0) })
            return [
                "cluster": [Families.gauge(PublishedFamily.lagSum, ["consumergroup", "topic"], groups)],
                "insights": [
                    Families.gauge(PublishedFamily.consumedPerMinute, ["consumergroup", "topic"], groups),
                    Families.gauge(PublishedFamily.groupStatus, ["consumergroup"], status),
                    Families.gauge(PublishedFamily.partitionStatus, ["consumergroup", "topic", "partition"], partitions),
                ],
                "pipeline": [
                    Families.gauge(PublishedFamily.amplification, ["stage"], Dictionary(uniqueKeysWithValues: names.map { ([$0], 2.0) })),
                ],
                "client_stats": [
                    Families.gauge(PublishedFamily.retries, ["client_id", "type", "broker"], clients),
                    Families.gauge(PublishedFamily.queueMessages, ["client_id", "type"], queue),
                    Families.gauge(PublishedFamily.queueMaxMessages, ["client_id", "type"], limit),
                ],
            ]
        }
        let frame = PageFrame(heading: "kafka-exporter <test>", summary: "summary & more", links: [("/metrics?a=1&b=\"2\"", "<Exposition>")])
        return OverviewPage.render(recorder.document(), frame: frame, nonce: "abc+/=", top: 50, jsonPath: OverviewSource.jsonPath)
    }

    @Test func hostileNamesStayText() throws {
        let html = try page(names: Self.hostile)
        let tree = try XMLTree(html)
        #expect(!tree.elementNames.contains("script"))
        #expect(!tree.elementNames.contains("img"))
        #expect(!tree.elementNames.contains("b"))
        #expect(tree.attributeNames.filter { $0.lowercased().hasPrefix("on") }.isEmpty)
        // Every name is on the page as the text of a table cell and of a legend entry, unchanged.
        for name in Self.hostile {
            #expect(tree.texts.contains(name), "\(name.prefix(40)) is not a text on the page")
            #expect(tree.texts.contains("\(name) (producer)"))
        }
        // The footer's link keeps its path as an attribute value.
        #expect(tree.attributeValues.contains("/metrics?a=1&b=\"2\""))
        #expect(tree.texts.contains("<Exposition>"))
        #expect(tree.attributeValues.contains("abc+/="))
    }

    @Test func aKafkaMaximumLengthNameIsKeptWhole() throws {
        let long = String(repeating: "x", count: 249)
        let tree = try XMLTree(try page(names: [long]))
        #expect(tree.texts.contains(long))
    }

    @Test func escapingCoversEveryCharacterThatEndsATextOrAnAttribute() {
        #expect(HTML.escape("<a href=\"x\" title='y'>&amp;</a>") == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;")
        #expect(HTML.escape("é ✓ 日本") == "é ✓ 日本")
    }
}

/// The elements, attributes and texts of a strictly parsed XML document.
final class XMLTree: NSObject, XMLParserDelegate {
    private(set) var elementNames: [String] = []
    private(set) var attributeNames: [String] = []
    private(set) var attributeValues: [String] = []
    private(set) var texts: [String] = []
    private var text = ""

    init(_ document: String) throws {
        super.init()
        let parser = XMLParser(data: Data(document.utf8))
        parser.delegate = self
        guard parser.parse() else {
            throw ParseFailure(message: "\(parser.parserError.map(String.init(describing:)) ?? "?") at line \(parser.lineNumber)")
        }
    }

    struct ParseFailure: Error { let message: String }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        flush()
        elementNames.append(name)
        attributeNames += attributes.keys
        attributeValues += attributes.values
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { flush() }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    private func flush() {
        if !text.isEmpty { texts.append(text) }
        text = ""
    }
}
