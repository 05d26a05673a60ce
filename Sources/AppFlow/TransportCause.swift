import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#endif

/// Why a call got no answer, in plain words (refused, timed out, name not resolved, certificate
/// not trusted, name mismatch): what an operator reads in the journal. Never a library's
/// internals (a BoringSSL error stack with its build paths, `IOError` structures).
enum TransportCause {
    static func classify(_ error: any Error) -> (kind: AppFlowTransportError.Kind, cause: String) {
        if let client = error as? HTTPClientError { return classify(client) }
        if let connection = error as? NIOConnectionError {
            if let first = connection.connectionErrors.first { return classify(first.error) }
            if connection.dnsAError != nil || connection.dnsAAAAError != nil { return (.connect, "name not resolved") }
            return (.connect, "no address to connect to")
        }
        if error is SocketAddressError.UnknownHost { return (.connect, "name not resolved") }
        if let io = error as? IOError { return (.connect, plain(errno: io.errnoCode)) }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout: return (.timeout, "connection timed out")
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed: return (.connectionClosed, "connection closed by the server")
            default: return (.other, "connection failed")
            }
        }
        if let extra = error as? NIOSSLExtraError {
            if extra == .failedToValidateHostname || extra == .serverHostnameImpossibleToMatch {
                return (.tls, "certificate name mismatch: the server's certificate is not for this host name")
            }
            return (.tls, "TLS setup failed")
        }
        if let ssl = error as? NIOSSLError {
            switch ssl {
            case .handshakeFailed(let boring):
                let text = "\(boring)".uppercased()
                if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("CERTIFICATE VERIFY FAILED") {
                    return (.tls, "certificate not trusted (unknown or private CA, self-signed or expired; see AWS_CA_BUNDLE)")
                }
                if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") {
                    return (.tls, "TLS handshake failed: the server does not speak TLS on this port (http:// meant?)")
                }
                return (.tls, "TLS handshake failed")
            case .unableToValidateCertificate, .noCertificateToValidate:
                return (.tls, "certificate not trusted")
            case .uncleanShutdown:
                return (.connectionClosed, "connection closed by the server during TLS")
            default:
                return (.tls, "TLS error")
            }
        }
        if error is NIOSSLCloseTimedOutError { return (.timeout, "timed out closing TLS") }
        return (.other, "transport error (\(String(describing: type(of: error))))")
    }

    static func classify(_ client: HTTPClientError) -> (kind: AppFlowTransportError.Kind, cause: String) {
        switch client {
        case .connectTimeout: (.timeout, "connection timed out")
        case .tlsHandshakeTimeout: (.timeout, "TLS handshake timed out")
        case .readTimeout, .deadlineExceeded: (.timeout, "timed out waiting for the answer")
        case .writeTimeout: (.timeout, "timed out sending the request")
        case .remoteConnectionClosed: (.connectionClosed, "connection closed by the server before it answered")
        case .cancelled: (.connectionClosed, "request cancelled")
        case .proxyAuthenticationRequired: (.other, "the proxy asks for authentication")
        case .invalidProxyResponse: (.other, "the proxy refused the connection")
        default: (.other, "HTTP client error: \(client)")
        }
    }

    /// `connection refused` rather than `connection reset (error set): Connection refused (errno: 111)`.
    static func plain(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused (nothing listens there)"
        case ETIMEDOUT: "connection timed out"
        case ENETUNREACH: "network unreachable"
        case EHOSTUNREACH: "host unreachable"
        case ECONNRESET: "connection reset by the server"
        case EPIPE: "connection closed by the server"
        case EADDRNOTAVAIL: "address not available"
        default: String(cString: strerror(code)).lowercased()
        }
    }
}
