//! Which partition a partition key lands in: Bob Jenkins' lookup3 `hashlittle2` over the key's
//! UTF-8 bytes (seeds 0), `(c ^ b)` cast to i16, then `|h % count|`. This is the mapping the
//! SDKs' buffered producers use to predict the service (docs/protocol-notes.md 1.5; JS
//! `impl/partitionKeyToIdMapper.ts`), so keyed events land where every client expects. The
//! emulator routes keyed sends with it; the console uses it to read only the partition a key
//! lives in.

pub fn partition_for_key(key: &str, partition_count: u32) -> u32 {
    let (b, c) = hashlittle2(key.as_bytes());
    let hash = i32::from((c ^ b) as u16 as i16);
    let count = i32::try_from(partition_count.max(1)).unwrap_or(i32::MAX);
    (hash % count).unsigned_abs()
}

fn hashlittle2(data: &[u8]) -> (u32, u32) {
    let word = |at: usize| u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let byte = |at: usize| u32::from(data[at]);
    let init = 0xdead_beef_u32.wrapping_add(data.len() as u32);
    let (mut a, mut b, mut c) = (init, init, init);
    let mut i = 0;
    let mut rest = data.len();
    while rest > 12 {
        a = a.wrapping_add(word(i));
        b = b.wrapping_add(word(i + 4));
        c = c.wrapping_add(word(i + 8));
        mix(&mut a, &mut b, &mut c);
        i += 12;
        rest -= 12;
    }
    // The tail, as lookup3's fall-through switch adds it.
    if rest == 0 {
        return (b, c);
    }
    if rest >= 12 {
        c = c.wrapping_add(word(i + 8));
    } else {
        if rest >= 11 {
            c = c.wrapping_add(byte(i + 10) << 16);
        }
        if rest >= 10 {
            c = c.wrapping_add(byte(i + 9) << 8);
        }
        if rest >= 9 {
            c = c.wrapping_add(byte(i + 8));
        }
    }
    if rest >= 8 {
        b = b.wrapping_add(word(i + 4));
    } else {
        if rest >= 7 {
            b = b.wrapping_add(byte(i + 6) << 16);
        }
        if rest >= 6 {
            b = b.wrapping_add(byte(i + 5) << 8);
        }
        if rest >= 5 {
            b = b.wrapping_add(byte(i + 4));
        }
    }
    if rest >= 4 {
        a = a.wrapping_add(word(i));
    } else {
        if rest >= 3 {
            a = a.wrapping_add(byte(i + 2) << 16);
        }
        if rest >= 2 {
            a = a.wrapping_add(byte(i + 1) << 8);
        }
        a = a.wrapping_add(byte(i));
    }
    finalize(&mut a, &mut b, &mut c);
    (b, c)
}

fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *a = a.wrapping_sub(*c) ^ c.rotate_left(4);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a) ^ a.rotate_left(6);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b) ^ b.rotate_left(8);
    *b = b.wrapping_add(*a);
    *a = a.wrapping_sub(*c) ^ c.rotate_left(16);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a) ^ a.rotate_left(19);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b) ^ b.rotate_left(4);
    *b = b.wrapping_add(*a);
}

fn finalize(a: &mut u32, b: &mut u32, c: &mut u32) {
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(14));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(11));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(25));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(16));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(4));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(14));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(24));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup3_reference_vectors() {
        // From lookup3.c's driver: hashlittle2("", 0, &c=0, &b=0) gives c=b=0xdeadbeef, and
        // "Four score and seven years ago" with seeds 0 gives c=0x17770551, b=0xce7226e6.
        assert_eq!(hashlittle2(b""), (0xdead_beef, 0xdead_beef));
        assert_eq!(
            hashlittle2(b"Four score and seven years ago"),
            (0xce72_26e6, 0x1777_0551)
        );
    }

    #[test]
    fn same_key_same_partition_and_in_range() {
        for key in [
            "a",
            "customer-42",
            "ünïcödé",
            "a-rather-longer-partition-key-value",
        ] {
            let p = partition_for_key(key, 7);
            assert!(p < 7);
            assert_eq!(p, partition_for_key(key, 7));
        }
    }
}
