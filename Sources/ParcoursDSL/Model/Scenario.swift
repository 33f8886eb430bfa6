import Foundation

/// A scenario for `parcours test`: events in, stubbed results, time advanced → what must happen.
public struct Scenario: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation
    public var process: Located<String>
    public var tenant: Located<String>?
    public var settings: [String: Located<Value>] = [:]
    public var params: [String: Value] = [:]
    public var start: Date
    /// Action name → results consumed in order (the last one repeats).
    public var stubs: [String: [Value]] = [:]
    /// Resolver name → candidates.
    public var assignees: [String: [String]] = [:]
    public var steps: [ScenarioStep] = []
    public var expect: ScenarioExpectation?
    public var file: String

    public static let defaultStart = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
}

public enum ScenarioStepKind: Sendable, Hashable {
    /// Send an event; `rejected` lists the fields that must be reported (nil: the event must be accepted;
    /// empty: rejected, whatever the fields).
    case event(name: String, data: [String: Value], rejected: [String]?)
    case advance(ISODuration)
    case decide(outcome: String, by: String?, comment: String?, rejected: Bool)
    case expect(ScenarioExpectation)
    /// Stub the next result(s) of an action from here on.
    case stub(action: String, results: [Value])
}

public struct ScenarioStep: Sendable, Hashable {
    public var kind: ScenarioStepKind
    public var location: SourceLocation
}

/// What must hold at a point of a scenario; every member is optional.
public struct ScenarioExpectation: Sendable, Hashable {
    public var location: SourceLocation
    public var state: String?
    public var outcome: String?
    public var path: [String]?
    public var visits: [String]?
    public var notVisits: [String]?
    public var notifications: [ExpectedNotification]?
    public var tasks: [ExpectedTask]?
    public var context: [String: Value]?
    public var waitingFor: [String]?
}

public struct ExpectedNotification: Sendable, Hashable {
    public var template: String
    public var to: [String]?
}

public struct ExpectedTask: Sendable, Hashable {
    public var title: String?
    /// `.some(nil)`: the task must not have been decided.
    public var outcome: String??
    public var by: String?
    public var comment: String?
    public var assignees: [String]?
    public var status: String?
}
