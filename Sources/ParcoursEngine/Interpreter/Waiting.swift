import Foundation
import ParcoursDSL

/// What an instance waits for: the events its state accepts (with their fields, so a client can render the next
/// form, prefilled), its open task, its sub-process and its timers.
public struct Waiting: Sendable, Hashable {
    public var state: String
    public var events: [ExpectedEvent]
    public var task: OpenTask?
    public var subprocess: ChildLink?
    public var timers: [ArmedTimer]

    /// The JSON shape clients receive.
    public var value: Value { value(events: .list(events.map(\.value))) }

    /// The JSON shape clients receive, with `events` already in that shape (see
    /// `Interpreter.instanceIndependentEvents(at:)`).
    public func value(events: Value) -> Value {
        var object: [String: Value] = [
            "state": .string(state),
            "events": events,
            "timers": .list(timers.map { ["id": .string($0.id), "due_at": .date($0.dueAt)] }),
        ]
        if let task {
            object["task"] = [
                "id": .string(task.id), "title": .string(task.title),
                "outcomes": .list(task.outcomes.map(Value.string)),
            ]
        }
        if let subprocess {
            object["subprocess"] = ["id": .string(subprocess.id), "process": .string(subprocess.process)]
        }
        return .object(object)
    }
}

/// An event the current state accepts.
public struct ExpectedEvent: Sendable, Hashable {
    public var name: String
    public var title: String?
    public var fields: [ExpectedField]

    public var value: Value {
        var object: [String: Value] = ["name": .string(name), "fields": .list(fields.map(\.value))]
        if let title { object["title"] = .string(title) }
        return .object(object)
    }
}

/// A field of an expected event, with its prefilled value evaluated for this instance.
public struct ExpectedField: Sendable, Hashable {
    public var spec: FieldSpec
    public var prefill: Value?

    public var value: Value {
        var object: [String: Value] = [
            "name": .string(spec.name), "type": .string(spec.type.rawValue), "required": .bool(spec.required),
            "editable": .bool(spec.editable), "secret": .bool(spec.type.isSecret),
        ]
        if let label = spec.label { object["label"] = .string(label) }
        if let help = spec.help { object["help"] = .string(help) }
        if let defaultValue = spec.defaultValue { object["default"] = defaultValue }
        if !spec.values.isEmpty {
            object["values"] = .list(
                spec.values.map { value in
                    var entry: [String: Value] = ["value": .string(value.value)]
                    if let label = value.label { entry["label"] = .string(label) }
                    return .object(entry)
                })
        }
        if let minimum = spec.minLength { object["min_length"] = .number(Double(minimum)) }
        if let maximum = spec.maxLength { object["max_length"] = .number(Double(maximum)) }
        if let pattern = spec.pattern { object["pattern"] = .string(pattern) }
        if let minimum = spec.minimum { object["min"] = .number(minimum) }
        if let maximum = spec.maximum { object["max"] = .number(maximum) }
        if let sameAs = spec.sameAs { object["same_as"] = .string(sameAs.value) }
        if let prefill, !spec.type.isSecret { object["prefill"] = prefill }
        if let item = spec.item { object["items"] = ExpectedField(spec: item, prefill: nil).value }
        if !spec.fields.isEmpty {
            object["fields"] = .list(spec.fields.map { ExpectedField(spec: $0, prefill: nil).value })
        }
        return .object(object)
    }
}

extension Interpreter {
    /// What `instance` waits for now; prefills are evaluated against its context and settings.
    public func waiting(for instance: InstanceState, now: Date) -> Waiting {
        var events: [ExpectedEvent] = []
        if !instance.status.isFinished, let state = definition.state(named: instance.state),
            case .input(let specs) = state.kind
        {
            let environment = environment(instance, now: now)
            events = specs.map { spec in
                ExpectedEvent(
                    name: spec.name, title: spec.title ?? state.title,
                    fields: spec.fields.map { field in
                        ExpectedField(spec: field, prefill: try? field.prefill?.evaluate(in: environment))
                    })
            }
        }
        return Waiting(
            state: instance.state, events: events, task: instance.task, subprocess: instance.child,
            timers: instance.timers)
    }

    /// `waiting(for:now:).value`, with the events given in their JSON shape when the driver keeps them (from
    /// ``instanceIndependentEvents(at:)`` for the instance's state): they are not built again.
    public func waitingValue(for instance: InstanceState, now: Date, sharedEvents: Value?) -> Value {
        guard let sharedEvents, !instance.status.isFinished else { return waiting(for: instance, now: now).value }
        return Waiting(
            state: instance.state, events: [], task: instance.task, subprocess: instance.child,
            timers: instance.timers
        ).value(events: sharedEvents)
    }

    /// The events an unfinished instance at `stateName` expects when they are the same for every instance: an
    /// input state none of whose fields has a prefill (a prefill is evaluated against each instance). Nil for any
    /// other state. A driver may compute them once per definition instead of at every view.
    public func instanceIndependentEvents(at stateName: String) -> [ExpectedEvent]? {
        guard let state = definition.state(named: stateName), case .input(let specs) = state.kind,
            specs.allSatisfy({ $0.fields.allSatisfy { $0.prefill == nil } })
        else { return nil }
        return specs.map { spec in
            ExpectedEvent(
                name: spec.name, title: spec.title ?? state.title,
                fields: spec.fields.map { ExpectedField(spec: $0, prefill: nil) })
        }
    }
}
