import ArgumentParser

/// `parcours identifier validate TYPE VALUE…` (being written).
struct IdentifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "identifier", abstract: "Check structure identifiers.")
}
