// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Parcours",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "parcours", targets: ["parcours"]),
        .library(name: "ParcoursDSL", targets: ["ParcoursDSL"]),
        .library(name: "ParcoursEngine", targets: ["ParcoursEngine"]),
        .library(name: "ParcoursIdentifiers", targets: ["ParcoursIdentifiers"]),
    ],
    dependencies: [
        // 5.0.x: its composer keeps duplicate keys, so the checker can report each one with its position.
        .package(url: "https://github.com/jpsim/Yams", exact: "5.0.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.4.0"),
    ],
    targets: [
        // The language: YAML → model with source positions, expressions, static checks, graph export.
        .target(name: "ParcoursDSL", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Identifier checks (SIRET, SIREN, VAT, RIDET, TAHITI…): pure, used by field validation.
        .target(name: "ParcoursIdentifiers"),
        // The interpreter: a pure step function, the simulator and the scenario runner.
        .target(name: "ParcoursEngine", dependencies: ["ParcoursDSL", "ParcoursIdentifiers"]),
        // The durable runtime: PostgreSQL (migrations, tenants, instances, tasks, timers, outbox), the workers,
        // the embedded development database and notification delivery.
        .target(
            name: "ParcoursRuntime",
            dependencies: [
                "ParcoursEngine",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The signup domain on the runtime: the structure directory, accounts, structures, attachments, activation,
        // passwords, sessions, captcha — the actions the catalogue of workflows/ names.
        .target(
            name: "ParcoursDomain",
            dependencies: [
                "ParcoursRuntime", "ParcoursIdentifiers",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // What tests share: a throwaway PostgreSQL cluster per test process and migrated template databases.
        .target(
            name: "ParcoursTestSupport",
            dependencies: [
                "ParcoursRuntime",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The HTTP API under /v1 (journeys, tasks, tenant administration), health, metrics and the OpenAPI document.
        .target(
            name: "ParcoursAPI",
            dependencies: [
                "ParcoursRuntime", "ParcoursDomain",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            // The served document is docs/openapi.yaml (Resources/openapi.yaml links to it), compiled in.
            resources: [.embedInCode("Resources/openapi.yaml")]
        ),
        // Test doubles shared by the API and CLI tests: an in-memory DomainServices (accounts, sessions, links,
        // memberships). Not part of any product: it lives under Tests/.
        .target(
            name: "ParcoursAPITestSupport",
            dependencies: [
                "ParcoursAPI", "ParcoursDomain", "ParcoursRuntime", "ParcoursTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ParcoursAPITestSupport"
        ),
        .executableTarget(
            name: "parcours",
            dependencies: [
                "ParcoursDSL", "ParcoursEngine", "ParcoursIdentifiers", "ParcoursRuntime", "ParcoursDomain",
                "ParcoursAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ParcoursDSLTests", dependencies: ["ParcoursDSL"]),
        .testTarget(
            name: "ParcoursIdentifiersTests", dependencies: ["ParcoursIdentifiers"],
            // The reference verdicts are read from the source tree (see scripts/identifier-reference.py).
            exclude: ["Fixtures"]),
        .testTarget(name: "ParcoursEngineTests", dependencies: ["ParcoursEngine"]),
        .testTarget(
            name: "ParcoursRuntimeTests",
            dependencies: [
                "ParcoursRuntime", "ParcoursTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "ParcoursDomainTests",
            dependencies: [
                "ParcoursDomain", "ParcoursTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // A throwaway API server on the test double, for scripts/schemathesis.sh and Benchmarks/http-load.sh.
        .executableTarget(
            name: "parcours-test-server", dependencies: ["ParcoursAPITestSupport", "ParcoursAPI"],
            path: "Tests/ParcoursTestServer"),
        .testTarget(
            name: "ParcoursAPITests",
            dependencies: [
                "ParcoursAPI", "ParcoursTestSupport", "ParcoursDomain", "ParcoursAPITestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "ParcoursCLITests", dependencies: ["parcours", "ParcoursTestSupport", "ParcoursAPITestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
