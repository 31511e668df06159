import HTTP
import Testing
import TestSupport

@Suite struct ListenAddressTests {
    @Test(arguments: [
        (":9308", nil, 9308), ("127.0.0.1:0", "127.0.0.1", 0), ("[::1]:9308", "::1", 9308), ("localhost:80", "localhost", 80),
    ] as [(String, String?, UInt16)])
    func parsesHostAndPort(text: String, host: String?, port: UInt16) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.host == host && address.port == port)
    }

    @Test(arguments: ["9308", "host:", "host:70000", "host:http"])
    func refusesAddressesWithoutAValidPort(text: String) {
        #expect(throws: HTTPServerError.self) { try ListenAddress(parsing: text) }
    }

    @Test func everyAddressBindingIsReachableOverIPv4() throws {
        let router = Router(routes: [Route(.exact("/ping")) { _ in .text(200, "pong") }])
        let server = try HTTPServer(address: ListenAddress(host: nil, port: 0), router: router)
        defer { server.stop() }
        #expect(try HTTPTestClient.get(port: server.port, "/ping").text == "pong")
    }
}
