/// Finds the region in the SPEC's order: an explicit value (`--region`, the job file), then
/// `AWS_REGION`, `AWS_DEFAULT_REGION`, then the selected profile's `region` in the config file.
package enum RegionResolver {
    /// Where an explicit region is written, for messages: only places the command has.
    package enum ExplicitSource: Sendable {
        /// `appflowd start --region`.
        case option
        /// `region` in the job file, at the top or in the job.
        case jobFile
    }

    package struct MissingRegion: Error, Sendable, CustomStringConvertible {
        package var explicitSource: ExplicitSource = .option
        /// The profile whose `region` was looked for, and the config file it would be in.
        package var profile: String = "default"
        package var configPath: String?

        package var description: String {
            let explicit = explicitSource == .option ? "--region" : "`region` in the job file (at the top or in the job)"
            let place = configPath.map { " of \($0)" } ?? ""
            return "no AWS region: set \(explicit), AWS_REGION, AWS_DEFAULT_REGION or `region` in profile '\(profile)'\(place)"
        }
    }

    package static func resolve(explicit: String?, environment: [String: String], profileRegion: String?) throws -> String {
        let candidates = [explicit, environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"], profileRegion]
        for candidate in candidates {
            if let region = candidate.flatMap(nonEmpty) { return region }
        }
        throw MissingRegion()
    }
}
