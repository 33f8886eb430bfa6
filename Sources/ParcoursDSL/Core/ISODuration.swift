import Foundation

/// An ISO-8601 duration such as `P30D`, `PT2H30M` or `P1Y2M`.
///
/// Calendar parts (years, months, weeks, days) are added in the Gregorian calendar in UTC, so
/// `P1M` after January 31st is the last day of February, as people expect from "one month".
public struct ISODuration: Hashable, Sendable, CustomStringConvertible, Comparable {
    public var years = 0
    public var months = 0
    public var weeks = 0
    public var days = 0
    public var hours = 0
    public var minutes = 0
    public var seconds: Double = 0

    public init(
        years: Int = 0, months: Int = 0, weeks: Int = 0, days: Int = 0, hours: Int = 0, minutes: Int = 0,
        seconds: Double = 0
    ) {
        self.years = years
        self.months = months
        self.weeks = weeks
        self.days = days
        self.hours = hours
        self.minutes = minutes
        self.seconds = seconds
    }

    /// Parses `PnYnMnWnDTnHnMnS`; nil when the text is not such a duration (or is just `P` / `PT`).
    public init?(_ text: String) {
        var scalars = Substring(text.trimmingCharacters(in: .whitespaces).uppercased())
        guard scalars.first == "P" else { return nil }
        scalars = scalars.dropFirst()
        var inTime = false
        var sawComponent = false
        var sawTimeComponent = false
        var number = ""
        var order = 0
        for character in scalars {
            if character == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                order = 0
                continue
            }
            if character.isASCII, character.isNumber || character == "." || character == "," {
                number.append(character == "," ? "." : character)
                continue
            }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            let isInteger = value == value.rounded()
            let designators: [Character] = inTime ? ["H", "M", "S"] : ["Y", "M", "W", "D"]
            guard let index = designators.firstIndex(of: character), index >= order else { return nil }
            order = index + 1
            // Bounded components keep every later computation (dates, text, ordering) free of overflow.
            guard value < 1_000_000 else { return nil }
            if character != "S" || !inTime { guard isInteger else { return nil } }
            switch (inTime, character) {
            case (false, "Y"): years = Int(value)
            case (false, "M"): months = Int(value)
            case (false, "W"): weeks = Int(value)
            case (false, "D"): days = Int(value)
            case (true, "H"): hours = Int(value)
            case (true, "M"): minutes = Int(value)
            case (true, "S"): seconds = value
            default: return nil
            }
            number = ""
            sawComponent = true
            if inTime { sawTimeComponent = true }
        }
        guard number.isEmpty, sawComponent, !inTime || sawTimeComponent else { return nil }
    }

    /// The instant this duration after `date` (UTC, Gregorian calendar).
    public func added(to date: Date, sign: Int = 1) -> Date {
        var components = DateComponents()
        components.year = sign * years
        components.month = sign * months
        components.day = sign * (days + 7 * weeks)
        components.hour = sign * hours
        components.minute = sign * minutes
        let whole = seconds.rounded(.towardZero)
        components.second = sign * Int(whole)
        components.nanosecond = sign * Int(((seconds - whole) * 1e9).rounded())
        return ISODuration.calendar.date(byAdding: components, to: date) ?? date
    }

    /// An approximate length in seconds (months of 30 days, years of 365), for ordering only.
    public var approximateSeconds: Double {
        let totalDays = years * 365 + months * 30 + weeks * 7 + days
        let totalMinutes = (totalDays * 24 + hours) * 60 + minutes
        return Double(totalMinutes) * 60 + seconds
    }

    public var description: String {
        var text = "P"
        if years != 0 { text += "\(years)Y" }
        if months != 0 { text += "\(months)M" }
        if weeks != 0 { text += "\(weeks)W" }
        if days != 0 { text += "\(days)D" }
        if hours != 0 || minutes != 0 || seconds != 0 {
            text += "T"
            if hours != 0 { text += "\(hours)H" }
            if minutes != 0 { text += "\(minutes)M" }
            if seconds != 0 {
                text += seconds == seconds.rounded() ? "\(Int(seconds))S" : "\(seconds)S"
            }
        }
        return text == "P" ? "PT0S" : text
    }

    public static func < (lhs: ISODuration, rhs: ISODuration) -> Bool {
        lhs.approximateSeconds < rhs.approximateSeconds
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()
}
