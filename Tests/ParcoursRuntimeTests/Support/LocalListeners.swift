import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Loopback TCP endpoints that misbehave, for the database check's tests.
enum LocalListeners {
    /// A listening socket on 127.0.0.1 (an ephemeral port) and its port.
    static func openListener() throws -> (socket: Int32, port: Int) {
        // Close-on-exec: a program another test spawns meanwhile must not keep the socket open.
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
            if descriptor >= 0 { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        #endif
        guard descriptor >= 0 else { throw ListenerError() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw ListenerError()
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    struct ListenerError: Error {}
}

/// A loopback port where nothing listens.
func closedPort() async throws -> Int {
    let (socket, port) = try LocalListeners.openListener()
    close(socket)
    return port
}

/// A server that accepts connections (the kernel's backlog does) and never answers; `stop` closes it.
func silentServer() async throws -> (port: Int, stop: @Sendable () -> Void) {
    let (socket, port) = try LocalListeners.openListener()
    return (port, { close(socket) })
}

/// A server that answers every connection with a line of HTTP and hangs up; `stop` closes it.
func garbageServer() async throws -> (port: Int, stop: @Sendable () -> Void) {
    let (socket, port) = try LocalListeners.openListener()
    let thread = Thread {
        while true {
            let client = accept(socket, nil, nil)
            if client < 0 { return }
            let reply = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)
            _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            close(client)
        }
    }
    thread.start()
    return (
        port,
        {
            shutdown(socket, Int32(SHUT_RDWR)); close(socket)
        }
    )
}
