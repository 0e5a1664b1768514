// Mirrors net/ipv4/inet_timewait_sock.c (Linux 6.1; 4.14.177 and 6.12 where they differ): the end of a
// time-wait socket, when its timer (armed for TCP_TIMEWAIT_LEN, 60 seconds, as the connection entered
// TIME_WAIT) expires. 4.14 counts `TcpExtTW` here (tw_timer_handler); 6.1 and 6.12 count it when they
// arm the timer (`__inet_twsk_schedule`, see `setState`).
// A connect that takes over the four-tuple ends it early (`inet_twsk_deschedule_put`).
// Not modeled: the hash dance that makes the time-wait socket (`__inet_twsk_hashdance`), the early end
// of a RST or a new SYN from the peer (the model removes the socket without the timer's functions),
// `TcpExtTWKilled` (6.1 and 6.12: a timeout of 4 s or less; the model's is 60 s).
import Trace

/// Functions modeled from `net/ipv4/inet_timewait_sock.c`.
public enum inet_timewait_sock: String, KernelSourceFile {
    public static let path = "net/ipv4/inet_timewait_sock.c"
    case inet_twsk_kill, inet_twsk_deschedule_put, tw_timer_handler
}

extension Kernel {
    /// How long a connection stays in TIME_WAIT (`TCP_TIMEWAIT_LEN`, include/net/tcp.h): 60 seconds.
    static let TCP_TIMEWAIT_LEN: Int64 = 60_000_000_000

    /// Unhashes the time-wait socket of `t`: later segments of that four-tuple find no socket, or the
    /// connection that took the four-tuple over.
    func inet_twsk_kill(_ t: FourTuple) {
        traced(inet_timewait_sock.inet_twsk_kill) {
            if sockets.tcp[t]?.state == .TCP_TIME_WAIT { sockets.removeConnection(t) }
            tracer.state("time-wait socket \(t) removed")
        }
    }

    /// Ends the time-wait socket of `t` before its timer: the timer is stopped, so `tw_timer_handler` (and
    /// 4.14's `TcpExtTW` there) never runs, and the socket is unhashed.
    func inet_twsk_deschedule_put(_ t: FourTuple) {
        traced(inet_timewait_sock.inet_twsk_deschedule_put) {
            guard timeWaitTimers.stop(t) else { return }
            inet_twsk_kill(t)
        }
    }

    /// The time-wait timer of `t`: the connection's TIME_WAIT is over. 4.14 counts `TcpExtTW` here.
    func tw_timer_handler(_ t: FourTuple) {
        traced(inet_timewait_sock.tw_timer_handler) {
            if profile.version < .v6_1 { count("TcpExtTW") }
            inet_twsk_kill(t)
        }
    }

    /// The time-wait timers expired by `time` whose sockets are still in TIME_WAIT, in expiry order
    /// (a socket that left TIME_WAIT early took its timer with it).
    func expiredTimeWaitTimers(by time: Int64) -> [(tuple: FourTuple, expires: Int64, armedBy: Int)] {
        timeWaitTimers.expired(by: time).filter { sockets.tcp[$0.tuple]?.state == .TCP_TIME_WAIT }
    }
}

/// The time-wait timers (`tw_timer` of each time-wait socket): when each expires, and the frame that armed it.
///
/// Every timer runs `TCP_TIMEWAIT_LEN` from the model's clock, which never goes back, so the order they
/// were armed in is their expiry order (and, within one expiry time, the order of the frames that armed
/// them): expiry takes them from the front of a queue. A scan of every timer, copying the table as it
/// removed from it, cost a time-wait socket's worth of work per live one, on every frame after the first
/// expired: on a server's capture of many short connections, most of the replay once a minute had passed.
struct TimeWaitTimers {
    struct Timer: Equatable {
        var expires: Int64
        var armedBy: Int
    }

    /// The live timer of each connection.
    private var live = HashTable<FourTuple, Timer>()
    /// Timers in the order they were armed, from `head` on. An entry whose connection's timer was stopped
    /// or armed again since is passed over; they are dropped once they outnumber the live timers.
    private var queue: [(tuple: FourTuple, timer: Timer)] = []
    private var head = 0

    /// Timers running.
    var count: Int { live.count }
    /// Entries the queue holds, live or passed over: about twice the timers running at most.
    var queued: Int { queue.count - head }
    /// No timer expires before this time (capture clock).
    var horizon: Int64 { head < queue.count ? queue[head].timer.expires : .max }

    /// Arms `t`'s timer (again, if it runs already).
    mutating func arm(_ t: FourTuple, expires: Int64, armedBy: Int) {
        let timer = Timer(expires: expires, armedBy: armedBy)
        live[t] = timer
        queue.append((t, timer))
        if queue.count - head > 2 * live.count + 64 {
            queue = queue[head...].filter { live[$0.tuple] == $0.timer }
            head = 0
        }
    }

    /// Stops `t`'s timer; false if none ran.
    mutating func stop(_ t: FourTuple) -> Bool { live.removeValue(forKey: t) != nil }

    /// Removes the timers expired by `time` and returns them, in expiry order.
    mutating func expired(by time: Int64) -> [(tuple: FourTuple, expires: Int64, armedBy: Int)] {
        var out: [(tuple: FourTuple, expires: Int64, armedBy: Int)] = []
        while head < queue.count, queue[head].timer.expires <= time {
            let (t, timer) = queue[head]
            head += 1
            if live[t] == timer {
                live.removeValue(forKey: t)
                out.append((t, timer.expires, timer.armedBy))
            }
        }
        if head > 4096, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return out
    }
}
