import Exposition
import Foundation
@testable import Overview
import Testing

/// Charts show the top keys of a large cluster with a count of the hidden ones, from rings whose
/// memory is fixed.
@Suite struct ChartTests {
    @Test func topKeysByCurrentValueWithTheHiddenCount() throws {
        var settings = OverviewRecorder.Settings()
        settings.top = 3
        let topics = (1...25).map { "topic-\($0)" }
        let (recorder, _) = Families.recorder(cycles: 4, settings: settings) { cycle in
            ["insights": [Families.gauge(PublishedFamily.inPerSecond, ["topic"], Dictionary(uniqueKeysWithValues: topics.enumerated().map {
                ([$0.element], Double($0.offset + 1) + Double(cycle))
            }))]]
        }
        let document = recorder.document()
        let chart = try #require(document.charts.first { $0.id == "message-in-per-second" })
        #expect(chart.series.map(\.name) == ["topic-25", "topic-24", "topic-23"])
        #expect(chart.series[0].values == [25, 26, 27, 28])
        #expect(chart.total == 25)
        #expect(document.topics.count == 25)
        let page = OverviewPage.render(
            document, frame: PageFrame(heading: "h", summary: "s", links: []), nonce: "n", top: 3, jsonPath: OverviewSource.jsonPath)
        #expect(page.contains("Top 3 of 25 series; 22 hidden: all in <a href=\"/api/v1/overview\">/api/v1/overview</a>."))
        #expect(!page.contains("topic-22"))
        #expect(!page.contains("id=\"banner\""))
    }

    @Test func theJSONCarriesEveryRowAndDecodes() throws {
        let (recorder, _) = Families.recorder(cycles: 2) { _ in
            ["insights": [
                Families.gauge(PublishedFamily.groupStatus, ["consumergroup"], [["a"]: 1, ["b"]: 3]),
                Families.gauge(PublishedFamily.partitionStatus, ["consumergroup", "topic", "partition"], [["b", "t", "0"]: 6]),
            ]]
        }
        let document = recorder.document()
        let json = recorder.json()
        let decoded = try JSONDecoder.iso8601.decode(OverviewDocument.self, from: Data(json))
        #expect(decoded.groups.map(\.group) == ["b", "a"])
        #expect(decoded.groups.map(\.status) == ["ERR", "OK"])
        #expect(decoded.groups[0].reason.text == "1 partition of t REWIND: the committed offset went backwards")
        #expect(decoded.charts.map(\.id) == document.charts.map(\.id))
    }

    @Test func aRingKeepsItsCapacityAndItsLargestKeys() throws {
        var ring = HistoryRing(capacity: 4, maxKeys: 2)
        for time in 0..<6 {
            ring.append(at: Double(time), time < 2 ? ["old": 100, "a": 1] : ["a": Double(time), "b": 10, "c": 0.5])
        }
        #expect(ring.instants == [2, 3, 4, 5])
        #expect(ring.series("a") == [2, 3, 4, 5])
        #expect(ring.series("b") == [10, 10, 10, 10])
        #expect(ring.series("c") == nil)
        // "old" was last seen at instant 1, which has left the ring.
        #expect(ring.series("old") == nil)
        #expect(Set(ring.keys) == ["a", "b"])
        #expect(ring.value(of: "a", atOrBefore: 3.5) == 3)
    }

    @Test func gapsBreakTheLineAndTheScaleIsRound() {
        let segments = SVGChart.segments(times: [0, 1, 2, 3, 4, 5], values: [1, 2, nil, 4, nil, 6], from: 1)
        #expect(segments.map { $0.map(\.1) } == [[2], [4], [6]])
        #expect([0.7, 1, 1.1, 3, 240, 0.004].map(SVGChart.roundCeiling) == [1, 1, 2, 5, 250, 0.005])
        #expect([0, 12.34, -12.34, -0.05, 5.96, 180].map(SVGChart.coordinate) == ["0", "12.3", "-12.3", "-0.1", "6", "180"])
    }

    @Test func beforeTheFirstCycleEveryPanelSaysWhyItIsEmpty() throws {
        let document = OverviewRecorder(settings: .init()).document()
        let page = OverviewPage.render(
            document, frame: PageFrame(heading: "h", summary: "s", links: []), nonce: "n", top: 10, jsonPath: OverviewSource.jsonPath)
        let tree = try XMLTree(page)
        #expect(tree.elementNames.filter { $0 == "figure" }.count == document.charts.count)
        #expect(!tree.elementNames.contains("polyline"))
        for chart in document.charts { #expect(tree.texts.contains(chart.emptyNote)) }
    }

    @Test func aClientIsItsIdAndItsType() {
        for (clientID, type) in [("router", "producer"), ("a\u{1F}b", "consumer"), ("", "producer")] {
            let split = ClientKey.split(ClientKey.make([clientID, type]))
            #expect(split.clientID == clientID && split.type == type)
        }
    }

    @Test func aPublicationInvalidatesTheCachedDocument() {
        let recorder = OverviewRecorder(settings: .init())
        let first = recorder.document()
        #expect(recorder.document() == first)
        #expect(!String(decoding: recorder.json(), as: UTF8.self).contains("\"brokers\":3"))
        recorder.observe(["health": [Families.scalar(PublishedFamily.brokers, 3)]], at: nil)
        #expect(recorder.document().cluster.brokers == 3)
        #expect(String(decoding: recorder.json(), as: UTF8.self).contains("\"brokers\":3"))
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
