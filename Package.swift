// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
/// No unsafe flags: the product's code calls nothing of `_StringProcessing` (regexes, `firstRange(of:)`;
/// POSIX/ByteSearch.swift instead), so the static linker leaves that library out without
/// `-disable-implicit-string-processing-module-import` (measured: the same size, 11,977,968 bytes, either way).
let product: [SwiftSetting] = strict

let package = Package(
    name: "with-role-creds",
    products: [
        .executable(name: "with-role-creds", targets: ["with-role-creds"]),
        .executable(name: "imds-mock", targets: ["imds-mock"]),
        .executable(name: "wrc-docs", targets: ["wrc-docs"]),
    ],
    targets: [
        .target(name: "CSystem"),
        .target(name: "COpenSSL", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        .target(name: "RoleCreds", dependencies: ["CSystem", "COpenSSL"], swiftSettings: product),
        .executableTarget(name: "with-role-creds", dependencies: ["RoleCreds"], swiftSettings: product),
        .executableTarget(name: "imds-mock", dependencies: ["RoleCreds"], swiftSettings: product),
        /// Not shipped: prints the man page and shell completions made from the option table (scripts/package).
        .executableTarget(name: "wrc-docs", dependencies: ["RoleCreds"], swiftSettings: product),
        .testTarget(name: "RoleCredsTests", dependencies: ["RoleCreds"],
                    exclude: ["SigV4Suite", "Conformance", "Golden", "botocore_sign.py"], swiftSettings: strict),
        .testTarget(name: "LauncherTests", dependencies: ["RoleCreds"], exclude: ["Fixtures"], swiftSettings: strict),
    ]
)
