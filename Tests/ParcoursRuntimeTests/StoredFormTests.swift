import Foundation
import ParcoursDSL
import ParcoursEngine
import Testing

@testable import ParcoursRuntime

/// `storedForm` is what reading a value back from its JSON column gives: the cache and the views rely on it.
@Suite("Stored form of values")
struct StoredFormTests {
    /// What a read gives: the value written as storage JSON and parsed back.
    func readBack(_ value: Value) throws -> Value {
        try Value(storageJSON: value.storageJSON)
    }

    @Test func plainValuesAreTheirOwnStoredForm() throws {
        let plain: [Value] = [
            "text", 12.5, true, .null, ["a", 1, ["b": false]], ["nested": ["deeper": ["x", "y"]], "n": 3],
            ["$not_alone": 1, "other": 2],
        ]
        for value in plain {
            #expect(value.isInStoredForm, "\(value)")
            #expect(value.storedForm == value)
            #expect(try readBack(value) == value)
        }
    }

    @Test func datesDurationsAndTaggedObjectsAreConvertedWhereverTheyAre() throws {
        let date = Value.date(Date(timeIntervalSince1970: 1_700_000_000.123_456_789))
        let duration = Value.duration(ISODuration(days: 30))
        let values: [Value] = [
            date, duration, ["when": date], ["list": ["a", date]], [["deep": ["deeper": duration]]],
            ["$date": "2026-11-23T08:00:00Z"], ["outer": ["$duration": "P1D"]],
        ]
        for value in values {
            #expect(!value.isInStoredForm, "\(value)")
            #expect(value.storedForm == (try readBack(value)), "\(value)")
        }
        // A dictionary of members: untouched when plain, converted member by member otherwise.
        let plain: [String: Value] = ["email": "a@example.org", "count": 2]
        #expect(Value.storedForm(of: plain) == plain)
        let mixed: [String: Value] = ["email": "a@example.org", "at": date]
        #expect(Value.storedForm(of: mixed)["at"] == (try readBack(date)))
        #expect(Value.storedForm(of: mixed)["email"] == "a@example.org")
    }

    /// An instance's stored form is the instance a read of its row gives: with and without what it waits on.
    @Test func anInstanceReadsBackAsItsStoredForm() throws {
        let started = Date(timeIntervalSince1970: 1_700_000_000.987_654_321)
        let context: [String: Value] = ["email": "a@example.org", "deadline": .date(started), "n": 2]
        let settings: [String: Value] = ["validity": .duration(ISODuration(days: 30))]
        for waits: Value in [
            ["timers": []],
            ["timers": [["id": "t1", "state": "wait", "index": 0, "due_at": ["$date": "2026-12-01T00:00:00.123Z"]]]],
        ] {
            let instance = InstanceState(
                id: "i1", process: "p", state: "wait", outcome: nil, context: context, settings: settings,
                startedAt: started, entries: 3, waits: waits, output: ["done": false])
            let read = InstanceState(
                id: "i1", process: "p", state: "wait", outcome: nil,
                context: try readBack(.object(instance.context)).objectValue ?? [:],
                settings: try readBack(.object(instance.settings)).objectValue ?? [:],
                startedAt: started.storedForm, entries: 3, waits: try readBack(instance.waitsValue),
                output: try readBack(.object(instance.output)).objectValue ?? [:])
            #expect(instance.storedForm == read)
        }
    }
}
