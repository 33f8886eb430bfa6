import Foundation
import ParcoursDSL

extension InstanceState {
    /// Timers, task and sub-process as one stored object (the `waits` column).
    public var waitsValue: Value {
        var object: [String: Value] = [
            "timers": .list(
                timers.map {
                    [
                        "id": .string($0.id), "state": .string($0.state), "index": .number(Double($0.index)),
                        "due_at": .date($0.dueAt),
                    ]
                })
        ]
        if let task {
            object["task"] = [
                "id": .string(task.id), "state": .string(task.state), "title": .string(task.title),
                "outcomes": .list(task.outcomes.map(Value.string)),
                "requester": task.requester.map(Value.string) ?? .null,
            ]
        }
        if let child { object["child"] = ["id": .string(child.id), "process": .string(child.process)] }
        return .object(object)
    }

    /// Restores timers, task and sub-process from `waitsValue`.
    public mutating func restoreWaits(from value: Value) {
        timers = (value[member: "timers"].listValue ?? []).compactMap { item in
            guard let id = item[member: "id"].stringValue, let state = item[member: "state"].stringValue,
                let index = item[member: "index"].numberValue, case .date(let due) = item[member: "due_at"]
            else { return nil }
            return ArmedTimer(id: id, state: state, index: Int(index), dueAt: due)
        }
        let taskValue = value[member: "task"]
        if let id = taskValue[member: "id"].stringValue {
            task = OpenTask(
                id: id, state: taskValue[member: "state"].stringValue ?? "",
                title: taskValue[member: "title"].stringValue ?? "",
                outcomes: (taskValue[member: "outcomes"].listValue ?? []).compactMap(\.stringValue),
                requester: taskValue[member: "requester"].stringValue)
        } else {
            task = nil
        }
        let childValue = value[member: "child"]
        if let id = childValue[member: "id"].stringValue, let process = childValue[member: "process"].stringValue {
            child = ChildLink(id: id, process: process)
        } else {
            child = nil
        }
    }

    /// Builds an instance from its stored columns.
    public init(
        id: String, process: String, state: String, outcome: String?, context: [String: Value],
        settings: [String: Value], startedAt: Date, entries: Int, waits: Value, output: [String: Value]
    ) {
        self.init(
            id: id, process: process, state: state, status: outcome.map { .finished(outcome: $0) } ?? .waiting,
            context: context, settings: settings, startedAt: startedAt, entries: entries, timers: [], task: nil,
            child: nil, output: output)
        restoreWaits(from: waits)
    }
}
