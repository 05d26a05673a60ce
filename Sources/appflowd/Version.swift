/// The version of appflowd, written here and nowhere else: `appflowd --version` prints it, and
/// `scripts/version` reads it for the .deb, the .rpm, the image and the changelog check.
let appflowdVersion = "0.1.0"
