import ParcoursDSL
import ParcoursEngine

/// A failure of a runtime operation, with a code for HTTP and CLI mapping and a message for a person.
public struct RuntimeError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case notFound = "not_found"
        /// The event, decision or payload was refused; see `rejection`.
        case rejected
        /// Definitions did not pass the checker; see `diagnostics`.
        case invalidDefinition = "invalid_definition"
        /// The task was decided already, or another write won a race.
        case conflict
        /// An idempotency key was reused with a different request.
        case idempotencyMismatch = "idempotency_mismatch"
        case forbidden
        case invalidInput = "invalid_input"
        /// An action failed; the transaction was rolled back and nothing changed.
        case actionFailed = "action_failed"
    }

    public var code: Code
    public var message: String
    public var rejection: Rejection?
    public var diagnostics: [Diagnostic]

    public init(_ code: Code, _ message: String, rejection: Rejection? = nil, diagnostics: [Diagnostic] = []) {
        self.code = code
        self.message = message
        self.rejection = rejection
        self.diagnostics = diagnostics
    }

    static func rejected(_ rejection: Rejection) -> RuntimeError {
        let code: Code =
            switch rejection.code {
            case .forbidden: .forbidden
            case .stale: .conflict
            default: .rejected
            }
        return RuntimeError(code, rejection.description, rejection: rejection)
    }

    public var description: String {
        diagnostics.isEmpty ? message : ([message] + diagnostics.map(\.description)).joined(separator: "\n")
    }
}
