import Capture
import Foundation
import Replay
import Trace

/// Runs a replay on a thread of its own while the calling thread consumes its traces, so that the
/// model and the output's rendering each have a core.
///
/// The replay thread hands traces over in batches through a short bounded queue (memory stays flat
/// however long the capture; the model waits when the consumer falls behind). Traces arrive in capture
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
    /// Batches that may wait for the consumer.
    static let queuedBatches = 8

    let session: ReplaySession
    let frames: ClosedRange<Int>?
    let buffered: [CapturedFrame]
    /// Asked on the replay thread after each frame; `true` ends the replay (``Stopped``).
    var isStopRequested: () -> Bool = { false }

    /// Thrown by ``run(_:)`` when ``isStopRequested`` ended the replay, after every trace made.
    struct Stopped: Error {}

    /// Replays the capture, calling `body` on the calling thread with each trace in order. When `body`
    /// throws, the replay is stopped and the error rethrown.
    func run(_ body: (PacketTrace) throws -> Void) throws -> TraceSummary {
        let queue = BatchQueue(capacity: Self.queuedBatches)
        let replay = UncheckedBox(self)
        let thread = Thread {
            var batch: [PacketTrace] = []
            batch.reserveCapacity(Self.batchSize)
            let outcome: Result<TraceSummary, Error>
            do {
                let r = replay.value
                outcome = .success(try r.session.run(frames: r.frames, buffered: r.buffered) { trace in
                    batch.append(consume trace)
                    if r.isStopRequested() { throw Stopped() }
                    if batch.count == Self.batchSize {
                        guard queue.put(batch) else { throw Cancelled() }
                        batch.removeAll(keepingCapacity: true)
                    }
                })
            } catch {
                outcome = .failure(error)
            }
            if !batch.isEmpty { _ = queue.put(batch) }
            queue.finish(outcome)
        }
        // The model recurses through closures: give it the main thread's stack size.
        thread.stackSize = 8 << 20
        var sigint = sigset_t()
        sigemptyset(&sigint)
        sigaddset(&sigint, SIGINT)
        thread.start()
        pthread_sigmask(SIG_BLOCK, &sigint, nil)
        defer { pthread_sigmask(SIG_UNBLOCK, &sigint, nil) }
        do {
            while let batch = queue.take() {
                for i in batch.indices { try body(batch[i]) }
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

/// The replay's batches on their way to the consumer, and how the replay ended.
private final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [[PacketTrace]] = []
    private let capacity: Int
    private var cancelled = false
    private var ending: Result<TraceSummary, Error>?

    init(capacity: Int) { self.capacity = capacity }

    /// Queues `batch`, waiting while the queue is full. Returns `false` when the consumer has gone.
    func put(_ batch: [PacketTrace]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    /// The next batch, waiting for one; `nil` once the replay has ended and every batch was taken.
    func take() -> [PacketTrace]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && ending == nil { condition.wait() }
        guard !batches.isEmpty else { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
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

/// Hands a value that is used by one thread at a time to another thread.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
