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
            guard timeWaitTimers.removeValue(forKey: t) != nil else { return }
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
        guard timeWaitTimerHorizon <= time else { return [] }
        var expired: [(tuple: FourTuple, expires: Int64, armedBy: Int)] = []
        var horizon = Int64.max
        for (t, timer) in timeWaitTimers {
            guard timer.expires <= time else {
                horizon = min(horizon, timer.expires)
                continue
            }
            timeWaitTimers[t] = nil
            if sockets.tcp[t]?.state == .TCP_TIME_WAIT { expired.append((t, timer.expires, timer.armedBy)) }
        }
        timeWaitTimerHorizon = horizon
        return expired.sorted { ($0.expires, $0.armedBy) < ($1.expires, $1.armedBy) }
    }
}
