import CMicroHTTPD
import CMicroHTTPDShims
import Foundation
import Exposition
import Support
import Synchronization

/// libmicrohttpd behind a `Router`: a pool of internal threads, each request answered from the handler
/// thread. Handlers must be fast and must not block (the metrics handler only hands out bytes).
package final class HTTPServer: @unchecked Sendable {
    package struct Options: Sendable {
        package var connectionLimit: UInt32 = 256
        package var connectionTimeoutSeconds: UInt32 = 30
        package var threads: UInt32 = 2

        package init() {}
    }

    package let address: ListenAddress
    /// The bound port (differs from the requested one when it was 0).
    package let port: UInt16
    private let daemon: OpaquePointer
    private let context: Unmanaged<ServerContext>

    package let statistics: HTTPStatistics

    /// `onProtocolError` hears what microhttpd says about malformed requests and socket errors.
    package init(
        address: ListenAddress, router: Router, options: Options = Options(), statistics: HTTPStatistics = HTTPStatistics(),
        onProtocolError: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(HTTPServerError) {
        self.statistics = statistics
        let resolved = try address.resolve()
        let context = Unmanaged.passRetained(ServerContext(router: router, statistics: statistics, onProtocolError: onProtocolError))
        var flags = UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue)
        if let resolved, resolved.count >= MemoryLayout<sockaddr_in6>.size { flags |= UInt32(MHD_USE_IPv6.rawValue) }
        // Every-address binding prefers dual stack (IPv6 and IPv4); hosts without IPv6 fall back to IPv4.
        let dualStack = resolved == nil
            ? Self.start(flags: flags | UInt32(MHD_USE_DUAL_STACK.rawValue), address: nil, port: address.port, options: options, context: context)
            : nil
        let started = dualStack ?? Self.start(flags: flags, address: resolved, port: address.port, options: options, context: context)
        guard let started else {
            context.release()
            throw HTTPServerError("cannot listen on \(address): \(String(cString: strerror(errno)))")
        }
        daemon = started
        self.address = address
        self.context = context
        port = kx_mhd_bound_port(UnsafeMutableRawPointer(started))
    }

    deinit {
        stop()
    }

    private let stopped = StopOnce()

    /// Stops listening and waits for the server threads to finish.
    package func stop() {
        guard stopped.first() else { return }
        MHD_stop_daemon(daemon)
        context.release()
    }

    private static func start(
        flags: UInt32, address: [UInt8]?, port: UInt16, options: Options, context: Unmanaged<ServerContext>
    ) -> OpaquePointer? {
        let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, requestContext in
            guard let cls, let connection, let url, let method, let uploadSize, let requestContext else { return .NO }
            let server = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
            return server.handle(
                connection: connection, path: String(cString: url), method: String(cString: method),
                upload: uploadData, uploadSize: uploadSize, requestContext: requestContext)
        }
        let completedHandler: MHD_RequestCompletedCallback = { cls, _, requestContext, termination in
            if let cls {
                Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue().completed(termination)
            }
            guard let requestContext, let pointer = requestContext.pointee else { return }
            Unmanaged<RequestContext>.fromOpaque(pointer).release()
            requestContext.pointee = nil
        }
        let daemon: UnsafeMutableRawPointer? = (address ?? []).withUnsafeBytes { addressBytes in
            var shimOptions = KXServerOptions(
                flags: flags,
                bind_address: address == nil ? nil : addressBytes.baseAddress,
                port: port,
                connection_limit: options.connectionLimit,
                connection_timeout_seconds: options.connectionTimeoutSeconds,
                thread_pool_size: options.threads,
                connection_memory_limit: 64 * 1024,
                error_logger: { context, message in
                    guard let context, let message else { return }
                    Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue().protocolError(String(cString: message))
                },
                error_logger_context: context.toOpaque())
            return kx_mhd_start(
                &shimOptions,
                unsafeBitCast(accessHandler, to: UnsafeMutableRawPointer.self), context.toOpaque(),
                unsafeBitCast(completedHandler, to: UnsafeMutableRawPointer.self), context.toOpaque())
        }
        return daemon.map { OpaquePointer($0) }
    }
}

/// Per-request state kept by microhttpd between calls of the access handler.
private final class RequestContext {
    let route: Route?
    var body: [UInt8] = []
    var tooLarge = false

    init(route: Route?) { self.route = route }
}

private final class ServerContext: Sendable {
    let router: Router
    let statistics: HTTPStatistics

    let onProtocolError: @Sendable (String) -> Void

    init(router: Router, statistics: HTTPStatistics, onProtocolError: @escaping @Sendable (String) -> Void) {
        self.router = router
        self.statistics = statistics
        self.onProtocolError = onProtocolError
    }

    /// microhttpd answers malformed requests (400, 413 for oversized headers) itself and reports them
    /// here, as it does socket errors.
    func protocolError(_ message: String) {
        statistics.recordFailure("protocol_error")
        onProtocolError(message)
    }

    /// Counts requests that ended without a complete exchange.
    func completed(_ termination: MHD_RequestTerminationCode) {
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
            // First call: only remember the request. Answering now would make microhttpd 0.9.75 close
            // the connection; answering on the next call keeps it alive.
            let route = router.route(for: path)
            let context = RequestContext(route: route)
            if let route, let length = Self.header(connection, "Content-Length").flatMap(Int.init), length > route.maxBodyBytes {
                context.tooLarge = true
            }
            requestContext.pointee = Unmanaged.passRetained(context).toOpaque()
            return .YES
        }
        let context = Unmanaged<RequestContext>.fromOpaque(pointer).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            if !context.tooLarge, let upload {
                let limit = context.route?.maxBodyBytes ?? 0
                if context.body.count + uploadSize.pointee > limit {
                    context.tooLarge = true
                    context.body = []
                } else {
                    context.body.append(contentsOf: UnsafeRawBufferPointer(start: upload, count: uploadSize.pointee))
                }
            }
            uploadSize.pointee = 0
            return .YES
        }
        let response: HTTPResponse
        if context.tooLarge, let route = context.route, route.methods.contains(method) {
            route.onBodyTooLarge()
            response = .text(413, "request body larger than \(route.maxBodyBytes) bytes\n")
        } else {
            response = router.respond(to: HTTPRequest(
                method: method, path: path,
                headers: Self.values(connection, .HEADER_KIND, lowercased: true),
                queryItems: Self.values(connection, .GET_ARGUMENT_KIND, lowercased: false),
                body: context.body))
        }
        statistics.recordResponse(status: response.status)
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
