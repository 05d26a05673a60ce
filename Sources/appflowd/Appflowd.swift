import ArgumentParser

@main
struct Appflowd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appflowd",
        abstract: "Starts Amazon AppFlow flows at the times a job file names.",
        discussion: "Run `appflowd help <command>` for a command's options.",
        version: appflowdVersion,
        subcommands: [Run.self, Check.self, Next.self, Status.self, Start.self]
    )
}
