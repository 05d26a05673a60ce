/// A problem in a schedule expression, with the 0-based character offset (in Characters) of the bad field inside the expression.
package struct ScheduleSyntaxError: Error, Equatable, Sendable {
    package var message: String
    package var offset: Int
    /// Set when the problem is a word taken for a time zone that is not an IANA name (`02:00 BST`),
    /// so that the job file can suggest the zones it may mean.
    package var zoneName: String?
    package init(message: String, offset: Int, zoneName: String? = nil) {
        self.message = message
        self.offset = offset
        self.zoneName = zoneName
    }
}
