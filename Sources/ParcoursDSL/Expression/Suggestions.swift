/// "; did you mean 'x'?" for a misspelt name, or an empty string.
///
/// Uses `didYouMean` from Diagnostic.swift, and also catches the commonest typo its plain edit distance
/// counts twice: two adjacent letters swapped (`emial` for `email`).
func suggestion(for name: String, in candidates: [String]) -> String {
    let suggested = didYouMean(name, in: candidates)
    if !suggested.isEmpty { return suggested }
    let typed = Array(name.lowercased())
    for candidate in candidates where isAdjacentSwap(typed, Array(candidate.lowercased())) {
        return "; did you mean '\(candidate)'?"
    }
    return ""
}

/// Whether `b` is `a` with exactly two adjacent characters swapped.
private func isAdjacentSwap(_ a: [Character], _ b: [Character]) -> Bool {
    guard a.count == b.count, a.count >= 2 else { return false }
    guard let first = a.indices.first(where: { a[$0] != b[$0] }), first + 1 < a.count else { return false }
    return a[first] == b[first + 1] && a[first + 1] == b[first] && a[(first + 2)...] == b[(first + 2)...]
}
