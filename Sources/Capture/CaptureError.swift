/// Why a capture could not be opened, filtered or read to its end.
public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libpcap could not open the file: missing, unreadable, or not a capture (libpcap's message).
    case cannotOpen(path: String, message: String)
    /// The capture's link type is not one pktpath replays.
    case unsupportedLinkType(path: String, linkType: LinkType)
    /// libpcap could not compile the filter expression (libpcap's message).
    case badFilter(expression: String, message: String)
    /// The file ended or broke inside a record; `frame` is the record that could not be read.
    case truncated(path: String, frame: Int, message: String)
    /// Writing a capture failed.
    case cannotWrite(path: String, message: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, message):
            "cannot read capture \(path): \(message)"
        case let .unsupportedLinkType(path, linkType):
            "capture \(path) has link type \(linkType.described), which pktpath does not replay: \(linkType.advice)"
        case let .badFilter(expression, message):
            "bad filter expression '\(expression)': \(message)"
        case let .truncated(path, frame, message):
            "capture \(path) is cut short at frame \(frame): \(message)"
        case let .cannotWrite(path, message):
            "cannot write capture \(path): \(message)"
        }
    }
}
