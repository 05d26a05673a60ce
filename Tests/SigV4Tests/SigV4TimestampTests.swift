import Foundation
import SigV4
import Testing

@Suite(.timeLimit(.minutes(5))) struct SigV4TimestampTests {
    @Test(arguments: [
        (0.0, "19700101T000000Z"),
        (951_782_400, "20000229T000000Z"),
        (1_709_251_199.999, "20240229T235959Z"),
        (2_147_483_648, "20380119T031408Z"),
        (4_102_444_800, "21000101T000000Z"),
        (-1, "19691231T235959Z"),
    ])
    func formatsAndParses(_ seconds: Double, _ text: String) throws {
        let timestamp = SigV4Timestamp(Date(timeIntervalSince1970: seconds))
        #expect(timestamp.amzDate == text)
        let parsed = try #require(SigV4Timestamp(amzDate: text))
        #expect(parsed.epochSeconds == Int64(seconds.rounded(.down)))
    }

    @Test(arguments: ["", "20240229T235959", "20240230T000000Z", "20230229T000000Z", "2024-02-29T23:59:59Z",
                      "20241301T000000Z", "20240101T240000Z", "20240101t000000Z", "2024010１T000000Z"])
    func rejectsMalformed(_ text: String) {
        #expect(SigV4Timestamp(amzDate: text) == nil)
    }
}
