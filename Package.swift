// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "with-role-creds",
    products: [
        .executable(name: "with-role-creds", targets: ["with-role-creds"]),
        .executable(name: "imds-mock", targets: ["imds-mock"]),
    ],
    targets: [
        .target(name: "CSystem"),
        .target(name: "COpenSSL", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        .target(name: "RoleCreds", dependencies: ["CSystem", "COpenSSL"], swiftSettings: strict),
        .executableTarget(name: "with-role-creds", dependencies: ["RoleCreds"], swiftSettings: strict),
        .executableTarget(name: "imds-mock", dependencies: ["RoleCreds"], swiftSettings: strict),
        .testTarget(name: "RoleCredsTests", dependencies: ["RoleCreds"],
                    exclude: ["SigV4Suite", "botocore_sign.py"], swiftSettings: strict),
        .testTarget(name: "LauncherTests", dependencies: ["RoleCreds"], exclude: ["Fixtures"], swiftSettings: strict),
    ]
)
