// Mirrors net/bridge/br_private.h (Linux 6.1): the bridge's private state, its ports and its
// forwarding database.
// Not modeled: VLAN filtering, port states other than forwarding (STP is off, the default), FDB
// ageing, multicast snooping groups, locked and isolated ports.
import Wire

/// Models `struct net_bridge`: a bridge device's ports, in the order they were added, and its
/// forwarding database.
public final class net_bridge {
    /// The bridge device itself (`br->dev`).
    public unowned let dev: NetDevice
    /// `br->port_list`.
    public internal(set) var port_list: [net_bridge_port] = []
    /// `br->fdb_hash_tbl`: the port each learned address was last seen behind, and the bridge's
    /// own addresses (local entries, `port` nil: the bridge device, or a port's own address).
    var fdb: [MACAddress: net_bridge_fdb_entry] = [:]
    /// The most entries the model learns (memory stays bounded on a hostile capture).
    static let fdbLimit = 4096
    /// `br->dev->flags & IFF_PROMISC`: a capture on the bridge device alone (tcpdump without `-p`)
    /// puts it in promiscuous mode, and then every frame the bridge receives also goes up.
    public var promisc = false
    /// For cooked captures, which keep no destination address: the MAC address frames from each
    /// IPv4 address came from (the capture's evidence, not kernel state).
    var cookedHosts: [IPv4Address: MACAddress] = [:]

    public init(dev: NetDevice) { self.dev = dev }

    /// Adds `port` to the bridge, with a local FDB entry for its own address and one for the
    /// bridge's (`br_add_if` → `br_fdb_add_local`; `br_dev_init`'s entry for the bridge address).
    public func br_add_if(_ port: NetDevice) {
        let p = net_bridge_port(br: self, dev: port)
        port_list.append(p)
        port.br_port = p
        fdb[port.dev_addr] = net_bridge_fdb_entry(dst: p, isLocal: true)
        fdb[dev.dev_addr] = net_bridge_fdb_entry(dst: nil, isLocal: true)
    }
}

/// Models `struct net_bridge_port`: one device enslaved to a bridge (`dev->rx_handler_data`).
public final class net_bridge_port {
    public unowned let br: net_bridge
    public unowned let dev: NetDevice

    init(br: net_bridge, dev: NetDevice) {
        self.br = br
        self.dev = dev
    }
}

/// Models `struct net_bridge_fdb_entry`: where frames for one address go.
struct net_bridge_fdb_entry {
    /// The port behind which the address was learned (`dst`); nil for the bridge's own address.
    var dst: net_bridge_port?
    /// `BR_FDB_LOCAL`: the address is the bridge's or a port's own; frames for it go up the stack.
    var isLocal: Bool
}
