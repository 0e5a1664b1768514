import Capture
import Foundation
import Replay
import Trace

/// Runs a replay on a thread of its own while the calling thread consumes its traces, so that the
/// model and the output's rendering each have a core.
///
/// The replay thread hands traces over in batches through a short queue bounded in bytes as well as in
/// batches (memory stays flat however long the capture and however large its traces; the model waits
/// when the consumer falls behind, as when the output is a pipe read slowly). Traces arrive in capture
/// order, each exactly once. When the replay fails (a broken capture), every trace made before the failure
/// is handed over first, then the error is thrown, as a replay on one thread would.
///
/// SIGINT: while the replay runs, the calling thread blocks SIGINT, so the signal reaches the replay
/// thread and interrupts a read of the capture that is waiting on standard input. The replay thread
/// also asks ``isStopRequested`` after each frame (the flag a SIGINT handler set is then read on the
/// thread the handler ran on): when it says stop, the traces made so far are handed over and ``run(_:)``
/// throws ``Stopped``.
struct ConcurrentReplay {
    /// Traces handed over at a time: enough to make the hand-over cost nothing per frame.
    static let batchSize = 256
    /// A batch is handed over early once its traces hold this many bytes (``PacketTrace/footprint``).
    static let batchBytes = 1 << 20
    /// Batches that may wait for the consumer.
    static let queuedBatches = 8
    /// Bytes of traces that may wait for the consumer (a batch larger than this still goes when the
    /// queue is empty).
    static let queuedBytes = 4 << 20

    let session: ReplaySession
    let frames: ClosedRange<Int>?
    let buffered: [CapturedFrame]
    /// Whether each trace is handed over with the captured frame it traced (output that writes the
    /// capture again); otherwise the frame is `nil`, and its bytes are not kept.
    var keepsFrames = false
    /// Asked on the replay thread after each frame; `true` ends the replay (``Stopped``).
    var isStopRequested: () -> Bool = { false }

    /// Thrown by ``run(_:)`` when ``isStopRequested`` ended the replay, after every trace made.
    struct Stopped: Error {}

    /// Replays the capture, calling `body` on the calling thread with each trace in order. When `body`
    /// throws, the replay is stopped and the error rethrown.
    func run(_ body: (PacketTrace) throws -> Void) throws -> TraceSummary {
        try run(withFrames: { trace, _ in try body(trace) })
    }

    /// ``run(_:)``, calling `body` with each trace and, when ``keepsFrames``, the frame it traced.
    func run(withFrames body: (PacketTrace, CapturedFrame?) throws -> Void) throws -> TraceSummary {
        let queue = BatchQueue(batches: Self.queuedBatches, bytes: Self.queuedBytes)
        let replay = UncheckedBox(self)
        // The model recurses through closures: give it the main thread's stack size.
        let thread = try JoinedThread(stackSize: 8 << 20) {
            var batch: [Traced] = []
            batch.reserveCapacity(Self.batchSize)
            var bytes = 0
            let outcome: Result<TraceSummary, Error>
            do {
                let r = replay.value
                outcome = .success(try r.session.run(frames: r.frames, buffered: r.buffered) { trace, frame in
                    let kept = r.keepsFrames ? frame : nil
                    bytes += trace.footprint + (kept?.bytes.capacity ?? 0)
                    batch.append(Traced(trace: consume trace, frame: kept))
                    if r.isStopRequested() { throw Stopped() }
                    if batch.count == Self.batchSize || bytes >= Self.batchBytes {
                        guard queue.put(batch, bytes: bytes) else { throw Cancelled() }
                        batch.removeAll(keepingCapacity: true)
                        bytes = 0
                    }
                })
            } catch {
                outcome = .failure(error)
            }
            if !batch.isEmpty { _ = queue.put(batch, bytes: bytes) }
            queue.finish(outcome)
        }
        // Every path out waits for the replay thread to end, so that nothing it holds outlives the run.
        defer { thread.join() }
        var sigint = sigset_t()
        sigemptyset(&sigint)
        sigaddset(&sigint, SIGINT)
        pthread_sigmask(SIG_BLOCK, &sigint, nil)
        defer { pthread_sigmask(SIG_UNBLOCK, &sigint, nil) }
        do {
            while let batch = queue.take() {
                for i in batch.indices { try body(batch[i].trace, batch[i].frame) }
            }
        } catch {
            queue.cancel()
            _ = queue.outcome()
            throw error
        }
        return try queue.outcome().get()
    }

    /// Thrown on the replay thread when the consumer has stopped taking traces.
    private struct Cancelled: Error {}
}

/// A trace on its way to the consumer, with the frame it traced when that is kept.
private struct Traced {
    var trace: PacketTrace
    var frame: CapturedFrame?
}

/// The replay's batches on their way to the consumer, each with the bytes its traces (and kept frames)
/// hold, and how the replay ended.
private final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [(traces: [Traced], bytes: Int)] = []
    private let batchCapacity: Int
    private let byteCapacity: Int
    private var bytesQueued = 0
    private var cancelled = false
    private var ending: Result<TraceSummary, Error>?

    init(batches: Int, bytes: Int) {
        batchCapacity = batches
        byteCapacity = bytes
    }

    /// Queues `batch`, whose traces hold `bytes`, waiting while the queue is full: it holds
    /// ``batchCapacity`` batches, or `bytes` more would pass ``byteCapacity`` (an empty queue takes any
    /// batch). Returns `false` when the consumer has gone.
    func put(_ batch: [Traced], bytes: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !batches.isEmpty && (batches.count >= batchCapacity || bytesQueued + bytes > byteCapacity) && !cancelled {
            condition.wait()
        }
        guard !cancelled else { return false }
        batches.append((batch, bytes))
        bytesQueued += bytes
        condition.broadcast()
        return true
    }

    /// The next batch, waiting for one; `nil` once the replay has ended and every batch was taken.
    func take() -> [Traced]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && ending == nil { condition.wait() }
        guard !batches.isEmpty else { return nil }
        let batch = batches.removeFirst()
        bytesQueued -= batch.bytes
        condition.broadcast()
        return batch.traces
    }

    /// Records how the replay ended; the replay thread's last act.
    func finish(_ outcome: Result<TraceSummary, Error>) {
        condition.lock()
        ending = outcome
        condition.broadcast()
        condition.unlock()
    }

    /// Tells the replay thread to stop and drops what it queued.
    func cancel() {
        condition.lock()
        cancelled = true
        batches.removeAll()
        bytesQueued = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the replay thread to end and returns how it ended.
    func outcome() -> Result<TraceSummary, Error> {
        condition.lock()
        defer { condition.unlock() }
        while ending == nil { condition.wait() }
        return ending!
    }
}

/// A POSIX thread that runs a closure and is joined: unlike Foundation's `Thread`, whoever started it
/// can wait until it has ended and released everything its closure held (a process that exits while a
/// detached thread is still letting go of the replay leaves that memory to LeakSanitizer's report).
private struct JoinedThread {
    /// The thread could not be started (`pthread_create`'s error number).
    struct StartError: Error, CustomStringConvertible {
        let code: Int32
        var description: String { "cannot start the replay thread: \(String(cString: strerror(code)))" }
    }

    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private let handle: pthread_t

    /// Starts `body` on a new thread with a stack of `stackSize` bytes.
    init(stackSize: Int, _ body: @escaping () -> Void) throws {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var handle = pthread_t()
        let code = pthread_create(&handle, &attributes, { context in
            guard let context else { return nil }
            Unmanaged<Body>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        guard code == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw StartError(code: code)
        }
        self.handle = handle
    }

    /// Waits for the thread to end.
    func join() {
        pthread_join(handle, nil)
    }
}

/// Hands a value that is used by one thread at a time to another thread.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
