import Foundation
import SigV4
import Testing

/// Each botocore vector, step by step: a mismatch names the first step that differs.
@Suite(.timeLimit(.minutes(5))) struct SigV4VectorTests {
    @Test func vectorsLoad() throws {
        let file = try SigV4VectorFile.load()
        #expect(file.vectors.count >= 20)
        #expect(Set(file.vectors.map(\.name)).count == file.vectors.count)
        let regions = Set(file.vectors.map(\.region))
        #expect(regions.isSuperset(of: ["cn-north-1", "us-gov-west-1", "eu-west-1", "us-east-1"]))
        #expect(file.vectors.contains { $0.credentials.sessionToken != nil })
        #expect(file.vectors.contains { $0.name == "appflow-start-flow-boto3" })
    }

    @Test(arguments: SigV4VectorFile.all)
    func timestampAndScope(_ vector: SigV4Vector) {
        let timestamp = SigV4Timestamp(vector.signingDate)
        let scope = SigV4Algorithm.credentialScope(
            dateStamp: timestamp.dateStamp, region: vector.region, service: vector.service
        )
        #expect(scope == vector.expected.credentialScope)
        #expect(vector.expected.stringToSign.split(separator: "\n")[1] == Substring(timestamp.amzDate))
    }

    @Test(arguments: SigV4VectorFile.all)
    func canonicalRequest(_ vector: SigV4Vector) {
        let steps = vector.signer.steps(vector.sigV4Request, date: vector.signingDate)
        #expect(steps.canonicalRequest == vector.expected.canonicalRequest)
        #expect(steps.signedHeaders == vector.expected.signedHeaders)
    }

    @Test(arguments: SigV4VectorFile.all)
    func canonicalPartsFromPackageFunctions(_ vector: SigV4Vector) {
        // The canonical request's lines, rebuilt from the individual step functions.
        let lines = vector.expected.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(SigV4Algorithm.canonicalURI(vector.request.path) == String(lines[1]))
        #expect(SigV4Algorithm.canonicalQueryString(vector.request.query) == String(lines[2]))
        let payload = String(lines[lines.count - 1])
        if !vector.request.headers.contains(where: { $0[0].lowercased() == "x-amz-content-sha256" }) {
            #expect(SigV4Algorithm.payloadHash(vector.sigV4Request.body) == payload)
        }
    }

    @Test(arguments: SigV4VectorFile.all)
    func stringToSignFromCanonicalRequest(_ vector: SigV4Vector) {
        let amzDate = SigV4Timestamp(vector.signingDate).amzDate
        let stringToSign = SigV4Algorithm.stringToSign(
            amzDate: amzDate,
            credentialScope: vector.expected.credentialScope,
            canonicalRequest: vector.expected.canonicalRequest
        )
        #expect(stringToSign == vector.expected.stringToSign)
    }

    @Test(arguments: SigV4VectorFile.all)
    func signingKeyAndSignature(_ vector: SigV4Vector) {
        let timestamp = SigV4Timestamp(vector.signingDate)
        let key = SigV4Algorithm.signingKey(
            secretAccessKey: vector.credentials.secretAccessKey,
            dateStamp: timestamp.dateStamp, region: vector.region, service: vector.service
        )
        #expect(SigV4Algorithm.hex(key) == vector.expected.signingKeyHex)
        let signature = SigV4Algorithm.signature(signingKey: key, stringToSign: vector.expected.stringToSign)
        #expect(signature == vector.expected.signature)
    }

    @Test(arguments: SigV4VectorFile.all)
    func signerEndToEnd(_ vector: SigV4Vector) {
        let steps = vector.signer.steps(vector.sigV4Request, date: vector.signingDate)
        #expect(steps.stringToSign == vector.expected.stringToSign)
        #expect(steps.signingKeyHex == vector.expected.signingKeyHex)
        #expect(steps.signature == vector.expected.signature)
        #expect(steps.authorization == vector.expected.authorization)

        let added = vector.signer.sign(vector.sigV4Request, date: vector.signingDate)
        #expect(added.map(\.name) == vector.expected.addedHeaders.map { $0[0] })
        #expect(added.map(\.value) == vector.expected.addedHeaders.map { $0[1] })
    }
}
