//! Which of the client's links receive the replies of `$cbs` or `$management`. A Flow giving
//! one of them credit is left for the kernel to acknowledge (`quick_ack.rs`): the Rust SDK
//! writes its request right behind it, and an answer that comes back too soon is lost to it.

use super::{as_bool, descriptor, parse_list, split_fields};

/// Whether a client's Attach (its fields) opens a link that receives from a request node.
pub fn receives_replies(attach: &[&[u8]]) -> bool {
    let receiver = attach.get(2).and_then(|f| as_bool(f)) == Some(true);
    receiver
        && (attach.get(5).and_then(|source| address(source)))
            .is_some_and(|a| a == b"$cbs" || a.ends_with(b"$management"))
}

/// The address of a source (the first field of its described list), as bytes.
fn address(source: &[u8]) -> Option<&[u8]> {
    let (_, start) = descriptor(source)?;
    let list = parse_list(source.get(start..)?)?;
    let items_at = start + list.header_len;
    let items = source.get(items_at..items_at + list.items_len)?;
    match *split_fields(items, list.count)?.first()? {
        [0xa1 | 0xa3, _, text @ ..] => Some(text),
        [0xb1 | 0xb3, _, _, _, _, text @ ..] => Some(text),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Attach's fields: name, handle, role, the settle modes, and a source at `address`.
    fn attach(role: u8, address: &str) -> Vec<Vec<u8>> {
        let mut source = vec![0x00, 0x53, 0x28, 0xc0];
        let items = [&[0xa1, address.len() as u8][..], address.as_bytes()].concat();
        source.extend([items.len() as u8 + 1, 1]);
        source.extend(items);
        vec![
            vec![0xa1, 1, b'l'],
            vec![0x43],
            vec![role],
            vec![0x40],
            vec![0x40],
            source,
        ]
    }

    fn check(role: u8, address: &str) -> bool {
        let fields = attach(role, address);
        receives_replies(&fields.iter().map(Vec::as_slice).collect::<Vec<_>>())
    }

    #[test]
    fn receivers_from_cbs_and_management_receive_replies_and_nothing_else_does() {
        assert!(check(0x41, "$cbs"));
        assert!(check(0x41, "$management"));
        assert!(check(0x41, "orders/$management"));
        assert!(!check(0x42, "$cbs"), "the request sender");
        assert!(!check(0x41, "orders/ConsumerGroups/$Default/Partitions/0"));
        assert!(!receives_replies(&[]));
    }
}
