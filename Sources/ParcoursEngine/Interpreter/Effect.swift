import Foundation
import ParcoursDSL

/// What the runtime must do after a step: the interpreter describes effects, it never performs them.
public enum Effect: Sendable, Hashable {
    case callAction(ActionCall)
    case armTimer(ArmedTimer)
    case cancelTimer(id: String)
    case openTask(TaskRequest)
    /// The task's state was left without a decision (a deadline passed).
    case closeTask(id: String, reason: String)
    case escalateTask(id: String, assignees: AssigneeRequest)
    case notify(NotificationRequest)
    case startSubprocess(SubprocessRequest)
    case cancelSubprocess(id: String)
    case finish(outcome: String, output: [String: Value])
}

/// A call of a catalogue action. `secretArguments` name the arguments to redact in history and logs.
public struct ActionCall: Sendable, Hashable {
    public var id: String
    public var action: String
    public var arguments: [String: Value]
    public var secretArguments: Set<String>

    /// The arguments with secrets replaced by `***`.
    public var redactedArguments: [String: Value] {
        arguments.reduce(into: [:]) { result, entry in
            result[entry.key] = secretArguments.contains(entry.key) ? .string(Redaction.mask) : entry.value
        }
    }
}

/// Who may decide a task: a resolver and its arguments, or explicit account ids.
public enum AssigneeRequest: Sendable, Hashable {
    case resolver(name: String, arguments: [String: Value])
    case accounts([String])
}

public struct TaskRequest: Sendable, Hashable {
    public var id: String
    public var state: String
    public var title: String
    public var description: String?
    public var assignees: AssigneeRequest
    public var requester: String?
    public var outcomes: [TaskOutcome]
}

public struct TaskOutcome: Sendable, Hashable {
    public var name: String
    public var label: String?
    public var commentRequired: Bool

    public init(name: String, label: String?, commentRequired: Bool) {
        self.name = name
        self.label = label
        self.commentRequired = commentRequired
    }
}

/// A notification to send: the template's name and its params; rendering happens at delivery, so that secret
/// params (a link with a token) can be kept encrypted until then.
public struct NotificationRequest: Sendable, Hashable {
    public var id: String
    public var template: String
    public var to: [String]
    public var language: String
    public var params: [String: Value]
    public var secretParams: Set<String>

    public init(
        id: String, template: String, to: [String], language: String, params: [String: Value],
        secretParams: Set<String>
    ) {
        self.id = id
        self.template = template
        self.to = to
        self.language = language
        self.params = params
        self.secretParams = secretParams
    }

    /// The subject and body in the request's language (French when the template lacks it).
    public func render(with definition: ProcessDefinition, now: Date) throws -> (subject: String, body: String) {
        guard let template = definition.notification(named: self.template) else {
            throw EngineError("notification '\(self.template)' is not defined")
        }
        let environment = EvaluationEnvironment(roots: params, now: now)
        func pick(_ texts: [String: TemplateString]) throws -> String {
            guard let text = texts[language] ?? texts[NotificationTemplate.defaultLanguage] ?? texts.values.first
            else { return "" }
            do { return try text.render(in: environment) } catch { throw EngineError(error.description) }
        }
        return (try pick(template.subject), try pick(template.body))
    }
}

public struct SubprocessRequest: Sendable, Hashable {
    public var id: String
    public var process: String
    public var params: [String: Value]
    public var secretParams: Set<String>
}

/// One state change, for history.
public struct TransitionRecord: Sendable, Hashable {
    public var from: String?
    public var to: String
    public var trigger: String
    public var at: Date
}

/// A failure that is not the client's fault: a definition that cannot run (an expression failed at run time).
public struct EngineError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Replaces secrets by a mask before anything is written to history or logs.
public enum Redaction {
    public static let mask = "***"

    /// The payload with every secret field (password, secret) masked.
    public static func redact(_ payload: [String: Value], fields: [FieldSpec]) -> [String: Value] {
        // Secrets are fields of the event itself, never nested (the loader refuses them inside objects and lists).
        guard fields.contains(where: \.type.isSecret) else { return payload }
        let secrets = Set(fields.filter { $0.type.isSecret }.map(\.name))
        return payload.reduce(into: [:]) { result, entry in
            result[entry.key] = secrets.contains(entry.key) ? .string(mask) : entry.value
        }
    }
}
