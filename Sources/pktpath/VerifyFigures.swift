import Foundation

/// The figures of a `pktpath verify --format json` report (`pktpath-verify/1`, docs/verify.md) that the
/// HTML report shows: the kernel and model, the agreement per aspect, and the frames that part.
enum VerifyFigures {
    /// The report at `path` condensed to one JSON object:
    /// `{"release","kernel","replayed","not_replayed","agreement":{…},"parting":[{"frame","summary","parting","model","kernel"}]}`.
    /// `capture` is the capture being traced; a report of another capture is refused.
    static func condensed(path: String, capture: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError("cannot read \(path)") }
        var header: [String: Any]?
        var summary: [String: Any]?
        var parting: [[String: Any]] = []
        for (i, raw) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            guard let o = (try? JSONSerialization.jsonObject(with: Data(raw))) as? [String: Any] else {
                throw InputError("\(path): line \(i + 1): not JSON (pktpath verify --format json writes the report)")
            }
            switch o["type"] as? String {
            case "header" where o["schema"] as? String == "pktpath-verify/1": header = o
            case "frame" where o["agrees"] as? Bool == false:
                let model = o["model"] as? [String: Any] ?? [:]
                let kernel = o["kernel"] as? [String: Any] ?? [:]
                parting.append(["frame": o["frame"] ?? 0, "summary": o["summary"] ?? "", "parting": o["parting"] ?? [],
                                "model": describe(model["verdict"], model["drop_reason"], model["drop_function"]),
                                "kernel": describe(kernel["fate"], kernel["drop_reason"], kernel["function"])])
            case "summary": summary = o
            default: break
            }
        }
        guard let header else { throw InputError("\(path): not a pktpath verify report (pktpath verify --format json writes one)") }
        guard let summary else { throw InputError("\(path): the verify report has no summary line (cut short?)") }
        let name = { (p: String) in p.split(separator: "/").last.map(String.init) ?? p }
        if let theirs = header["capture"] as? String, name(theirs) != name(capture) {
            throw InputError("\(path) verifies \(theirs), not \(capture)")
        }
        let figures: [String: Any] = [
            "release": header["release"] ?? "", "kernel": header["kernel"] ?? "", "replayed": summary["replayed"] ?? 0,
            "not_replayed": summary["not_replayed"] ?? 0, "agreement": summary["agreement"] ?? [:], "parting": parting,
        ]
        let json = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        return String(decoding: json, as: UTF8.self)
    }

    /// `drop SKB_DROP_REASON_X in f`, or the verdict or fate alone.
    private static func describe(_ what: Any?, _ reason: Any?, _ function: Any?) -> String {
        var text = what as? String ?? "?"
        if let reason = reason as? String { text += " " + reason }
        if let function = function as? String { text += " in " + function }
        return text
    }
}
