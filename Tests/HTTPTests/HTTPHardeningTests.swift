import Foundation
import HTTP
import Testing
import TestSupport
import Support

/// What hostile or broken clients get from the server: deadlines that do not restart per byte,
/// refusal beyond the connection limits, one clean answer to malformed requests, and refusals
/// decided before any body byte is read.
@Suite struct HTTPHardeningTests {
    private static func server(
        _ configure: (inout HTTPServer.Options) -> Void = { _ in }, routes: [Route] = [],
        onProtocolError: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> HTTPServer {
        var options = HTTPServer.Options()
        configure(&options)
        let ping = Route(.exact("/ping")) { _ in .text(200, "pong") }
        return try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), router: Router(routes: [ping] + routes), options: options,
            onProtocolError: onProtocolError)
    }

    @Test func aRequestDribbledByteByByteIsClosedAtItsDeadlineAndCounted() throws {
        let server = try Self.server { $0.limits.requestTimeout = .seconds(1) }
        defer { server.stop() }
        // One byte every 100 ms would keep microhttpd's own (idle) timeout from ever firing.
        let closedAfter = try HTTPTestClient(port: server.port).dribble(
            Array("GET /ping HTTP/1.1\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 40), every: .milliseconds(100))
        #expect(closedAfter.map { $0 < .seconds(3) } == true, "closed after \(String(describing: closedAfter)), the deadline is 1 s")
        #expect(poll(within: .seconds(10)) { server.statistics.failures("timeout") == 1 })
        // A prompt client is served meanwhile and afterwards.
        #expect(try HTTPTestClient.get(port: server.port, "/ping").status == 200)
    }

    @Test func aKeptAliveConnectionIsNotCutWhileItsClientIsPrompt() throws {
        let server = try Self.server { $0.limits.requestTimeout = .milliseconds(500) }
        defer { server.stop() }
        let client = try HTTPTestClient(port: server.port)
        for _ in 0..<4 {
            #expect(try client.request("GET", "/ping").status == 200)
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(server.statistics.failures("timeout") == 0)
    }

    @Test func thePeerLimitAndTheServerLimitEachCloseTheLongestWaitingConnectionWithin() throws {
        let protocolErrors = Locked<[String]>([])
        let server = try Self.server({
            $0.limits.maxConnections = 4
            $0.limits.maxConnectionsPerPeer = 2
        }, onProtocolError: { message in protocolErrors.withLock { $0.append(message) } })
        defer { server.stop() }
        // Each connection is answered before the next one connects: microhttpd's threads accept in
        // parallel, so sockets connected together may be admitted, and start waiting, in any order.
        let silent = try (0..<2).map { _ in
            let client = try HTTPTestClient(port: server.port, source: "127.0.0.2")
            #expect(try client.request("GET", "/ping").status == 200)
            Thread.sleep(forTimeInterval: 0.05)
            return client
        }
        // Then they start a request they never finish.
        for client in silent { try client.write(Array("GET /ping HTTP/1.1\r\nX-Slow: a".utf8)) }
        // A third from the same address closes that address's connection waiting longest, and is served.
        let thirdFromTheSamePeer = try HTTPTestClient(port: server.port, source: "127.0.0.2")
        #expect(poll(within: .seconds(2)) { silent[0].isClosedByServer })
        #expect(try thirdFromTheSamePeer.request("GET", "/ping").status == 200)
        #expect(!silent[1].isClosedByServer)
        #expect(server.statistics.failures("evicted") == 1)
        #expect(server.statistics.failures("peer_connection_limit") == 0)

        let others = try (0..<2).map { _ in try HTTPTestClient(port: server.port, source: "127.0.0.3") }
        for client in others { #expect(try client.request("GET", "/ping").status == 200) }
        // Four held: a fifth client closes the one that has waited longest for a request, the second
        // silent one, and is served; the kept-alive clients keep their connections.
        let fifth = try HTTPTestClient(port: server.port)
        #expect(poll(within: .seconds(2)) { silent[1].isClosedByServer })
        #expect(try fifth.request("GET", "/ping").status == 200)
        #expect(try others[0].request("GET", "/ping").status == 200)
        #expect(try thirdFromTheSamePeer.request("GET", "/ping").status == 200)
        #expect(server.statistics.failures("evicted") == 2)
        #expect(server.statistics.failures("connection_limit") == 0)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(server.statistics.failures("protocol_error") == 0,
                "a closed connection is not a malformed request: \(protocolErrors.withLock { $0 })")
        #expect(server.statistics.failures("client_abort") == 0, "counted once, as evicted")
    }

    @Test func atTheServerLimitConnectionsBeingAnsweredAreNeverClosed() throws {
        // Larger than the loopback socket buffers: a client that does not read holds its response.
        let large = [UInt8](repeating: UInt8(ascii: "x"), count: 32 << 20)
        let big = Route(.exact("/big")) { _ in HTTPResponse(status: 200, content: .bytes(large)) }
        let server = try Self.server({ $0.limits.maxConnections = 2 }, routes: [big])
        defer { server.stop() }
        let readers = try (0..<2).map { _ in try HTTPTestClient(port: server.port) }
        for reader in readers { try reader.write(Array("GET /big HTTP/1.1\r\nHost: test\r\n\r\n".utf8)) }
        #expect(poll(within: .seconds(5)) { server.statistics.responses(status: 200) == 2 })
        let refused = try HTTPTestClient(port: server.port)
        #expect(poll(within: .seconds(2)) { refused.isClosedByServer })
        #expect(server.statistics.failures("connection_limit") == 1)
        #expect(server.statistics.failures("evicted") == 0)
        #expect(readers.allSatisfy { !$0.isClosedByServer })
    }

    @Test func malformedTargetsAndLengthsGetOneCleanAnswer() throws {
        let server = try Self.server()
        defer { server.stop() }
        #expect(try HTTPTestClient.get(port: server.port, "/ping%00").status == 404)
        #expect(try HTTPTestClient.get(port: server.port, "/ping%00.txt").status == 404)
        #expect(try HTTPTestClient.get(port: server.port, "/p%69ng").status == 200)

        let query = (0..<1000).map { "a\($0)=b" }.joined(separator: "&")
        let manyParameters = try HTTPTestClient(port: server.port)
        try manyParameters.write(Array("GET /ping?\(query) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let answer = String(decoding: manyParameters.readUntilClosed(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 414 "), "\(answer.prefix(80))")

        for length in ["-1", "abc"] {
            let client = try HTTPTestClient(port: server.port)
            try client.write(Array("GET /ping HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\n\r\n".utf8))
            let text = String(decoding: client.readUntilClosed(), as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 400 "), "Content-Length \(length): \(text.prefix(80))")
            #expect(text.components(separatedBy: "HTTP/1.1").count == 2, "Content-Length \(length): one response, got \(text)")
        }
    }

    /// microhttpd reports a malformed Content-Length without naming the connection; one worker thread
    /// serves many connections, so another one reading its headers on the same thread must neither get
    /// that answer nor be cut.
    @Test func aMalformedLengthIsAnsweredOnItsOwnConnectionWhileAnotherReadsItsHeaders() throws {
        let server = try Self.server { $0.threads = 1 }
        defer { server.stop() }
        let malformed = try HTTPTestClient(port: server.port)
        try malformed.write(Array("GET /ping HTTP/1.1\r\n".utf8))
        Thread.sleep(forTimeInterval: 0.1)
        // Its request line arrives after the malformed one's, before that one's headers end.
        let bystander = try HTTPTestClient(port: server.port)
        try bystander.write(Array("GET /ping HTTP/1.1\r\n".utf8))
        Thread.sleep(forTimeInterval: 0.1)
        try malformed.write(Array("Host: x\r\nContent-Length: 1x\r\n\r\n".utf8))
        let text = String(decoding: malformed.readUntilClosed(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400 "), "\(text.prefix(80))")
        #expect(text.components(separatedBy: "HTTP/1.1").count == 2, "one response, got \(text)")
        #expect(!bystander.isClosedByServer)
        let answer = try bystander.raw(Array("Host: x\r\n\r\n".utf8))
        #expect(answer.status == 200)
        #expect(answer.text == "pong")
    }

    private static let upload = Route(
        .exact("/upload"), methods: ["POST"], maxBodyBytes: 1 << 20,
        admit: { $0.header("authorization") == "Bearer ok" ? nil : .text(401, "no\n") }
    ) { request in .text(200, "\(request.body.count)") }

    @Test func refusalsComeBeforeTheBodyAndBeforeContinue() throws {
        let server = try Self.server(routes: [Self.upload])
        defer { server.stop() }
        for (headers, status) in [("", 401), ("Authorization: Bearer ok\r\n", 413)] {
            let client = try HTTPTestClient(port: server.port)
            try client.write(Array("POST /upload HTTP/1.1\r\nHost: x\r\n\(headers)Content-Length: 20000000\r\nExpect: 100-continue\r\n\r\n".utf8))
            let text = String(decoding: client.readUntilClosed(), as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 \(status) "), "\(text.prefix(60))")
            #expect(!text.contains("100 Continue"))
        }
        let accepted = try HTTPTestClient(port: server.port).request(
            "POST", "/upload", headers: ["Authorization": "Bearer ok"], body: [UInt8](repeating: 1, count: 1000))
        #expect(accepted.status == 200 && accepted.text == "1000")
    }

    @Test func aChunkedBodyPastItsLimitGets413OnceItEndsAndTheConnectionServesOn() throws {
        let refusedAsTooLarge = Locked(0)
        let small = Route(
            .exact("/small"), methods: ["POST"], maxBodyBytes: 3000, onBodyTooLarge: { refusedAsTooLarge.withLock { $0 += 1 } }
        ) { request in .text(200, "\(request.body.count)") }
        let server = try Self.server(routes: [small])
        defer { server.stop() }
        let client = try HTTPTestClient(port: server.port)
        let head = "POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        let chunk = "400\r\n" + String(repeating: "x", count: 0x400) + "\r\n"
        let withinLimit = try client.raw(Array((head + String(repeating: chunk, count: 2) + "0\r\n\r\n").utf8))
        #expect(withinLimit.status == 200 && withinLimit.text == "2048")
        let pastLimit = try client.raw(Array((head + String(repeating: chunk, count: 8) + "0\r\n\r\n").utf8))
        #expect(pastLimit.status == 413 && pastLimit.text == "request body larger than 3000 bytes\n")
        #expect(refusedAsTooLarge.withLock { $0 } == 1)
        #expect(try client.request("GET", "/ping").status == 200)
        #expect(server.statistics.failures("error") + server.statistics.failures("client_abort") == 0)
    }

    @Test func aChunkedBodyStreamingOnPastItsLimitIsCut() throws {
        let small = Route(.exact("/small"), methods: ["POST"], maxBodyBytes: 3000) { _ in .text(200, "") }
        let server = try Self.server(routes: [small])
        defer { server.stop() }
        let client = try HTTPTestClient(port: server.port)
        try client.write(Array("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
        let chunk = Array(("10000\r\n" + String(repeating: "x", count: 0x10000) + "\r\n").utf8)
        var sent = 0
        while sent < 64 << 20, (try? client.write(chunk)) != nil { sent += 0x10000 }
        #expect(poll(within: .seconds(5)) { client.isClosedByServer })
        #expect(sent < 16 << 20, "a refused body may not be read on without end")
    }

    @Test func bodiesInFlightShareOneBudget() throws {
        let server = try Self.server({ $0.bodyBudget = BodyBudget(limit: 1 << 20) }, routes: [Self.upload])
        defer { server.stop() }
        let head = "POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ok\r\nContent-Length: 800000\r\n\r\n"
        let first = try HTTPTestClient(port: server.port)
        try first.write(Array(head.utf8) + [UInt8](repeating: 1, count: 1000))
        Thread.sleep(forTimeInterval: 0.3)
        let second = try HTTPTestClient(port: server.port)
        try second.write(Array(head.utf8))
        #expect(String(decoding: second.readUntilClosed(), as: UTF8.self).hasPrefix("HTTP/1.1 503 "))
        let rest = try first.raw([UInt8](repeating: 1, count: 799_000))
        #expect(rest.status == 200 && rest.text == "800000")
        #expect(poll(within: .seconds(10)) { server.statistics.failures("timeout") == 0 })
    }

    // Made with Python's crypt module (libxcrypt), cost 4 to keep the test fast.
    private static let hash = "$2b$04$w5RiEEyl2kpY6eFvedqFOuwPcSDy6FEIhsdsmorlZ2xfHk0Q1tbuG"

    private static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    @Test func basicAuthCoversEveryPathButTheExemptOnesAndHeadersAreAdded() throws {
        let web = try WebConfiguration(yaml: """
            basic_auth_users:
              prometheus: \(Self.hash)
            http_server_config:
              headers:
                X-Frame-Options: deny
            """, relativeTo: "/")
        let server = try Self.server({
            $0.basicAuth = BasicAuthUsers(hashes: web.basicAuthHashes)
            $0.responseHeaders = web.headers
            $0.openPaths = ["/healthz"]
        }, routes: [Route(.exact("/healthz")) { _ in .text(200, "ok") }, Self.upload])
        defer { server.stop() }
        let missing = try HTTPTestClient.get(port: server.port, "/ping")
        #expect(missing.status == 401 && missing.headers["www-authenticate"] == #"Basic realm="kafka-exporter""#)
        #expect(missing.headers["x-frame-options"] == "deny")
        #expect(try HTTPTestClient.get(port: server.port, "/ping", headers: ["Authorization": Self.basic("prometheus", "wrong")]).status == 401)
        #expect(try HTTPTestClient.get(port: server.port, "/ping", headers: ["Authorization": Self.basic("nobody", "scrape-secret")]).status == 401)
        #expect(try HTTPTestClient.get(port: server.port, "/nowhere").status == 401)
        let client = try HTTPTestClient(port: server.port)
        for _ in 0..<3 {
            #expect(try client.request("GET", "/ping", headers: ["Authorization": Self.basic("prometheus", "scrape-secret")]).status == 200)
        }
        #expect(try HTTPTestClient.get(port: server.port, "/healthz").status == 200)
        // Basic auth is decided before a body is read, too.
        let upload = try HTTPTestClient(port: server.port)
        try upload.write(Array("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\nExpect: 100-continue\r\n\r\n".utf8))
        #expect(String(decoding: upload.readUntilClosed(), as: UTF8.self).hasPrefix("HTTP/1.1 401 "))
    }

    @Test func oneBcryptCheckRunsAtATimeAndRememberedCredentialsPassMeanwhile() throws {
        // Cost 12: about 250 ms per check, made with Python's crypt module.
        let users = BasicAuthUsers(hashes: ["prometheus": "$2b$12$4DeqkxpoJx8iCU9rCrt6cuGresdxZ81uV2dY5lWX1KWma./RREKxq"])
        #expect(users.verdict(Self.basic("prometheus", "slow-secret")) == .allowed)
        let verdicts = Locked<[BasicAuthUsers.Verdict]>([])
        let guesses = (1...4).map { index in
            Thread {
                let verdict = users.verdict(Self.basic("prometheus", "guess-\(index)"))
                verdicts.withLock { $0.append(verdict) }
            }
        }
        guesses.forEach { $0.start() }
        let started = ContinuousClock.now
        #expect(users.verdict(Self.basic("prometheus", "slow-secret")) == .allowed)
        #expect(ContinuousClock.now - started < .milliseconds(50), "remembered credentials skip bcrypt")
        while !guesses.allSatisfy(\.isFinished) { Thread.sleep(forTimeInterval: 0.02) }
        let all = verdicts.withLock { $0 }
        #expect(all.contains(.busy) && all.contains(.denied) && !all.contains(.allowed), "\(all)")
    }

    @Test func aPasswordCheckWhileAnotherRunsGets429WithRetryAfter() throws {
        // The second user's hash has cost 12: about 250 ms per check, made with Python's crypt module.
        let web = try WebConfiguration(yaml: """
            basic_auth_users:
              prometheus: \(Self.hash)
              slow: $2b$12$4DeqkxpoJx8iCU9rCrt6cuGresdxZ81uV2dY5lWX1KWma./RREKxq
            """, relativeTo: "/")
        let server = try Self.server { $0.basicAuth = BasicAuthUsers(hashes: web.basicAuthHashes) }
        defer { server.stop() }
        // Slow checks (wrong passwords are never remembered) hold one of the server's two threads in turn,
        // while quick checks of other credentials arrive on the other.
        let busy = Locked<HTTPTestClient.Response?>(nil)
        let slowChecksEnded = Locked(false)
        let slowChecks = inBackground {
            for attempt in 0..<40 where busy.withLock({ $0 }) == nil {
                _ = try? HTTPTestClient.get(port: server.port, "/ping", headers: ["Authorization": Self.basic("slow", "guess-\(attempt)")])
            }
            slowChecksEnded.withLock { $0 = true }
        }
        var answers: Set<Int> = []
        while busy.withLock({ $0 }) == nil, !slowChecksEnded.withLock({ $0 }) {
            let response = try HTTPTestClient.get(port: server.port, "/ping", headers: ["Authorization": Self.basic("prometheus", "guess")])
            answers.insert(response.status)
            if response.status == 429 { busy.withLock { $0 = response } }
        }
        slowChecks.wait()
        let refused = try #require(busy.withLock { $0 }, "no 429 while slow checks ran; answers: \(answers.sorted())")
        #expect(refused.headers["retry-after"] == "1")
        #expect(refused.text == "another password check is running; retry\n")
        #expect(answers.isSubset(of: [401, 429]), "\(answers.sorted())")
    }

    @Test(arguments: [
        ("basic_auth_users:\n  a: plain-text", "basic_auth_users.a: not a bcrypt hash"),
        ("tls_server_config:\n  cert_file: x.pem", "tls_server_config needs both cert_file and key_file"),
        ("http_server_config:\n  headers:\n    Server: x", "http_server_config.headers: Server is not one of"),
        ("tls_server_configs: {}", "tls_server_configs: unknown or unsupported key"),
        ("basic_auth_users: [a, b]", "basic_auth_users must be a mapping"),
        ("a: [", "not valid YAML"),
    ])
    func invalidWebConfigsSayWhatIsWrong(yaml: String, message: String) {
        #expect {
            try WebConfiguration(yaml: yaml, relativeTo: "/")
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    @Test func aTakenPortNamesTheAddress() throws {
        let first = try ListeningSocket(ListenAddress(host: "127.0.0.1", port: 0))
        defer { first.closeUnused() }
        #expect {
            try ListeningSocket(ListenAddress(host: "127.0.0.1", port: first.port))
        } throws: { error in
            "\(error)" == "cannot listen on 127.0.0.1:\(first.port): Address already in use"
        }
    }
}
