import ArgumentParser

/// The `parcours` command: designer tools, runtime processes and the managers' CLI.
@main
struct Parcours: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parcours",
        abstract: "A multi-tenant workflow engine: YAML state graphs run durably on PostgreSQL.",
        subcommands: [
            ValidateCommand.self,
            GraphCommand.self,
            SimulateCommand.self,
            TestCommand.self,
            IdentifierCommand.self,
            MigrateCommand.self,
            TenantCommand.self,
            DeployCommand.self,
            AccountCommand.self,
            ServeCommand.self,
            DevCommand.self,
            BenchCommand.self,
            DirectoryCommand.self,
            LoginCommand.self,
            LogoutCommand.self,
            TasksCommand.self,
        ]
    )
}
