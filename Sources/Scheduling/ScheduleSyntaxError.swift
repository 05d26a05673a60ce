/// A problem in a schedule expression, with the 0-based character offset (in Characters) of the bad field inside the expression.
package struct ScheduleSyntaxError: Error, Equatable, Sendable {
    package var message: String
    package var offset: Int
    package init(message: String, offset: Int) { self.message = message; self.offset = offset }
}
