/// Finds the region in the SPEC's order: an explicit value (`--region`, the job file), then
/// `AWS_REGION`, `AWS_DEFAULT_REGION`, then the selected profile's `region` in the config file.
package enum RegionResolver {
    package struct MissingRegion: Error, Sendable, CustomStringConvertible {
        package var description: String {
            "no AWS region: set --region, `region` in the job file, AWS_REGION, AWS_DEFAULT_REGION or `region` in the profile"
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
