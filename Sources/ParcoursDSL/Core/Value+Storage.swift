import Foundation

extension Value {
    /// The value as JSON for storage: like `jsonObject`, but dates and durations are tagged (`{"$date": …}`,
    /// `{"$duration": …}`) so that `init(storage:)` gives back exactly the same value.
    public var storageObject: Any {
        switch self {
        case .date(let date): ["$date": Value.iso8601WithFraction(date)]
        case .duration(let duration): ["$duration": duration.description]
        case .list(let items): items.map(\.storageObject)
        case .object(let members): members.mapValues(\.storageObject)
        default: jsonObject
        }
    }

    /// Compact JSON with sorted keys, tagged for storage.
    public var storageJSON: String { JSONText.write(self, tagged: true) }

    /// Reads what `storageJSON` wrote.
    public init(storageJSON text: String) throws {
        self = try JSONText.parse(text, tagged: true)
    }

    /// Reads a Foundation object written from `storageObject`.
    public init(storage object: Any) {
        if let members = object as? [String: Any] {
            if members.count == 1, let text = members["$date"] as? String, let date = Value.parseDate(text) {
                self = .date(date)
                return
            }
            if members.count == 1, let text = members["$duration"] as? String, let duration = ISODuration(text) {
                self = .duration(duration)
                return
            }
            self = .object(members.mapValues(Value.init(storage:)))
            return
        }
        if let items = object as? [Any] {
            self = .list(items.map(Value.init(storage:)))
            return
        }
        self = Value(json: object)
    }

    static func iso8601WithFraction(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }
}
