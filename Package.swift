// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "appflowd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "appflowd", targets: ["appflowd"]),
        .executable(name: "appflow-emulator", targets: ["appflow-emulator"]),
        .executable(name: "appflowd-bench", targets: ["appflowd-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Pure: schedules, slots, client tokens and jitter. No I/O, no clock.
        .target(
            name: "Scheduling",
            dependencies: ["Primitives", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // TOML job file -> validated jobs, with line:column diagnostics.
        .target(
            name: "JobFile",
            dependencies: ["Scheduling", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: swiftSettings
        ),
        // What every module shares: civil dates, the JSON writer and the EINTR-safe write loop.
        .target(name: "Primitives", swiftSettings: swiftSettings),
        // AWS Signature Version 4, on swift-crypto only.
        .target(
            name: "SigV4",
            dependencies: ["Primitives", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The AppFlow client: HTTP, credentials, endpoints, errors, retry decisions.
        .target(
            name: "AppFlow",
            dependencies: [
                "SigV4", "Scheduling",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A local AppFlow endpoint for the demo, the tests and the benchmarks.
        .target(
            name: "AppFlowEmulator",
            dependencies: [
                "SigV4", "Primitives",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // libsystemd: sd_notify and the journal.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // systemd notification and journald logging, wrapping CSystemd.
        .target(
            name: "Systemd",
            dependencies: ["CSystemd", "Primitives", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // The crash-safe record of what was sent and what came back, in the state directory.
        .target(
            name: "Ledger",
            dependencies: ["Primitives"],
            swiftSettings: swiftSettings
        ),
        // The scheduler as one pure state machine: planner, admission, slots, reload, stop.
        // No clock, no I/O, no NIO.
        .target(
            name: "Scheduler",
            dependencies: [
                "JobFile", "Scheduling", "Ledger",
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // What `appflowd next` and `appflowd status` print: the reports, their tables and JSON,
        // zone abbreviations. Pure but for reading the tz database's files.
        .target(
            name: "Reports",
            dependencies: ["JobFile", "Scheduling", "Scheduler", "Ledger", "Primitives"],
            swiftSettings: swiftSettings
        ),
        // The daemon's metrics: swift-metrics on a Prometheus registry, the observation of the
        // scheduler's MetricEvents, the node_exporter textfile, and the hardened listener for
        // /metrics (connection cap, timeouts, one request read ahead, a size limit) within a
        // descriptor budget. (`Metrics` is swift-metrics' target name, so this one is not.)
        .target(
            name: "MetricsExport",
            dependencies: [
                "Scheduler", "AppFlow", "JobFile", "Primitives",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The daemon: the executor of the scheduler's actions, clients, metrics.
        .target(
            name: "Daemon",
            dependencies: [
                "AppFlow", "JobFile", "Scheduling", "Scheduler", "Ledger", "Systemd", "MetricsExport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "appflowd",
            dependencies: [
                "AppFlow", "JobFile", "Scheduling", "Scheduler", "Daemon", "Ledger", "Reports", "Systemd", "Primitives", "MetricsExport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "appflow-emulator",
            dependencies: [
                "AppFlowEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Load generator for the benchmarks (scripts/bench): signed StartFlow over keep-alive.
        .executableTarget(
            name: "appflowd-bench",
            dependencies: [
                "SigV4",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Helpers shared by the test targets: awaited subprocesses, a NOTIFY_SOCKET, scraping,
        // polling, seeded randomness. Never blocks a thread of the cooperative pool.
        .target(name: "TestSupport", dependencies: ["Daemon"], path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "JobFileTests", dependencies: ["JobFile", "Scheduling", "TestSupport"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "SigV4Tests", dependencies: ["SigV4"], resources: [.copy("Vectors")], swiftSettings: swiftSettings),
        .testTarget(name: "AppFlowTests", dependencies: [
            "AppFlow", "SigV4", "AppFlowEmulator", "Daemon", "JobFile", "Scheduler", "Scheduling",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swiftSettings),
        .testTarget(name: "AppFlowEmulatorTests", dependencies: ["AppFlowEmulator", "AppFlow", "SigV4"], swiftSettings: swiftSettings),
        .testTarget(name: "EndToEndTests", dependencies: ["AppFlowEmulator", "Scheduling", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SystemdTests", dependencies: ["Systemd", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "JobFile", "Scheduling", "Ledger"], swiftSettings: swiftSettings),
        .testTarget(name: "MetricsExportTests", dependencies: [
            "MetricsExport", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: swiftSettings),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "JobFile", "Scheduling", "Scheduler", "Ledger", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "MetricsExport", "Scheduler", "AppFlow", "JobFile", "Scheduling", "Ledger", "TestSupport"], swiftSettings: swiftSettings),
    ]
)
