import Foundation

/// A process definition: a state graph read from one YAML file.
public struct ProcessDefinition: Sendable, Hashable {
    public var name: Located<String>
    public var title: String?
    public var description: String?
    public var start: Located<String>?
    public var params: [FieldSpec] = []
    /// Variables declared under `context:`.
    public var declaredContext: [ContextDeclaration] = []
    public var settings: [SettingDefault] = []
    public var notifications: [NotificationTemplate] = []
    public var states: [StateDefinition] = []
    /// The file it was read from, and the source text (for hashing and deployment).
    public var file: String
    public var source: String

    public init(name: Located<String>, file: String, source: String) {
        self.name = name
        self.file = file
        self.source = source
    }

    public func state(named name: String) -> StateDefinition? { states.first { $0.name == name } }

    public func notification(named name: String) -> NotificationTemplate? { notifications.first { $0.name == name } }

    /// The settings' default values as one object, e.g. `{activation_validity: P30D}` (durations parsed).
    public var defaultSettings: [String: Value] {
        Dictionary(settings.map { ($0.name, $0.value) }) { first, _ in first }
    }

    /// The outcomes of the final states, in order of appearance.
    public var finalOutcomes: [String] {
        var seen = Set<String>()
        return states.compactMap { state -> String? in
            if case .final(let final) = state.kind, seen.insert(final.outcome.value).inserted {
                return final.outcome.value
            }
            return nil
        }
    }
}

public struct ContextDeclaration: Sendable, Hashable {
    public var name: String
    public var type: ValueType
    public var location: SourceLocation
}

/// A setting and its default value; a tenant may override it with a value of the same type.
public struct SettingDefault: Sendable, Hashable {
    public var name: String
    public var value: Value
    public var location: SourceLocation

    public var type: ValueType { ValueType.of(value) }
}

/// A notification template: subject and body per language, with declared params.
public struct NotificationTemplate: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation
    public var params: [ContextDeclaration] = []
    /// Language code → template; `fr` is the default language.
    public var subject: [String: TemplateString] = [:]
    public var body: [String: TemplateString] = [:]

    public static let defaultLanguage = "fr"
}
