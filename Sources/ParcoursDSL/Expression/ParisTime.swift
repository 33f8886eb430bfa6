import Foundation

/// Dates shown to people: `dd/MM/yyyy HH:mm` in Paris time, for `format_date`.
enum ParisTime {
    /// Europe/Paris from the time-zone database; nil when the system has none.
    private static let zone = TimeZone(identifier: "Europe/Paris")

    /// `date` as `31/01/2026 10:00`.
    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone ?? TimeZone(secondsFromGMT: fallbackOffset(for: date)) ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func padded(_ value: Int?, _ width: Int) -> String {
            let value = value ?? 0
            let digits = String(abs(value))
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.day, 2))/\(padded(parts.month, 2))/\(padded(parts.year, 4)) "
            + "\(padded(parts.hour, 2)):\(padded(parts.minute, 2))"
    }

    /// The offset of Paris from UTC under the European rule (summer time from the last Sunday of March to
    /// the last Sunday of October, changing at 01:00 UTC), when no time-zone database is available.
    static func fallbackOffset(for date: Date) -> Int {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = .gmt
        let year = utc.component(.year, from: date)
        func lastSunday(ofMonth month: Int) -> Date? {
            guard let firstOfNext = utc.date(from: DateComponents(year: year, month: month + 1, day: 1, hour: 1))
            else { return nil }
            // Weekday 1 is Sunday: step back to the last Sunday before the 1st of the next month.
            let weekday = utc.component(.weekday, from: firstOfNext)
            let back = weekday == 1 ? 7 : weekday - 1
            return utc.date(byAdding: .day, value: -back, to: firstOfNext)
        }
        guard let start = lastSunday(ofMonth: 3), let end = lastSunday(ofMonth: 10) else { return 3600 }
        return date >= start && date < end ? 7200 : 3600
    }
}
