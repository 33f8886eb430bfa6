import Foundation
import ParcoursDSL

extension Simulation.Record {
    /// One line per record, as `parcours simulate` prints them. Secret arguments are masked.
    public func describe(clock: Date) -> String {
        let time = Value.iso8601(clock)
        switch self {
        case .transition(let instance, let process, let record):
            let from = record.from ?? "∅"
            return "\(Value.iso8601(record.at))  \(process)[\(instance)]  \(from) --\(record.trigger)--> \(record.to)"
        case .rejected(let instance, let event, let rejection):
            return "\(time)  [\(instance)]  REJECTED \(event): \(rejection)"
        case .action(_, let call, let result):
            return
                "    action \(call.action)(\(Value.object(call.redactedArguments).jsonText())) → \(result.jsonText())"
        case .notification(_, let request, let subject, _):
            return
                "    notify \(request.template) → \(request.to.joined(separator: ", ")) [\(request.language)] \"\(subject)\""
        case .taskOpened(_, let request, let candidates):
            let outcomes = request.outcomes.map(\.name).joined(separator: "|")
            return
                "    task \(request.id) opened: \"\(request.title)\" for \(candidates.joined(separator: ", ")) (\(outcomes))"
        case .taskDecided(let taskId, let outcome, let by, let comment):
            return "    task \(taskId) decided: \(outcome) by \(by)" + (comment.map { " — \($0)" } ?? "")
        case .taskClosed(let taskId, let reason):
            return "    task \(taskId) closed: \(reason)"
        case .taskEscalated(let taskId, let added):
            return "    task \(taskId) escalated to \(added.joined(separator: ", "))"
        case .timerArmed(_, let timer):
            return "    timer \(timer.id) armed, due \(Value.iso8601(timer.dueAt))"
        case .timerFired(_, let timer):
            return "\(Value.iso8601(timer.dueAt))  timer \(timer.id) fires"
        case .clockAdvanced(let date):
            return "\(Value.iso8601(date))  clock"
        case .finished(let instance, let process, let outcome):
            return "    \(process)[\(instance)] finished: \(outcome)"
        }
    }
}
