// Mirrors include/linux/if_vlan.h (Linux 6.1): what a VLAN device knows about itself.

/// Models `struct vlan_dev_priv` (net/8021q/vlan.h in 6.1; the real device and id also in
/// include/linux/if_vlan.h): the device a VLAN device sits on and the VLAN id it receives and
/// sends. Only 802.1Q (`ETH_P_8021Q`) VLANs are modeled.
public struct vlan_dev_priv {
    /// `real_dev`: the device below, which carries the tagged frames.
    public let real_dev: NetDevice
    /// `vlan_id`: 1 to 4094.
    public let vlan_id: UInt16

    public init(real_dev: NetDevice, vlan_id: UInt16) {
        self.real_dev = real_dev
        self.vlan_id = vlan_id
    }
}
