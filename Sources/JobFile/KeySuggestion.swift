/// "did you mean ...?" for unknown keys, by Levenshtein distance.
enum KeySuggestion {
    static func closest(to key: String, in known: [String]) -> String? {
        let lowered = key.lowercased()
        var best: (String, Int)?
        for candidate in known {
            let d = distance(Array(lowered.utf8), Array(candidate.utf8))
            if d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        guard let best, best.1 <= max(2, key.count / 3) else { return nil }
        return best.0
    }

    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Keys are short; bail out on absurd input so a huge unknown key costs nothing.
        if a.count > 64 || b.count > 64 { return Int.max / 2 }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    static func message(for key: String, known: [String], context: String) -> String {
        var message = "unknown key '\(key)'\(context)"
        if let suggestion = closest(to: key, in: known) {
            message += "; did you mean '\(suggestion)'?"
        }
        return message
    }
}
