import Crypto
import Foundation
import ParcoursDSL

/// Encrypts secret notification params (an activation link's token) while they wait in the outbox, with
/// AES-GCM: the database never holds them in clear.
public struct SecretSealer: Sendable {
    private let key: SymmetricKey

    /// A key from 32 bytes (e.g. `PARCOURS_SECRET_KEY`, base64).
    public init(keyData: Data) throws {
        guard keyData.count == 32 else { throw RuntimeError(.invalidInput, "the secret key must be 32 bytes") }
        key = SymmetricKey(data: keyData)
    }

    /// A random key, for tests and throwaway databases.
    public static func random() -> SecretSealer {
        SecretSealer(key: SymmetricKey(size: .bits256))
    }

    private init(key: SymmetricKey) { self.key = key }

    /// The key from base64 text.
    public init(base64 text: String) throws {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw RuntimeError(.invalidInput, "the secret key is not base64")
        }
        try self.init(keyData: data)
    }

    public func seal(_ value: Value) throws -> String {
        let box = try AES.GCM.seal(Data(value.storageJSON.utf8), using: key)
        guard let combined = box.combined else { throw RuntimeError(.invalidInput, "cannot seal") }
        return combined.base64EncodedString()
    }

    public func open(_ text: String) throws -> Value {
        guard let data = Data(base64Encoded: text) else {
            throw RuntimeError(.invalidInput, "sealed data is not base64")
        }
        let plain = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key)
        return try Value(storageJSON: String(decoding: plain, as: UTF8.self))
    }

    /// A new random key as base64, for `parcours dev` to keep in its data folder.
    public static func newKeyBase64() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }
}
