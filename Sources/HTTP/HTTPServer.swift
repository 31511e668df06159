import CMicroHTTPD
import CMicroHTTPDShims
import Exposition
import Glibc
import Support

/// libmicrohttpd behind a `Router`: a pool of internal threads, each request answered from the handler
/// thread. Handlers must be fast and must not block (the metrics handler only hands out bytes).
///
/// Every request is decided from its headers before any body byte is read (basic auth, client
/// certificate, route, method, the route's own `admit`, declared size, the shared body budget); a
/// refused request with a body is answered at once, so microhttpd neither sends `100 Continue` nor
/// reads the body, and closes the connection.
package final class HTTPServer: @unchecked Sendable {
    package struct Options: Sendable {
        package var limits = ConnectionLimits()
        package var threads: UInt32 = 2
        /// Shared by every server of the process.
        package var bodyBudget = BodyBudget()
        package var tls: TLSSettings?
        /// Required on every path but `openPaths` when set.
        package var basicAuth: BasicAuthUsers?
        package var openPaths: Set<String> = []
        /// Added to every response (`http_server_config.headers`).
        package var responseHeaders: [(String, String)] = []
        /// Request targets with more query parameters are refused with 414.
        package var maxQueryParameters: UInt32 = 256

        package init() {}
    }

    package let address: ListenAddress
    /// The bound port (differs from the requested one when it was 0).
    package let port: UInt16
    /// The shim's server (the microhttpd daemon and the shim's state), which calls into `context`.
    private let server: UnsafeMutableRawPointer
    private let context: Unmanaged<ServerContext>
    private let connectionGuard: ConnectionGuard

    package let statistics: HTTPStatistics

    /// Binds `address` and serves it.
    package convenience init(
        address: ListenAddress, router: Router, options: Options = Options(), statistics: HTTPStatistics = HTTPStatistics(),
        onProtocolError: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(HTTPServerError) {
        try self.init(socket: ListeningSocket(address), router: router, options: options, statistics: statistics, onProtocolError: onProtocolError)
    }

    /// Serves a socket bound earlier; `onProtocolError` hears what microhttpd says about malformed
    /// requests and socket errors.
    package init(
        socket: ListeningSocket, router: Router, options: Options = Options(), statistics: HTTPStatistics = HTTPStatistics(),
        onProtocolError: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(HTTPServerError) {
        self.statistics = statistics
        connectionGuard = ConnectionGuard(limits: options.limits, statistics: statistics)
        let serverContext = ServerContext(
            router: router, options: options, connectionGuard: connectionGuard, statistics: statistics, onProtocolError: onProtocolError)
        let context = Unmanaged.passRetained(serverContext)
        let started = Self.withShimOptions(options, socket: socket, context: context.toOpaque()) { shimOptions in
            kx_mhd_start(
                shimOptions, unsafeBitCast(Self.accessHandler, to: UnsafeMutableRawPointer.self),
                unsafeBitCast(Self.completedHandler, to: UnsafeMutableRawPointer.self))
        }
        let startupMessages = serverContext.finishStarting()
        guard let started else {
            context.release()
            socket.closeUnused()
            let reason = startupMessages.isEmpty ? "libmicrohttpd did not start" : startupMessages.joined(separator: "; ")
            throw HTTPServerError("cannot serve \(socket.address): \(reason)")
        }
        server = started
        address = socket.address
        port = socket.port
        self.context = context
        connectionGuard.start()
    }

    deinit {
        stop()
    }

    private let stopped = StopOnce()

    /// Stops listening, closes every connection and stops microhttpd's threads; responses being sent
    /// get up to `answerGrace` to finish. Idempotent. Returns false when connections did not close
    /// within `closeLimit`: microhttpd is then left running, refusing every new connection, since
    /// stopping it now could crash it (see `closeConnections`).
    @discardableResult
    package func stop() -> Bool {
        guard stopped.first() else { return true }
        connectionGuard.stop()
        guard closeConnections() else { return false }
        kx_mhd_stop(server)
        context.release()
        return true
    }

    private static let answerGrace: Duration = .seconds(1)
    private static let closeLimit: Duration = .seconds(10)

    /// microhttpd 0.9.75 crashes when one of its own error answers (400 for a malformed
    /// Content-Length, 414, 431 ...) overlaps `MHD_stop_daemon`: it drops the response and builds
    /// headers for none (fixed in 1.0.1). So it is stopped only once it holds no connection, and none
    /// can arrive: the guard refuses every new socket first, and waits out those it admitted.
    private func closeConnections() -> Bool {
        connectionGuard.refuseAll()
        let started = ContinuousClock.now
        while !(connectionGuard.isEmpty && kx_mhd_open_connections(server) == 0) {
            let waited = ContinuousClock.now - started
            guard waited < Self.closeLimit else { return false }
            connectionGuard.shutDownAll(includingAnswered: waited >= Self.answerGrace)
            Threads.sleep(for: .milliseconds(2))
        }
        return true
    }

    /// Runs `body` with the shim's options; the shim copies them, PEM text included.
    private static func withShimOptions<Result>(
        _ options: Options, socket: ListeningSocket, context: UnsafeMutableRawPointer,
        _ body: (UnsafePointer<KXServerOptions>) -> Result
    ) -> Result {
        let pem = [options.tls?.keyPEM, options.tls?.certificatePEM, options.tls?.clientCAPEM, options.tls?.priorities].map { $0.flatMap { strdup($0) } }
        defer { pem.forEach { Glibc.free($0) } }
        var shim = KXServerOptions(
            flags: UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue),
            listen_fd: socket.descriptor,
            // microhttpd stops accepting at its own limit (leaving clients in the kernel's queue);
            // the connection guard refuses before it gets there.
            connection_limit: UInt32(clamping: options.limits.maxConnections * 2 + 16),
            // A fallback behind the connection guard's deadlines, for connections sending a response.
            connection_timeout_seconds: UInt32(clamping: Int(options.limits.idleTimeout.seconds.rounded(.up))),
            thread_pool_size: options.threads,
            connection_memory_limit: 64 * 1024,
            max_query_parameters: options.maxQueryParameters,
            context: context,
            error_logger: { context, message in
                guard let context, let message else { return }
                Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue().protocolError(String(cString: message))
            },
            accept_policy: { context, peer, length in
                guard let context, let peer else { return 0 }
                let server = Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue()
                return server.connectionGuard.admits(peer: Array(UnsafeBufferPointer(start: peer, count: length))) ? 1 : 0
            },
            connection_event: { context, connection, closed in
                guard let context, let connection else { return }
                Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue().connectionEvent(connection, closed: closed != 0)
            },
            tls_key_pem: UnsafePointer(pem[0]),
            tls_cert_pem: UnsafePointer(pem[1]),
            tls_trust_pem: UnsafePointer(pem[2]),
            tls_priorities: UnsafePointer(pem[3]))
        return body(&shim)
    }

    private static let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, requestContext in
        guard let cls, let connection, let url, let method, let uploadSize, let requestContext else { return .NO }
        let server = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
        return server.handle(
            connection: connection, path: String(cString: url), method: String(cString: method),
            upload: uploadData, uploadSize: uploadSize, requestContext: requestContext)
    }

    private static let completedHandler: MHD_RequestCompletedCallback = { cls, connection, requestContext, termination in
        if let cls, let connection {
            Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue().completed(connection, termination)
        }
        guard let requestContext, let pointer = requestContext.pointee else { return }
        Unmanaged<RequestContext>.fromOpaque(pointer).release()
        requestContext.pointee = nil
    }
}

/// Per-request state kept by microhttpd between calls of the access handler.
private final class RequestContext {
    var request: HTTPRequest
    /// The request is answered with this instead of its route's handler: decided from the headers
    /// (its body is then never read), or past the limits while a body without a declared length
    /// (chunked) arrives.
    var refusal: HTTPResponse?
    private let route: Route?
    private let budget: BodyBudget
    private var reserved = 0
    private var dropped = 0

    init(request: HTTPRequest, route: Route?, budget: BodyBudget) {
        self.request = request
        self.route = route
        self.budget = budget
    }

    private var maxBodyBytes: Int { route?.maxBodyBytes ?? 0 }

    deinit {
        budget.release(reserved)
    }

    /// Decides a declared `Content-Length` against the route's limit and the shared budget.
    func admitBody(ofLength length: Int) {
        if length > maxBodyBytes {
            refuseTooLarge()
        } else if !reserve(length) {
            refusal = Self.tooManyBodies
        }
    }

    /// Appends a piece of the body; false to end the connection. A chunked body is refused here once
    /// it passes the route's limit (413) or the shared budget (503). microhttpd 0.9.75 takes no response
    /// while it reads a body, so the rest is read and dropped and the refusal answered at its end;
    /// unless more than `maxDropped` follows, which is no mistake but a stream to cut.
    func append(_ piece: UnsafeRawBufferPointer) -> Bool {
        guard refusal == nil else {
            dropped += piece.count
            return dropped <= Self.maxDropped
        }
        let needed = request.body.count + piece.count
        if needed > maxBodyBytes {
            refuseTooLarge()
        } else if needed > reserved && !reserve(needed - reserved) {
            refusal = Self.tooManyBodies
        } else {
            request.body.append(contentsOf: piece)
            return true
        }
        request.body = []
        budget.release(reserved)
        reserved = 0
        return true
    }

    private static let maxDropped = 1 << 20

    private static let tooManyBodies = HTTPResponse.text(503, "too many request bodies in flight; retry later\n")

    private func refuseTooLarge() {
        route?.onBodyTooLarge()
        refusal = .text(413, "request body larger than \(maxBodyBytes) bytes\n")
    }

    private func reserve(_ bytes: Int) -> Bool {
        guard budget.reserve(bytes) else { return false }
        reserved += bytes
        return true
    }
}

private final class ServerContext: Sendable {
    let router: Router
    let options: HTTPServer.Options
    let connectionGuard: ConnectionGuard
    let statistics: HTTPStatistics
    let onProtocolError: @Sendable (String) -> Void
    /// What microhttpd said while starting (nil once started): it goes into the start error.
    private let startup = Locked<[String]?>([])

    init(
        router: Router, options: HTTPServer.Options, connectionGuard: ConnectionGuard, statistics: HTTPStatistics,
        onProtocolError: @escaping @Sendable (String) -> Void
    ) {
        self.router = router
        self.options = options
        self.connectionGuard = connectionGuard
        self.statistics = statistics
        self.onProtocolError = onProtocolError
    }

    func finishStarting() -> [String] {
        startup.withLock { messages in
            defer { messages = nil }
            return messages ?? []
        }
    }

    private static let closureMessages = [
        "Connection was closed by remote side with incomplete request",
        "Connection socket is closed when reading request due to the error",
    ]

    /// microhttpd answers malformed requests (400, 413 for oversized headers) itself and reports them
    /// here, as it does socket errors.
    func protocolError(_ message: String) {
        let trimmed = message.trimmingWhitespace()
        // A connection that ended, not a malformed request: counted as client_abort when a request was
        // underway, or by the connection guard (timeout, evicted) when it closed the connection.
        if Self.closureMessages.contains(where: trimmed.hasPrefix) { return }
        let duringStartup = startup.withLock { messages in
            messages?.append(trimmed)
            return messages != nil
        }
        guard !duringStartup else { return }
        statistics.recordFailure("protocol_error")
        onProtocolError(trimmed)
    }

    func connectionEvent(_ connection: UnsafeMutableRawPointer, closed: Bool) {
        let key = UInt(bitPattern: connection)
        if closed {
            connectionGuard.closed(key)
            return
        }
        var peer = [UInt8](repeating: 0, count: 16)
        let length = kx_mhd_connection_peer(connection, &peer)
        connectionGuard.opened(key, socket: kx_mhd_connection_fd(connection), peer: Array(peer.prefix(length)))
    }

    /// Counts requests that ended without a complete exchange.
    func completed(_ connection: OpaquePointer, _ termination: MHD_RequestTerminationCode) {
        let key = UInt(bitPattern: UnsafeMutableRawPointer(connection))
        connectionGuard.completed(key)
        // The guard counted the connections it closed.
        guard !connectionGuard.wasClosedByGuard(key) else { return }
        switch termination {
        case .REQUEST_TERMINATED_WITH_ERROR: statistics.recordFailure("error")
        case .REQUEST_TERMINATED_TIMEOUT_REACHED: statistics.recordFailure("timeout")
        case .REQUEST_TERMINATED_READ_ERROR: statistics.recordFailure("read_error")
        case .REQUEST_TERMINATED_CLIENT_ABORT: statistics.recordFailure("client_abort")
        default: break
        }
    }

    func handle(
        connection: OpaquePointer, path: String, method: String,
        upload: UnsafePointer<CChar>?, uploadSize: UnsafeMutablePointer<Int>,
        requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let pointer = requestContext.pointee else {
            kx_mhd_headers_complete(UnsafeMutableRawPointer(connection))
            let context = admit(connection: connection, path: path, method: method)
            requestContext.pointee = Unmanaged.passRetained(context).toOpaque()
            // A refused request with a body is answered now: microhttpd then neither sends
            // `100 Continue` nor reads the body. Any other is answered on the next call, because
            // answering on the first call makes microhttpd 0.9.75 close the connection.
            if let refusal = context.refusal, Self.hasBody(connection) {
                return respond(refusal, on: connection)
            }
            return .YES
        }
        let context = Unmanaged<RequestContext>.fromOpaque(pointer).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            guard let upload, context.append(UnsafeRawBufferPointer(start: upload, count: uploadSize.pointee)) else { return .NO }
            uploadSize.pointee = 0
            return .YES
        }
        return respond(context.refusal ?? router.respond(to: context.request), on: connection)
    }

    /// Everything decided before the body: client certificate, basic auth, route, method, the
    /// route's `admit`, the declared length against the route's limit and the shared budget.
    private func admit(connection: OpaquePointer, path: String, method: String) -> RequestContext {
        var peer = [UInt8](repeating: 0, count: 16)
        let peerLength = kx_mhd_connection_peer(UnsafeMutableRawPointer(connection), &peer)
        let request = HTTPRequest(
            method: method, path: path,
            headers: Self.values(connection, .HEADER_KIND, lowercased: true),
            queryItems: Self.values(connection, .GET_ARGUMENT_KIND, lowercased: false),
            peer: Array(peer.prefix(peerLength)))
        let route = router.route(for: path)
        let context = RequestContext(request: request, route: route, budget: options.bodyBudget)
        context.refusal = accessRefusal(request, connection: connection) ?? router.refusal(of: request)
        guard context.refusal == nil, let declared = request.header("content-length") else { return context }
        guard let length = Int(declared), length >= 0 else {
            context.refusal = .text(400, "invalid Content-Length\n")
            return context
        }
        context.admitBody(ofLength: length)
        return context
    }

    private func accessRefusal(_ request: HTTPRequest, connection: OpaquePointer) -> HTTPResponse? {
        if let tls = options.tls, !tls.accepts(clientCertificate: kx_mhd_client_certificate(UnsafeMutableRawPointer(connection))) {
            return .text(403, "a valid client certificate is required\n")
        }
        guard let basicAuth = options.basicAuth, !options.openPaths.contains(request.path) else { return nil }
        switch basicAuth.verdict(request.header("authorization")) {
        case .allowed:
            return nil
        case .denied:
            var response = HTTPResponse.text(401, "Unauthorized\n")
            response.headers.append(("WWW-Authenticate", "Basic realm=\"kafka-exporter\""))
            return response
        case .busy:
            var response = HTTPResponse.text(429, "another password check is running; retry\n")
            response.headers.append(("Retry-After", "1"))
            return response
        }
    }

    private static func hasBody(_ connection: OpaquePointer) -> Bool {
        let length = header(connection, "Content-Length")
        return (length != nil && length != "0") || header(connection, "Transfer-Encoding") != nil
    }

    private func respond(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        connectionGuard.answered(UInt(bitPattern: UnsafeMutableRawPointer(connection)))
        statistics.recordResponse(status: response.status)
        var response = response
        response.headers += options.responseHeaders
        return Self.queue(response, on: connection)
    }

    private static func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let mhdResponse: OpaquePointer?
        switch response.content {
        case .bytes(let bytes):
            mhdResponse = bytes.withUnsafeBytes { buffer in
                MHD_create_response_from_buffer(buffer.count, UnsafeMutableRawPointer(mutating: buffer.baseAddress), .RESPMEM_MUST_COPY)
            }
        case .shared(let body):
            let retained = Unmanaged.passRetained(body)
            mhdResponse = MHD_create_response_from_buffer_with_free_callback_cls(
                body.count, UnsafeMutableRawPointer(mutating: body.baseAddress),
                { cls in cls.map { Unmanaged<Body>.fromOpaque($0).release() } },
                retained.toOpaque())
            if mhdResponse == nil { retained.release() }
        }
        guard let mhdResponse else { return .NO }
        defer { MHD_destroy_response(mhdResponse) }
        for (name, value) in response.headers {
            MHD_add_response_header(mhdResponse, name, value)
        }
        return MHD_queue_response(connection, UInt32(response.status), mhdResponse)
    }

    private static func header(_ connection: OpaquePointer, _ name: String) -> String? {
        MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
    }

    private final class Collected {
        var values: [String: String] = [:]
        let lowercased: Bool
        init(lowercased: Bool) { self.lowercased = lowercased }
    }

    private static func values(_ connection: OpaquePointer, _ kind: MHD_ValueKind, lowercased: Bool) -> [String: String] {
        let collected = Collected(lowercased: lowercased)
        let unmanaged = Unmanaged.passUnretained(collected)
        MHD_get_connection_values(connection, kind, { cls, _, key, value in
            guard let cls, let key else { return .YES }
            let collected = Unmanaged<Collected>.fromOpaque(cls).takeUnretainedValue()
            let name = String(cString: key)
            collected.values[collected.lowercased ? name.lowercased() : name] = value.map { String(cString: $0) } ?? ""
            return .YES
        }, unmanaged.toOpaque())
        return collected.values
    }
}
