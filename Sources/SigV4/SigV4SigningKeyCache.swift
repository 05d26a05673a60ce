import Crypto
import Foundation

/// Derived signing keys by (secret, date, region, service). A key is valid for a whole UTC
/// day, so caching it saves four of the five HMACs of a signature. Bounded: when full it is
/// simply emptied, which only costs one re-derivation per scope.
final class SigV4SigningKeyCache: @unchecked Sendable {
    private struct Scope: Hashable {
        var secretAccessKey: String
        var dateStamp: String
        var region: String
        var service: String
    }

    private let lock = NSLock()
    // Guarded by `lock`.
    private var keys: [Scope: SymmetricKey] = [:]
    private let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    func signingKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> SymmetricKey {
        let scope = Scope(secretAccessKey: secretAccessKey, dateStamp: dateStamp, region: region, service: service)
        if let key = lock.withLock({ keys[scope] }) { return key }
        // Derived outside the lock: two threads may both derive the same key, which is harmless.
        let key = SigV4Algorithm.signingKey(
            secretAccessKey: secretAccessKey, dateStamp: dateStamp, region: region, service: service
        )
        lock.withLock {
            if keys.count >= capacity { keys.removeAll(keepingCapacity: true) }
            keys[scope] = key
        }
        return key
    }
}
