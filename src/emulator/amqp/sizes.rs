//! Whether the sizes an AMQP encoding claims fit in the bytes that hold it. serde_amqp (and so
//! fe2o3) allocates whatever length or count an encoding claims before reading it, so a few
//! bytes could make the emulator allocate gigabytes: every message is checked here first
//! (`message::decode`, and the ingress guard for what fe2o3 decodes itself).

/// Deepest nesting of described values, lists, maps and arrays [`sizes_fit`] follows.
const MAX_NESTING: usize = 64;

/// Whether every size and count in a sequence of AMQP-encoded values (a message's sections)
/// fits in the bytes that follow it, at every level of nesting: what serde_amqp must be able
/// to trust before it decodes them.
pub fn sizes_fit(bytes: &[u8]) -> bool {
    let mut at = 0;
    while at < bytes.len() {
        match fitting_value(bytes, at, 0) {
            Some(next) => at = next,
            None => return false,
        }
    }
    true
}

/// The position after the value at `at`, if its sizes fit in `bytes`.
fn fitting_value(bytes: &[u8], at: usize, depth: usize) -> Option<usize> {
    let (code, at) = fitting_constructor(bytes, at, depth)?;
    fitting_body(bytes, at, code, depth)
}

/// A constructor's format code (after any descriptors) and the position after it.
fn fitting_constructor(bytes: &[u8], at: usize, depth: usize) -> Option<(u8, usize)> {
    let code = *bytes.get(at)?;
    if code != 0x00 {
        return Some((code, at + 1));
    }
    if depth >= MAX_NESTING {
        return None;
    }
    let after_descriptor = fitting_value(bytes, at + 1, depth + 1)?;
    fitting_constructor(bytes, after_descriptor, depth + 1)
}

/// The position after a value of format `code` whose encoding starts at `at`.
fn fitting_body(bytes: &[u8], at: usize, code: u8, depth: usize) -> Option<usize> {
    let within = |end: usize| (end <= bytes.len()).then_some(end);
    let width = match code >> 4 {
        0x4 => return Some(at),
        0x5 => return within(at + 1),
        0x6 => return within(at + 2),
        0x7 => return within(at + 4),
        0x8 => return within(at + 8),
        0x9 => return within(at + 16),
        0xa | 0xc | 0xe => 1,
        0xb | 0xd | 0xf => 4,
        _ => return None,
    };
    let size = claimed_size(bytes, at, width)?;
    let start = at + width;
    let end = within(start.checked_add(size)?)?;
    if code >> 4 <= 0xb {
        return Some(end);
    }
    // A list, map or array: its count, then its items, all inside its size.
    if depth >= MAX_NESTING {
        return None;
    }
    let window = &bytes[..end];
    let count = claimed_size(window, start, width)?;
    // Every item takes a byte at least (an array's too: none is of a zero-width type).
    if count > size {
        return None;
    }
    let mut at = start + width;
    if code >> 4 <= 0xd {
        for _ in 0..count {
            at = fitting_value(window, at, depth + 1)?;
        }
    } else {
        let (element, after) = fitting_constructor(window, at, depth + 1)?;
        at = after;
        for _ in 0..count {
            at = fitting_body(window, at, element, depth + 1)?;
        }
    }
    Some(end)
}

fn claimed_size(bytes: &[u8], at: usize, width: usize) -> Option<usize> {
    let field = bytes.get(at..at.checked_add(width)?)?;
    Some(field.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b)))
}
