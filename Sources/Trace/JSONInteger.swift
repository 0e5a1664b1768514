import Foundation

/// An integer read from parsed JSON (`JSONSerialization`), exactly: a number without a fraction that
/// `Int` holds. `true`, `false`, `1500.5` and `1e300` are not integers here; Foundation's `intValue`
/// would truncate or wrap them, taking a profile's `"mtu": 1500.5` for 1500 and a sysctl of `1e30` for
/// a negative number.
public func jsonInteger(_ value: Any?) -> Int? {
    guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
    return value as? Int
}
