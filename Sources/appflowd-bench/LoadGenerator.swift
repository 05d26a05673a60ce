import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SigV4

/// Drives a load run against an AppFlow endpoint on this machine: opens the connections,
/// lets them warm up, counts the answers inside the measuring window, then stops them.
struct LoadGenerator {
    struct Settings {
        var host: String
        var port: Int
        var flow: String
        var connections: Int
        var threads: Int
        var warmup: Duration
        var duration: Duration
        var credentials: SigV4Credentials
        var region: String
    }

    struct Result: Encodable {
        var requests: Int
        var errors: Int
        var lostConnections: Int
        var seconds: Double
        var requestsPerSecond: Double
        var clientCPUSeconds: Double
    }

    let settings: Settings

    func run() async throws -> Result {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: settings.threads)
        let counters = LoadCounters()
        let signer = SigV4Signer(credentials: settings.credentials, region: settings.region, service: "appflow")
        let runId = UInt32.random(in: 0...UInt32.max)
        var channels: [any Channel] = []
        do {
            for index in 0..<settings.connections {
                let hostHeader = "\(settings.host):\(settings.port)"
                let flow = settings.flow
                let tokenPrefix = "bench-\(runId)-\(index)"
                let channel = try await ClientBootstrap(group: group)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            // Made on the channel's event loop: the handler is not Sendable.
                            let handler = LoadConnectionHandler(
                                signer: signer, hostHeader: hostHeader, flow: flow, tokenPrefix: tokenPrefix, counters: counters
                            )
                            try channel.pipeline.syncOperations.addHTTPClientHandlers()
                            try channel.pipeline.syncOperations.addHandler(handler)
                        }
                    }
                    .connect(host: settings.host, port: settings.port).get()
                channels.append(channel)
            }
            try await Task.sleep(for: settings.warmup)
            let startCount = counters.answered
            let startErrors = counters.failed.load(ordering: .relaxed)
            let startCPU = Self.processCPUSeconds()
            let start = ContinuousClock.now
            try await Task.sleep(for: settings.duration)
            let elapsed = ContinuousClock.now - start
            let endCount = counters.answered
            let endErrors = counters.failed.load(ordering: .relaxed)
            let endCPU = Self.processCPUSeconds()
            counters.stopping.store(true, ordering: .relaxed)
            for channel in channels { try? await channel.closeFuture.get() }
            try await group.shutdownGracefully()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let requests = endCount - startCount
            return Result(
                requests: requests, errors: endErrors - startErrors,
                lostConnections: counters.lostConnections.load(ordering: .relaxed),
                seconds: seconds, requestsPerSecond: Double(requests) / seconds,
                clientCPUSeconds: endCPU - startCPU
            )
        } catch {
            counters.stopping.store(true, ordering: .relaxed)
            for channel in channels { try? await channel.close() }
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// User plus system CPU of this process so far, in seconds.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
