import ParcoursRuntime
import Testing

@Suite("Database configuration")
struct DatabaseConfigurationTests {
    let bare = ["USER": "alice"]

    @Test("a full URL, percent-decoded")
    func fullURL() throws {
        let configuration = try DatabaseConfiguration.resolve(
            url: "postgres://bob:p%40ss%3Aw%2Fd@db.example.org:6543/my%20db?sslmode=require", environment: bare)
        #expect(configuration.host == "db.example.org")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "bob")
        #expect(configuration.password == "p@ss:w/d")
        #expect(configuration.database == "my db")
        #expect(configuration.tlsMode == .require)
        #expect(configuration.unixSocketPath == nil)
    }

    @Test("postgresql:// works too; defaults fill what the URL leaves out")
    func defaults() throws {
        let configuration = try DatabaseConfiguration.resolve(url: "postgresql://", environment: bare)
        #expect(configuration.host == "localhost")
        #expect(configuration.port == 5432)
        #expect(configuration.username == "alice")
        #expect(configuration.password == nil)
        #expect(configuration.database == "alice")
        #expect(configuration.tlsMode == .prefer)
    }

    @Test("an IPv6 host in brackets")
    func ipv6() throws {
        let configuration = try DatabaseConfiguration.resolve(url: "postgres://u@[::1]:5433/d", environment: bare)
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5433)
        #expect(configuration.endpoint == "[::1]:5433")
        #expect(configuration.redacted == "postgres://u@[::1]:5433/d")
    }

    @Test("a socket directory from host= or a percent-encoded host")
    func sockets() throws {
        let query = try DatabaseConfiguration.resolve(
            url: "postgres://u@/d?host=/var/run/postgresql&port=5433", environment: bare)
        #expect(query.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5433")
        #expect(query.socketDirectory == "/var/run/postgresql")
        let encoded = try DatabaseConfiguration.resolve(url: "postgres://u@%2Ftmp%2Fpg/d", environment: bare)
        #expect(encoded.unixSocketPath == "/tmp/pg/.s.PGSQL.5432")
        #expect(encoded.redacted == "postgres://u@localhost:5432/d?host=/tmp/pg")
    }

    @Test("the PG* variables, with a PGHOST socket directory")
    func environmentVariables() throws {
        let environment = [
            "USER": "alice", "PGHOST": "/run/pg/", "PGPORT": "5499", "PGUSER": "carol", "PGPASSWORD": "secret",
            "PGDATABASE": "shop", "PGSSLMODE": "disable",
        ]
        let configuration = try DatabaseConfiguration.resolve(url: nil, environment: environment)
        #expect(configuration.unixSocketPath == "/run/pg/.s.PGSQL.5499")
        #expect(configuration.username == "carol")
        #expect(configuration.password == "secret")
        #expect(configuration.database == "shop")
        #expect(configuration.tlsMode == .disable)
        #expect(configuration.redacted == "postgres://carol:***@localhost:5499/shop?host=/run/pg")
    }

    @Test("--database-url wins over DATABASE_URL, which wins over PG*; PG* fill the gaps")
    func precedence() throws {
        let environment = [
            "USER": "alice", "DATABASE_URL": "postgres://env@envhost/envdb", "PGHOST": "pghost",
            "PGPASSWORD": "fromenv",
        ]
        let explicit = try DatabaseConfiguration.resolve(url: "postgres://cli@clihost/clidb", environment: environment)
        #expect(explicit.host == "clihost")
        #expect(explicit.username == "cli")
        #expect(explicit.password == "fromenv")
        let fromEnvironment = try DatabaseConfiguration.resolve(url: "  ", environment: environment)
        #expect(fromEnvironment.host == "envhost")
        #expect(fromEnvironment.database == "envdb")
        let hostless = try DatabaseConfiguration.resolve(url: "postgres:///only-db", environment: environment)
        #expect(hostless.host == "pghost")
        #expect(hostless.username == "alice")
    }

    @Test("the URL's query may give user, password, dbname and port")
    func queryParameters() throws {
        let configuration = try DatabaseConfiguration.resolve(
            url: "postgres://h?user=u&password=a%26b&dbname=d&port=7000&application_name=x", environment: bare)
        #expect(configuration.username == "u")
        #expect(configuration.password == "a&b")
        #expect(configuration.database == "d")
        #expect(configuration.port == 7000)
    }

    @Test(
        "errors say what is wrong",
        arguments: [
            ("mysql://u@h/d", "the scheme is \"mysql\""),
            ("localhost:5432/d", "does not start with postgres://"),
            ("postgres://u@h:99999/d", "the port \"99999\" is not a number between 1 and 65535"),
            ("postgres://u@h:abc/d", "the port \"abc\""),
            ("postgres://u:%zz@h/d", "the password has an invalid percent-escape"),
            ("postgres://u@h1,h2/d", "several hosts"),
            ("postgres://u@h/d?sslmode=sometimes", "is not an sslmode"),
            ("postgres://u@h/d?frobnicate=1", "the parameter \"frobnicate\" is not supported"),
            ("postgres://u@[::1/d", "no closing ]"),
        ])
    func errors(url: String, expected: String) {
        #expect {
            try DatabaseConfiguration.resolve(url: url, environment: [:])
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("errors in PG* variables name the variable")
    func environmentErrors() {
        #expect(throws: DatabaseConfigurationError("PGPORT=x is not a port number between 1 and 65535")) {
            try DatabaseConfiguration.resolve(url: nil, environment: ["PGPORT": "x"])
        }
        #expect {
            try DatabaseConfiguration.resolve(url: nil, environment: ["PGSSLMODE": "maybe"])
        } throws: { error in
            "\(error)".hasPrefix("PGSSLMODE=maybe is not an sslmode")
        }
    }

    @Test("an error never quotes the password")
    func errorsHideThePassword() {
        #expect {
            try DatabaseConfiguration.resolve(url: "postgres://u:hunter2@h:port/d", environment: [:])
        } throws: { error in
            !"\(error)".contains("hunter2")
        }
    }

    @Test("redaction hides the password and round-trips")
    func redaction() throws {
        let configuration = try DatabaseConfiguration.resolve(
            url: "postgres://b%C3%A9a:s3cr%23t@db:5432/caf%C3%A9?sslmode=verify-full", environment: bare)
        #expect(configuration.redacted == "postgres://b%C3%A9a:***@db:5432/caf%C3%A9?sslmode=verify-full")
        #expect("\(configuration)" == configuration.redacted)
        #expect(!configuration.redacted.contains("s3cr"))
        let again = try DatabaseConfiguration.resolve(url: configuration.unredactedURL, environment: bare)
        #expect(again == configuration)
        #expect(again.username == "béa")
        #expect(again.password == "s3cr#t")
    }

    @Test("with(database:) and with(username:password:) change only those")
    func copies() throws {
        let configuration = try DatabaseConfiguration.resolve(url: "postgres://u:p@h:1/d", environment: bare)
        let other = configuration.with(database: "e").with(username: "v", password: nil)
        #expect(other.database == "e")
        #expect(other.username == "v")
        #expect(other.password == nil)
        #expect(other.host == "h")
        #expect(other.port == 1)
    }

    @Test("PostgresNIO configurations follow the endpoint and TLS mode")
    func postgresConfigurations() throws {
        let tcp = try DatabaseConfiguration.resolve(url: "postgres://u:p@h:6000/d?sslmode=disable", environment: bare)
        let client = tcp.clientConfiguration()
        #expect(client.host == "h")
        #expect(client.port == 6000)
        #expect(client.username == "u")
        #expect(client.password == "p")
        #expect(client.database == "d")
        let connection = try tcp.connectionConfiguration(connectTimeout: .seconds(2))
        #expect(connection.host == "h")
        #expect(connection.options.connectTimeout == .seconds(2))
        #expect(!connection.tls.isAllowed)
        let required = try tcp.with(database: "d").resolvingTLS(.require).connectionConfiguration()
        #expect(required.tls.isEnforced)
        let socket = try DatabaseConfiguration.resolve(url: "postgres://u@/d?host=/tmp", environment: bare)
        #expect(socket.clientConfiguration().unixSocketPath == "/tmp/.s.PGSQL.5432")
        #expect(try socket.connectionConfiguration().unixSocketPath == "/tmp/.s.PGSQL.5432")
    }
}

extension DatabaseConfiguration {
    fileprivate func resolvingTLS(_ mode: TLSMode) -> DatabaseConfiguration {
        var copy = self
        copy.tlsMode = mode
        return copy
    }
}
