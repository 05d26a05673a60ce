/// The AWS regions known to this version, to warn about a `region` that is none of them
/// (`frankfurt`, `eu-west1`): AWS opens regions over time, so an unknown name is a warning,
/// never an error.
enum AWSRegions {
    static let known: Set<String> = [
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "cn-north-1",
        "cn-northwest-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1",
        "eu-west-2", "eu-west-3", "eusc-de-east-1", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
        "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-iso-east-1", "us-iso-west-1",
        "us-isob-east-1", "us-isof-east-1", "us-isof-south-1", "eu-isoe-west-1", "us-west-1", "us-west-2",
    ]

    /// Nil for a known region; else the warning, with the closest known name when one is close.
    static func warning(for region: String) -> String? {
        guard !known.contains(region) else { return nil }
        let hint = KeySuggestion.closest(to: region, in: known.sorted()).map { "; did you mean \"\($0)\"?" }
            ?? " (AWS regions are named like \"eu-central-1\", not after cities)"
        return "'\(region)' is not a known AWS region\(hint)"
    }
}
