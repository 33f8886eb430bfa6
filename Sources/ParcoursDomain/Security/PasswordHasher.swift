import Crypto
import Foundation
import _CryptoExtras

/// Hashes passwords and secret answers with scrypt (memory-hard, from swift-crypto's extras), a random salt per hash,
/// and the parameters stored with each hash so that they can be raised later: a hash made with weaker parameters
/// than the current ones is reported by ``needsUpgrade(_:)`` and re-made at the next successful login.
///
/// The stored form is `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (base64, no padding).
public struct PasswordHasher: Sendable, Hashable {
    /// log2 of scrypt's cost N.
    public var logRounds: Int
    public var blockSize: Int
    public var parallelism: Int

    /// The production parameters: N = 2^15, r = 8, p = 1 (32 MiB per hash; OWASP's scrypt recommendation is
    /// N = 2^17 with r = 8 or an equivalent trade-off, and 2^15 keeps a login under 100 ms on 2 cores).
    public static let standard = PasswordHasher(logRounds: 15, blockSize: 8, parallelism: 1)

    /// Cheap parameters for tests only.
    public static let fastForTests = PasswordHasher(logRounds: 4, blockSize: 8, parallelism: 1)

    public init(logRounds: Int, blockSize: Int, parallelism: Int) {
        self.logRounds = logRounds
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    static let saltBytes = 16
    static let hashBytes = 32

    /// A new hash of `secret` with a fresh salt.
    public func hash(_ secret: String) throws -> String {
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        let derived = try derive(secret, salt: salt, parameters: self)
        return "$scrypt$ln=\(logRounds),r=\(blockSize),p=\(parallelism)$\(Self.encode(salt))$\(Self.encode(derived))"
    }

    /// Whether `secret` matches `stored` (compared in constant time). A malformed stored hash matches nothing.
    public func verify(_ secret: String, against stored: String) -> Bool {
        guard let parsed = Self.parse(stored),
            let derived = try? derive(secret, salt: parsed.salt, parameters: parsed.parameters)
        else { return false }
        return constantTimeEquals(derived, parsed.hash)
    }

    /// Whether `stored` was made with weaker parameters than these.
    public func needsUpgrade(_ stored: String) -> Bool {
        guard let parsed = Self.parse(stored) else { return true }
        return parsed.parameters.logRounds < logRounds || parsed.parameters.blockSize < blockSize
            || parsed.parameters.parallelism < parallelism
    }

    private func derive(_ secret: String, salt: Data, parameters: PasswordHasher) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(
            from: Data(secret.utf8), salt: salt, outputByteCount: Self.hashBytes, rounds: 1 << parameters.logRounds,
            blockSize: parameters.blockSize, parallelism: parameters.parallelism,
            maxMemory: 256 * 1024 * 1024)
        return key.withUnsafeBytes { Data($0) }
    }

    static func parse(_ stored: String) -> (parameters: PasswordHasher, salt: Data, hash: Data)? {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
        var values: [String: Int] = [:]
        for pair in parts[2].split(separator: ",") {
            let keyValue = pair.split(separator: "=")
            guard keyValue.count == 2, let number = Int(keyValue[1]) else { return nil }
            values[String(keyValue[0])] = number
        }
        guard let logRounds = values["ln"], (1...24).contains(logRounds), let blockSize = values["r"],
            (1...64).contains(blockSize), let parallelism = values["p"], (1...16).contains(parallelism),
            let salt = decode(parts[3]), let hash = decode(parts[4]), hash.count == hashBytes
        else { return nil }
        return (PasswordHasher(logRounds: logRounds, blockSize: blockSize, parallelism: parallelism), salt, hash)
    }

    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> Data? {
        var padded = String(text)
        while padded.count % 4 != 0 { padded += "=" }
        return Data(base64Encoded: padded)
    }
}

/// Secret answers are compared loosely, as a person would type them again: case, accents, surrounding and repeated
/// spaces and punctuation do not matter.
public enum SecretAnswer {
    /// The form of an answer that is hashed and compared.
    public static func normalize(_ answer: String) -> String {
        let folded = answer.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var words: [String] = []
        var current = ""
        for scalar in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.joined(separator: " ").lowercased()
    }
}
