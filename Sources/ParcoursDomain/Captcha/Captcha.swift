import Foundation
import Logging
import PostgresNIO

/// Issues and checks captcha challenges (the image of characters the signup and forgotten-password forms show).
/// A response is `<challenge id>:<characters>`; every challenge answers one check only, right or wrong.
public protocol CaptchaVerifying: Sendable {
    /// A new challenge, stored in the tenant's transaction of `connection`.
    func challenge(tenant: String, on connection: PostgresConnection, now: Date) async throws -> CaptchaChallenge
    /// Whether `response` answers a live challenge; the challenge is used up either way.
    func verify(response: String, tenant: String, on connection: PostgresConnection, now: Date) async throws -> Bool
}

/// The default captcha: needs no outside service. It draws random characters (without look-alikes such as 0/O or
/// 1/I) as an SVG image with jittered glyphs and noise, and keeps only a keyed hash of the expected characters.
/// The check ignores case and spaces.
public struct ImageCaptcha: CaptchaVerifying {
    public var hasher: KeyedHasher
    public var validity: TimeInterval
    public var length: Int
    /// Logs each challenge's characters (development only: `parcours dev`, to try a journey with curl).
    public var revealsAnswers: Bool
    let logger: Logger

    static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    public init(
        hasher: KeyedHasher, validity: TimeInterval = 600, length: Int = 6, revealsAnswers: Bool = false,
        logger: Logger
    ) {
        self.hasher = hasher
        self.validity = validity
        self.length = length
        self.revealsAnswers = revealsAnswers
        self.logger = logger
    }

    public func challenge(tenant: String, on connection: PostgresConnection, now: Date) async throws
        -> CaptchaChallenge
    {
        try await issue(tenant: tenant, on: connection, now: now).challenge
    }

    /// A new challenge and the characters it shows (which only the tests and the development log see).
    func issue(tenant: String, on connection: PostgresConnection, now: Date) async throws
        -> (challenge: CaptchaChallenge, characters: String)
    {
        var generator = SystemRandomNumberGenerator()
        let characters = String((0..<length).map { _ in Self.alphabet.randomElement(using: &generator)! })
        let id = Tokens.identifier(prefix: "cap")
        let expiresAt = now.addingTimeInterval(validity)
        let answerHash = hasher.hash(characters, purpose: "captcha:\(id)")
        // Challenges a day past their expiry can no longer matter: they go as new ones come.
        let stale = now.addingTimeInterval(-86_400)
        try await connection.run("DELETE FROM captcha_challenges WHERE expires_at < \(stale)", logger: logger)
        try await connection.run(
            """
            INSERT INTO captcha_challenges (tenant_id, challenge_id, answer_hash, expires_at)
            VALUES (\(tenant), \(id), \(answerHash), \(expiresAt))
            """, logger: logger)
        if revealsAnswers {
            logger.notice("development captcha \(id): answer \(id):\(characters)")
        }
        let challenge = CaptchaChallenge(
            id: id, image: Self.svg(characters, using: &generator), expiresAt: expiresAt)
        return (challenge, characters)
    }

    public func verify(response: String, tenant: String, on connection: PostgresConnection, now: Date) async throws
        -> Bool
    {
        guard let separator = response.firstIndex(of: ":") else { return false }
        let id = String(response[..<separator]).trimmingCharacters(in: .whitespaces)
        let typed = response[response.index(after: separator)...].filter { !$0.isWhitespace }.uppercased()
        let rows = try await connection.query(
            """
            UPDATE captcha_challenges SET used_at = \(now)
            WHERE challenge_id = \(id) AND used_at IS NULL AND expires_at > \(now)
            RETURNING answer_hash
            """, logger: logger)
        var expected: String?
        for try await (hash) in rows.decode(String.self) { expected = hash }
        guard let expected else { return false }
        let actual = hasher.hash(typed, purpose: "captcha:\(id)")
        return constantTimeEquals(Array(actual.utf8), Array(expected.utf8))
    }

    /// An SVG of the characters, drawn as dots (no text an application could copy): each glyph of a 5×7 matrix
    /// moved, turned and its dots jittered, over crossing lines and stray dots of the same size. It resists
    /// scraping, not a determined OCR: put a stronger verifier behind ``CaptchaVerifying`` where that matters.
    static func svg(_ characters: String, using generator: inout some RandomNumberGenerator) -> String {
        let width = 40 + characters.count * 34
        let height = 64
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
                + "viewBox=\"0 0 \(width) \(height)\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"#f4f1ea\"/>",
        ]
        for _ in 0..<6 {
            let y1 = Int.random(in: 5...(height - 5), using: &generator)
            let y2 = Int.random(in: 5...(height - 5), using: &generator)
            let gray = Int.random(in: 90...170, using: &generator)
            parts.append(
                "<line x1=\"0\" y1=\"\(y1)\" x2=\"\(width)\" y2=\"\(y2)\" stroke=\"rgb(\(gray),\(gray),\(gray))\" "
                    + "stroke-width=\"\(Int.random(in: 1...2, using: &generator))\"/>")
        }
        // Stray dots first, so that glyph dots and noise interleave in no telling order.
        var dots: [String] = []
        for _ in 0..<60 {
            let x = Double.random(in: 0...Double(width - 4), using: &generator)
            let y = Double.random(in: 0...Double(height - 4), using: &generator)
            dots.append(Self.dot(x: x, y: y, color: "rgb(60,60,90)"))
        }
        for (index, character) in characters.enumerated() {
            guard let rows = Self.glyphs[character] else { continue }
            let originX = Double(20 + index * 34) + Double.random(in: -3...3, using: &generator)
            let originY = 14 + Double.random(in: -5...5, using: &generator)
            let angle = Double.random(in: -0.35...0.35, using: &generator)
            let color =
                "rgb(\(Int.random(in: 10...90, using: &generator)),\(Int.random(in: 10...90, using: &generator)),"
                + "\(Int.random(in: 60...140, using: &generator)))"
            for (row, line) in rows.enumerated() {
                for (column, cell) in line.enumerated() where cell == "#" {
                    // Turn the glyph around its origin, and jitter each dot.
                    let x0 = Double(column) * 5 + Double.random(in: -0.8...0.8, using: &generator)
                    let y0 = Double(row) * 5 + Double.random(in: -0.8...0.8, using: &generator)
                    let x = originX + x0 * cos(angle) - y0 * sin(angle)
                    let y = originY + x0 * sin(angle) + y0 * cos(angle)
                    dots.append(Self.dot(x: x, y: y, color: color))
                }
            }
        }
        dots.shuffle(using: &generator)
        parts += dots
        parts.append("</svg>")
        return parts.joined()
    }

    static func dot(x: Double, y: Double, color: String) -> String {
        "<rect x=\"\(String(format: "%.1f", x))\" y=\"\(String(format: "%.1f", y))\" width=\"4.2\" height=\"4.2\" "
            + "fill=\"\(color)\"/>"
    }

    /// The 5×7 dot matrices of the alphabet.
    static let glyphs: [Character: [String]] = [
        "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "B": ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
        "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
        "D": ["####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."],
        "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
        "F": ["#####", "#....", "#....", "####.", "#....", "#....", "#...."],
        "G": [".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".###."],
        "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "J": ["..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."],
        "K": ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"],
        "L": ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
        "M": ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
        "N": ["#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"],
        "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
        "Q": [".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"],
        "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
        "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
        "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
        "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "V": ["#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."],
        "W": ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."],
        "X": ["#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"],
        "Y": ["#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."],
        "Z": ["#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"],
        "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
        "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
        "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
        "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
        "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
        "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
        "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
        "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
    ]
}
