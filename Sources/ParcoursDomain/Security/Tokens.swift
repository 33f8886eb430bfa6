import Crypto
import Foundation

/// Random tokens for links, sessions and ids, and the digests under which they are stored.
public enum Tokens {
    /// A random token of 256 bits, URL-safe base64 without padding (43 characters).
    public static func random() -> String {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { base64URL(Data($0)) }
    }

    /// A random identifier with a readable prefix, as `acc-3f9c…` (128 bits, lower-case hex).
    public static func identifier(prefix: String) -> String {
        let key = SymmetricKey(size: .bits128)
        let hex = key.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
        return "\(prefix)-\(hex)"
    }

    /// The SHA-256 of a token, hex: what the database keeps instead of the token.
    public static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A keyed hash (HMAC-SHA256) for values that must be found again but never read back, such as a login e-mail in
/// the throttling tables or a captcha's expected characters, and for decisions that must look the same every time
/// for the same input without a table (the decoy question of an unknown e-mail).
public struct KeyedHasher: Sendable {
    private let key: SymmetricKey

    /// A hasher with a 32-byte key.
    public init(keyData: Data) {
        key = SymmetricKey(data: keyData)
    }

    /// A hasher with a random key, for tests and throwaway databases.
    public static func random() -> KeyedHasher {
        KeyedHasher(keyData: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// The keyed hash of `text`, hex.
    public func hash(_ text: String, purpose: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(purpose)\u{0}\(text)".utf8), using: key)
        return Data(code).map { String(format: "%02x", $0) }.joined()
    }

    /// A number in `0..<count` derived from `text`, the same every time.
    public func pick(_ text: String, purpose: String, among count: Int) -> Int {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(purpose)\u{0}\(text)".utf8), using: key)
        let prefix = Data(code).prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        return Int(prefix % UInt64(max(1, count)))
    }
}

/// Compares two byte strings in time independent of where they differ.
func constantTimeEquals(_ left: some Collection<UInt8>, _ right: some Collection<UInt8>) -> Bool {
    guard left.count == right.count else { return false }
    var difference: UInt8 = 0
    for (a, b) in zip(left, right) { difference |= a ^ b }
    return difference == 0
}
