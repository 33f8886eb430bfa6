/// Why an event was refused. A rejected event changes nothing.
public struct Rejection: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The instance has ended.
        case finished
        /// The current state does not accept this event.
        case unexpectedEvent = "unexpected_event"
        /// One or more fields are missing or invalid: see `fieldErrors`.
        case invalidPayload = "invalid_payload"
        /// The timer, task or sub-process named is not (or no longer) the one the instance waits on.
        case stale
        /// The person may not make this decision (e.g. the requester of an attachment).
        case forbidden
        /// The definition failed at run time (an expression could not be evaluated).
        case definitionError = "definition_error"
    }

    public var code: Code
    public var message: String
    public var fieldErrors: [FieldError]

    public init(_ code: Code, _ message: String, fieldErrors: [FieldError] = []) {
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
    }

    public var description: String {
        fieldErrors.isEmpty
            ? message : message + ": " + fieldErrors.map(\.description).joined(separator: "; ")
    }
}

/// A problem with one field of a payload: `field` is a path such as `siret`, `address.city` or `emails[1]`.
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Every field error of one payload.
public struct FieldErrors: Error, Sendable, Hashable {
    public var errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
}
