import Foundation

extension ISODuration {
    /// Whether every part is small enough for arithmetic, ordering and printing not to overflow.
    var isWithinExpressionRange: Bool {
        let parts = [years, months, weeks, days, hours, minutes]
        return parts.allSatisfy { abs($0) <= 1_000_000_000 } && seconds.isFinite && abs(seconds) <= 1e15
    }

    /// Parses a duration written in an expression, refusing the ones out of range.
    static func checked(_ text: String) -> ISODuration? {
        guard let duration = ISODuration(text), duration.isWithinExpressionRange else { return nil }
        return duration
    }

    /// The part-by-part sum, or nil when out of range.
    func adding(_ other: ISODuration) -> ISODuration? {
        let sum = ISODuration(
            years: years &+ other.years, months: months &+ other.months, weeks: weeks &+ other.weeks,
            days: days &+ other.days, hours: hours &+ other.hours, minutes: minutes &+ other.minutes,
            seconds: seconds + other.seconds)
        return sum.isWithinExpressionRange ? sum : nil
    }
}

extension Date {
    /// Whether the date is between the years -9999 and 9999 or so, where calendars behave.
    var isWithinExpressionRange: Bool {
        let interval = timeIntervalSinceReferenceDate
        return interval.isFinite && abs(interval) < 3.0e11
    }
}
