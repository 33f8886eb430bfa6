import Foundation

/// Whole-string regular-expression matching (ICU syntax, through `NSRegularExpression`) for `matches`.
///
/// Compiled patterns are cached. A match that runs longer than `timeLimit` (catastrophic backtracking)
/// is abandoned with an error rather than left to hang the engine.
enum WholeStringRegex {
    /// How long one match may run.
    static let timeLimit: Duration = .milliseconds(500)

    /// Why `pattern` is not a valid regular expression, or nil when it is.
    static func problem(with pattern: String) -> String? {
        switch RegexCache.shared.compiled(pattern) {
        case .success: nil
        case .failure(let problem): problem.message
        }
    }

    /// Whether the whole of `text` matches `pattern`; a message when the pattern is invalid or too slow.
    static func matches(_ text: String, pattern: String) -> Result<Bool, RegexProblem> {
        let regex: NSRegularExpression
        switch RegexCache.shared.compiled(pattern) {
        case .success(let compiled): regex = compiled
        case .failure(let problem): return .failure(problem)
        }
        var matched = false
        var timedOut = false
        let deadline = ContinuousClock.now + timeLimit
        let range = NSRange(location: 0, length: text.utf16.count)
        regex.enumerateMatches(in: text, options: [.reportProgress], range: range) { result, _, stop in
            if result != nil {
                matched = true
                stop.pointee = true
            } else if ContinuousClock.now > deadline {
                timedOut = true
                stop.pointee = true
            }
        }
        if timedOut, !matched {
            return .failure(
                RegexProblem(message: "the regular expression '\(pattern.prefix(60))' took too long to match"))
        }
        return .success(matched)
    }
}

/// Why a regular expression cannot be used.
struct RegexProblem: Error, Sendable {
    var message: String
}

/// Compiled whole-string patterns (`\A(?:pattern)\z`), shared by all threads.
private final class RegexCache: @unchecked Sendable {
    static let shared = RegexCache()

    private let lock = NSLock()
    private var entries: [String: Result<NSRegularExpression, RegexProblem>] = [:]
    private let capacity = 256

    func compiled(_ pattern: String) -> Result<NSRegularExpression, RegexProblem> {
        lock.lock()
        let cached = entries[pattern]
        lock.unlock()
        if let cached { return cached }
        let result = Self.compile(pattern)
        lock.lock()
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[pattern] = result
        lock.unlock()
        return result
    }

    private static func compile(_ pattern: String) -> Result<NSRegularExpression, RegexProblem> {
        let problem = RegexProblem(message: "invalid regular expression '\(pattern.prefix(60))'")
        // The pattern must be valid on its own, and mean the same once anchored (a `(?x)` comment could
        // swallow the closing parenthesis: then the anchored form is invalid or has other groups).
        // The empty pattern, which NSRegularExpression refuses alone, matches the empty string.
        let groups = pattern.isEmpty ? 0 : (try? NSRegularExpression(pattern: pattern))?.numberOfCaptureGroups
        guard let groups, let anchored = try? NSRegularExpression(pattern: "\\A(?:" + pattern + ")\\z"),
            anchored.numberOfCaptureGroups == groups
        else { return .failure(problem) }
        return .success(anchored)
    }
}
