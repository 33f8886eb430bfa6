import Crypto
import Foundation
import Logging
import ParcoursDSL
import ParcoursEngine
import PostgresNIO

/// One deployed process after a deployment.
public struct DeployedProcess: Sendable, Hashable {
    public var process: String
    public var version: Int
    /// False when the content was already deployed: no new version was made.
    public var created: Bool
}

public struct DeployResult: Sendable {
    public var processes: [DeployedProcess]
    /// Processes whose tenant settings were replaced by a `tenant:` file of this tenant.
    public var settingsApplied: [String]
    public var warnings: [Diagnostic]
}

extension Runtime {
    /// Checks definitions (the same checks as `parcours validate`, against the runtime's catalogue and the tenant's
    /// deployed processes), then stores each one whose content changed as a new version. Tenant files naming this
    /// tenant replace its settings overrides; scenarios are ignored. Nothing is stored when any check fails.
    public func deploy(tenant: String, sources: [(file: String, text: String)]) async throws -> DeployResult {
        let deployed = try await latestSources(tenant: tenant)
        var workspace = Workspace()
        workspace.catalog = catalog
        workspace.hasCatalog = true
        let newFiles = Set(sources.map(\.file))
        for (file, text) in deployed where !newFiles.contains(file) {
            workspace.add(source: text, file: file, reference: true)
        }
        // The runtime's own catalogue is authoritative: catalogues among the sources are not deployed.
        for (file, text) in sources where !["actions", "assignees"].contains(Workspace.documentKind(of: text) ?? "") {
            workspace.add(source: text, file: file)
        }
        // A deployed process that a new file redefines is replaced, not a duplicate.
        let redefined = Set(workspace.definitions.map(\.name.value))
        workspace.referenceDefinitions.removeAll { redefined.contains($0.name.value) }
        let diagnostics = Checker.check(workspace)
        if diagnostics.hasErrors {
            throw RuntimeError(
                .invalidDefinition,
                "the definitions have errors (\(diagnostics.filter { $0.severity == .error }.count))",
                diagnostics: diagnostics)
        }
        let definitions = workspace.definitions
        let settings = workspace.tenants.filter { $0.name.value == tenant }
        return try await inTenant(tenant) { connection in
            guard try await self.exists(tenant: tenant, on: connection) else {
                throw RuntimeError(.notFound, "tenant '\(tenant)' does not exist")
            }
            var processes: [DeployedProcess] = []
            for definition in definitions {
                let sha = SHA256.hash(data: Data(definition.source.utf8)).map { String(format: "%02x", $0) }.joined()
                var latest: (Int, String)?
                let rows = try await connection.query(
                    """
                    SELECT version, sha256 FROM definitions WHERE process = \(definition.name.value)
                    ORDER BY version DESC LIMIT 1
                    """, logger: self.logger)
                for try await row in rows.decode((Int, String).self) { latest = row }
                if let latest, latest.1 == sha {
                    processes.append(DeployedProcess(process: definition.name.value, version: latest.0, created: false))
                    continue
                }
                let version = (latest?.0 ?? 0) + 1
                try await connection.run(
                    """
                    INSERT INTO definitions (tenant_id, process, version, source, sha256, file)
                    VALUES (\(tenant), \(definition.name.value), \(version), \(definition.source), \(sha), \(definition.file))
                    """, logger: self.logger)
                processes.append(DeployedProcess(process: definition.name.value, version: version, created: true))
            }
            var applied: [String] = []
            for configuration in settings {
                for (process, values) in configuration.settings {
                    let json = Value.object(values.mapValues(\.value)).storageJSON
                    try await connection.run(
                        """
                        INSERT INTO tenant_settings (tenant_id, process, settings) VALUES (\(tenant), \(process), \(json)::jsonb)
                        ON CONFLICT (tenant_id, process) DO UPDATE SET settings = excluded.settings, updated_at = now()
                        """, logger: self.logger)
                    applied.append(process)
                }
            }
            return DeployResult(processes: processes, settingsApplied: applied.sorted(), warnings: diagnostics)
        }
    }

    /// The latest deployed version of every process of a tenant: (file, source).
    func latestSources(tenant: String) async throws -> [(String, String)] {
        try await inTenant(tenant) { connection in
            let rows = try await connection.query(
                """
                SELECT DISTINCT ON (process) file, source FROM definitions ORDER BY process, version DESC
                """, logger: self.logger)
            var result: [(String, String)] = []
            for try await row in rows.decode((String, String).self) { result.append(row) }
            return result
        }
    }

    /// The versions deployed for a tenant: process → versions, newest first.
    public func versions(tenant: String) async throws -> [DeployedVersion] {
        try await inTenant(tenant) { connection in
            let rows = try await connection.query(
                "SELECT process, version, sha256, deployed_at FROM definitions ORDER BY process, version DESC",
                logger: self.logger)
            var result: [DeployedVersion] = []
            for try await (process, version, sha, at) in rows.decode((String, Int, String, Date).self) {
                result.append(DeployedVersion(process: process, version: version, sha256: sha, deployedAt: at))
            }
            return result
        }
    }

    func exists(tenant: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM tenants WHERE tenant_id = \(tenant)", logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    /// A deployed definition, parsed once and cached; `version` nil means the latest.
    func definition(tenant: String, process: String, version: Int?, on connection: PostgresConnection) async throws
        -> (ProcessDefinition, Int)
    {
        let (entry, found) = try await cachedDefinition(
            tenant: tenant, process: process, version: version, on: connection)
        return (entry.definition, found)
    }

    /// A deployed definition's cache entry (parsing and keeping it on first use); `version` nil means the latest.
    func cachedDefinition(tenant: String, process: String, version: Int?, on connection: PostgresConnection)
        async throws -> (DefinitionCache.Entry, Int)
    {
        if let version, let cached = definitions.get(.init(tenant: tenant, process: process, version: version)) {
            return (cached, version)
        }
        let rows =
            if let version {
                try await connection.query(
                    "SELECT version, source, file FROM definitions WHERE process = \(process) AND version = \(version)",
                    logger: logger)
            } else {
                try await connection.query(
                    """
                    SELECT version, source, file FROM definitions WHERE process = \(process)
                    ORDER BY version DESC LIMIT 1
                    """, logger: logger)
            }
        for try await (found, source, file) in rows.decode((Int, String, String).self) {
            if let cached = definitions.get(.init(tenant: tenant, process: process, version: found)) {
                return (cached, found)
            }
            var workspace = Workspace()
            workspace.add(source: source, file: file)
            guard let definition = workspace.definitions.first else {
                throw RuntimeError(.notFound, "the stored definition of '\(process)' cannot be read")
            }
            return (definitions.put(.init(tenant: tenant, process: process, version: found), definition), found)
        }
        throw RuntimeError(.notFound, "process '\(process)' is not deployed for tenant '\(tenant)'")
    }

    /// The tenant's overrides of a process's settings.
    func tenantSettings(process: String, on connection: PostgresConnection) async throws -> [String: Value] {
        let rows = try await connection.query(
            "SELECT settings::text FROM tenant_settings WHERE process = \(process)", logger: logger)
        for try await (json) in rows.decode(String.self) {
            return (try Value(storageJSON: json)).objectValue ?? [:]
        }
        return [:]
    }
}

/// A stored version of a process.
public struct DeployedVersion: Sendable, Hashable {
    public var process: String
    public var version: Int
    public var sha256: String
    public var deployedAt: Date
}
