/// The cleaning applied to every identifier before it is checked.
enum Normalization {
    /// Dashes people type or paste: the hyphen-minus and its Unicode look-alikes.
    private static let dashes: Set<Character> = [
        "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{2212}", "\u{FE63}",
        "\u{FF0D}",
    ]

    /// `value` without whitespace (including non-breaking spaces), dots and dashes, letters upper-cased.
    static func clean(_ value: String) -> String {
        String(value.filter { !$0.isWhitespace && $0 != "." && !dashes.contains($0) }).uppercased()
    }
}
