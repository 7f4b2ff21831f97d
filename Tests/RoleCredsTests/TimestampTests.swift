import Testing
@testable import RoleCreds

@Suite("Timestamp")
struct TimestampTests {
    // Expected values from `date -u -d … +%s`.
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59Z", -1),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("2000-03-01T00:00:00Z", 951_868_800),
        ("2024-02-29T12:00:00Z", 1_709_208_000),
        ("2024-06-01T00:00:00Z", 1_717_200_000),
        ("2038-01-19T03:14:08Z", 2_147_483_648),
        ("2099-12-31T23:59:59Z", 4_102_444_799),
        ("1900-03-01T00:00:00Z", -2_203_891_200),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
        ("0001-01-01T00:00:00Z", -62_135_596_800),
        // separators and zone letter in lower case, or a space (RFC 3339 §5.6 note)
        ("2024-06-01t00:00:00z", 1_717_200_000),
        ("2024-06-01 00:00:00Z", 1_717_200_000),
        // fractions are dropped
        ("2024-06-01T00:00:00.123Z", 1_717_200_000),
        ("2024-06-01T00:00:00.999999999Z", 1_717_200_000),
        ("2024-06-01T00:00:00.0Z", 1_717_200_000),
        // offsets
        ("2024-06-01T01:00:00+01:00", 1_717_200_000),
        ("2024-05-31T19:00:00-05:00", 1_717_200_000),
        ("2024-06-01T05:30:00+05:30", 1_717_200_000),
        ("2024-06-01T00:00:00+00:00", 1_717_200_000),
        ("2024-06-01T00:00:00-00:00", 1_717_200_000),
        ("2024-06-01T23:59:00+23:59", 1_717_200_000),
        ("2024-06-01T01:00:00.5+01:00", 1_717_200_000),
        ("2024-01-01T00:00:00+01:00", 1_704_063_600),
        // a leap second counts as the second before it
        ("2016-12-31T23:59:60Z", 1_483_228_799),
    ] as [(String, Int64)])
    func parses(_ text: String, _ seconds: Int64) {
        #expect(Timestamp.parse(text) == seconds)
    }

    @Test(arguments: [
        "", "2024-06-01", "2024-06-01T00:00:00", "2024-06-01T00:00:00+0100", "2024-06-01T00:00:00+01",
        "2024-06-01T00:00:00+1:00", "2024-06-01T00:00:00+01:0", "2024-06-01T00:00:00+24:00", "2024-06-01T00:00:00+01:60",
        "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z", "2024-01-32T00:00:00Z",
        "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2024-02-30T00:00:00Z",
        "2024-04-31T00:00:00Z", "2024-06-31T00:00:00Z", "2024-09-31T00:00:00Z", "2024-11-31T00:00:00Z",
        "2024-06-01T24:00:00Z", "2024-06-01T23:60:00Z", "2024-06-01T23:59:61Z", "2024-06-01T00:00:00.Z",
        "2024-06-01T00:00:00,5Z", "2024-06-01T00:00:00ZZ", "2024-06-01T00:00:00Z ", " 2024-06-01T00:00:00Z",
        "2024/06/01T00:00:00Z", "2024-6-01T00:00:00Z", "abcd-06-01T00:00:00Z", "2024-06-01X00:00:00Z",
        "2024-06-01T00-00-00Z", "2024-06-01T00:00:00UTC", "2024-06-01T00:00:00GMT", "+2024-06-01T00:00:00Z",
        "２０２４-06-01T00:00:00Z", "2024-06-01T00:00:00\u{0}Z", "2024-06-01T00:00:00.1.2Z", "1717200000",
        "Sat, 01 Jun 2024 00:00:00 GMT", "2024-06-01T00:00:00+01:00Z",
    ])
    func refuses(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test(arguments: [
        (0, "1970-01-01T00:00:00Z"), (-1, "1969-12-31T23:59:59Z"), (-86_400, "1969-12-31T00:00:00Z"),
        (951_782_400, "2000-02-29T00:00:00Z"), (1_709_208_000, "2024-02-29T12:00:00Z"),
        (1_717_221_600, "2024-06-01T06:00:00Z"), (4_102_444_799, "2099-12-31T23:59:59Z"),
        (253_402_300_799, "9999-12-31T23:59:59Z"), (-62_135_596_800, "0001-01-01T00:00:00Z"),
        (2_147_483_648, "2038-01-19T03:14:08Z"),
    ] as [(Int64, String)])
    func formats(_ seconds: Int64, _ text: String) {
        #expect(Timestamp.format(seconds) == text)
        #expect(Timestamp.parse(text) == seconds)
    }

    /// Walks every day from 1896 to 2104 with an independent calendar and checks both directions.
    @Test func everyDayRoundTrips() {
        func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var expected: Int64 = -2_335_219_200   // 1896-01-01T00:00:00Z
        var days = 0
        for year in 1896...2104 {
            for month in 1...12 {
                let count = month == 2 && isLeap(year) ? 29 : lengths[month - 1]
                for day in 1...count {
                    let text = "\(year)-\(two(month))-\(two(day))T00:00:00Z"
                    if Timestamp.parse(text) != expected || Timestamp.format(expected) != text {
                        Issue.record("\(text) ↔ \(expected): parse \(String(describing: Timestamp.parse(text))), format \(Timestamp.format(expected))")
                        return
                    }
                    expected += 86_400
                    days += 1
                }
                // the day after the last one of the month does not exist
                #expect(Timestamp.parse("\(year)-\(two(month))-\(two(count + 1))T00:00:00Z") == nil)
            }
        }
        #expect(days == 76_336)
    }

    @Test(arguments: [Int64(-1), 1, 59, 3_599, 86_399, 86_401, 1_717_221_599, 1_000_000_007, -1_000_000_007])
    func secondsRoundTrip(_ seconds: Int64) {
        #expect(Timestamp.parse(Timestamp.format(seconds)) == seconds)
    }
}
