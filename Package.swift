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
    ],
    targets: [
        // The language: YAML → model with source positions, expressions, static checks, graph export.
        .target(name: "ParcoursDSL", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Identifier checks (SIRET, SIREN, VAT, RIDET, TAHITI…): pure, used by field validation.
        .target(name: "ParcoursIdentifiers"),
        // The interpreter: a pure step function, the simulator and the scenario runner.
        .target(name: "ParcoursEngine", dependencies: ["ParcoursDSL", "ParcoursIdentifiers"]),
        .executableTarget(
            name: "parcours",
            dependencies: [
                "ParcoursDSL", "ParcoursEngine", "ParcoursIdentifiers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ParcoursDSLTests", dependencies: ["ParcoursDSL"]),
        .testTarget(
            name: "ParcoursIdentifiersTests", dependencies: ["ParcoursIdentifiers"],
            // The reference verdicts are read from the source tree (see scripts/identifier-reference.py).
            exclude: ["Fixtures"]),
        .testTarget(name: "ParcoursEngineTests", dependencies: ["ParcoursEngine"]),
        .testTarget(name: "ParcoursCLITests", dependencies: ["parcours"]),
    ],
    swiftLanguageModes: [.v6]
)
