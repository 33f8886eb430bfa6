/// The Luhn (mod 10) check used by SIREN, SIRET and several VAT numbers.
enum Luhn {
    /// The Luhn checksum of `digits`: 0 when the last digit is a correct check digit.
    static func checksum(_ digits: [Int]) -> Int {
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            if index % 2 == 0 {
                sum += digit
            } else {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            }
        }
        return sum % 10
    }

    /// Whether `digits` end with a correct Luhn check digit.
    static func isValid(_ digits: [Int]) -> Bool {
        !digits.isEmpty && checksum(digits) == 0
    }

    /// The check digit to append to `digits`.
    static func checkDigit(for digits: [Int]) -> Int {
        (10 - checksum(digits + [0])) % 10
    }
}
