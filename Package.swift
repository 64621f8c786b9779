// swift-tools-version: 6.0
// fsrescue: read-only integrity checker and recovery toolkit for ext2/ext3/ext4 images.
import PackageDescription

let package = Package(
    name: "fsrescue",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FSRescue", targets: ["FSRescue"]),
        .library(name: "FSRescueFixtures", targets: ["FSRescueFixtures"]),
        .executable(name: "fsrescue", targets: ["fsrescue"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C libraries at the edge: prefixed module names, never re-exported.
        .systemLibrary(
            name: "CFSRescueExt2fs",
            pkgConfig: "ext2fs",
            providers: [.apt(["libext2fs-dev", "comerr-dev"])]
        ),
        .systemLibrary(
            name: "CFSRescueBlkid",
            pkgConfig: "blkid",
            providers: [.apt(["libblkid-dev"])]
        ),
        // OpenSSL's headers only: libcrypto is loaded at the first hash (dlopen; see its shim.h).
        .systemLibrary(
            name: "CFSRescueCrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Linux calls Glibc's module leaves out (sync_file_range, syncfs), through syscall(2).
        .systemLibrary(name: "CFSRescueLinux"),
        .target(
            name: "FSRescue",
            dependencies: ["CFSRescueExt2fs", "CFSRescueBlkid", "CFSRescueCrypto", "CFSRescueLinux"]
        ),
        .target(
            name: "FSRescueFixtures",
            dependencies: ["FSRescue", "CFSRescueExt2fs"]
        ),
        .target(
            name: "FSRescueCLI",
            dependencies: [
                "FSRescue",
                "FSRescueFixtures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "fsrescue", dependencies: ["FSRescueCLI"]),
        // The README's "Using FSRescue from Swift" example, built with everything else so it keeps compiling.
        .executableTarget(name: "fsrescue-example", dependencies: ["FSRescue"], path: "Examples/Basic"),
        // The fuzz harness: replays inputs in a plain build; scripts/fuzz-smoke.sh builds it with libFuzzer.
        .systemLibrary(name: "CFSRescueFuzzer"),
        .executableTarget(name: "FSRescueFuzz", dependencies: ["FSRescue", "FSRescueFixtures", "FSRescueTestSupport", "CFSRescueFuzzer"]),
        // Helpers shared by the test targets: temporary folders, mke2fs images, hashing, running the CLI.
        .target(name: "FSRescueTestSupport", dependencies: ["FSRescue", "FSRescueFixtures"], path: "Tests/FSRescueTestSupport"),
        .testTarget(name: "FSRescueTests", dependencies: ["FSRescue", "FSRescueFixtures", "FSRescueTestSupport"]),
        .testTarget(name: "FSRescueFixturesTests", dependencies: ["FSRescueFixtures", "FSRescue", "FSRescueTestSupport"]),
        .testTarget(name: "FSRescueCLITests", dependencies: ["FSRescue", "FSRescueFixtures", "FSRescueTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
