/// What a pcapng file says about where it was taken, which libpcap does not hand on: the first section
/// header's `shb_hardware`, `shb_os` and `shb_userappl`, and each interface's link type, `if_name`,
/// `if_description` and `if_os` (pcapng, draft-ietf-opsawg-pcapng §4.1 and §4.2).
///
/// ``PcapFile`` fills it in as ``PcapngReader`` meets the blocks: the section header and the interfaces
/// before the first packet when the file is opened, later interfaces as they come. A classic pcap has
/// an empty value.
public struct PcapngMetadata: Sendable, Equatable {
    /// One interface of the file: an interface description block (interfaces of later sections that
    /// repeat an earlier one's name and link type are that interface again).
    public struct Interface: Sendable, Equatable {
        /// The link type as libpcap numbers it (`LINKTYPE_RAW`, 101, is `DLT_RAW`).
        public var linkType: LinkType
        public var name: String?
        public var description: String?
        public var os: String?

        public init(linkType: LinkType, name: String? = nil, description: String? = nil, os: String? = nil) {
            self.linkType = linkType
            self.name = name
            self.description = description
            self.os = os
        }

        /// `if_name` when it can be a Linux interface's name: not empty, not a Windows device path
        /// (`\\Device\\NPF_{…}`), not `any` (every interface at once).
        public var linuxName: String? {
            guard let name, !name.isEmpty, !name.contains("\\"), name != "any" else { return nil }
            return name
        }

        /// The name of the device that the file's interface `number` becomes in a host of several
        /// interfaces: ``linuxName``, else `pcapng` and the number.
        public func deviceName(number: Int) -> String { linuxName ?? "pcapng\(number)" }
    }

    public var hardware: String?
    public var os: String?
    public var application: String?
    /// Every interface of the file read so far, in the order ``CapturedFrame/interface`` numbers them.
    public var interfaces: [Interface] = []

    public init() {}

    /// The longest text option value kept (`if_name`, `shb_os`, …); longer values are cut there.
    static let textLimit = 256

    /// An option's value as text: UTF-8, up to a terminating NUL, at most ``textLimit`` bytes.
    static func text(_ value: ArraySlice<UInt8>) -> String {
        String(decoding: value.prefix { $0 != 0 }.prefix(textLimit), as: UTF8.self)
    }
}
