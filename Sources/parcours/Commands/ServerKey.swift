import Crypto
import Foundation
import Logging
import ParcoursDomain
import ParcoursRuntime

/// A server's secret key (`PARCOURS_SECRET_KEY`, or `secret.key` in `parcours dev`'s data folder): it seals the
/// secrets of queued e-mails and, through a derived key, keys the domain's hashes (login e-mails in the throttling
/// tables, captcha answers, decoy questions). Several `serve` processes over one database share it.
struct ServerKey: Sendable {
    let sealer: SecretSealer
    let keyedHasher: KeyedHasher

    init(base64 text: String) throws {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32
        else { throw RuntimeError(.invalidInput, "the secret key must be 32 bytes in base64") }
        sealer = try SecretSealer(keyData: data)
        // A key of its own for the hashes, so that neither use weakens the other.
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: data), info: Data("parcours keyed hashes".utf8), outputByteCount: 32)
        keyedHasher = KeyedHasher(keyData: derived.withUnsafeBytes { Data($0) })
    }

    /// A throwaway key, for commands that queue no mail and run no action (`tenant create`, `deploy`).
    static func random() -> ServerKey {
        // A fresh random key is always valid.
        try! ServerKey(base64: SecretSealer.newKeyBase64())
    }
}

/// Which captcha the signup and reset journeys use.
enum CaptchaMode: Sendable {
    /// The image captcha.
    case image
    /// The image captcha whose answers are also logged: `parcours dev` only, so that a journey can be tried with
    /// curl.
    case imageRevealedInLog

    func verifier(key: ServerKey, logger: Logger) -> any CaptchaVerifying {
        switch self {
        case .image: ImageCaptcha(hasher: key.keyedHasher, logger: logger)
        case .imageRevealedInLog: ImageCaptcha(hasher: key.keyedHasher, revealsAnswers: true, logger: logger)
        }
    }
}
