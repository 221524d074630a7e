//! Scanning a segment file at start: its index, and every stretch of it that holds no intact
//! record. After damage the scan resynchronises on the next record whose header is plausible
//! and whose crc matches, so one flipped byte costs the records it touched and nothing after.
//! Damage with no intact record after it is either a torn write (a crash cut the last, never
//! acknowledged, group short) or damage to the last records; the two are told apart by shape.

use std::fs::File;
use std::io;

use bytes::Bytes;

use super::record::{self, Decoded, HEADER_LEN, MAX_RECORD_LEN, MIN_RECORD_LEN};
use super::segment::{IndexEntry, SegmentIndex, read_at};

const SCAN_CHUNK: usize = 1 << 20;
/// How much of the file the resynchronising search reads at a time.
const SEARCH_CHUNK: usize = 256 * 1024;

/// A stretch of a segment (partition offsets `start..end`) that holds no intact record, and the
/// sequence numbers that may have been stored in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DamagedRange {
    pub start: u64,
    pub end: u64,
    pub first_sequence: i64,
    /// `None` when nothing intact follows in the segment: the caller knows the bound.
    pub last_sequence: Option<i64>,
}

/// How a segment ends after its last intact record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// The file ends right after an intact record (or is empty).
    Clean,
    /// A crash cut the last write short (an unacknowledged group): partition offset where it
    /// starts.
    Torn { at: u64 },
    /// Bytes that are not records and are not a torn write: damage to the last records.
    Damaged(DamagedRange),
}

#[derive(Debug, Clone)]
pub struct Scanned {
    pub index: SegmentIndex,
    /// Damage followed by intact records, in file order.
    pub damaged: Vec<DamagedRange>,
    pub tail: Tail,
}

/// Scans a segment of `len` bytes whose first record is `base_seq` at partition offset
/// `base_offset`.
pub fn scan(file: &File, base_offset: u64, base_seq: i64, len: u64) -> io::Result<Scanned> {
    let mut index = SegmentIndex::default();
    let mut damaged = Vec::new();
    let mut position = 0u64;
    let mut previous_seq = base_seq - 1;
    let mut want = SCAN_CHUNK;
    'outer: while position < len {
        let chunk = read_at(file, position, want.min((len - position) as usize))?;
        let mut cursor = 0usize;
        loop {
            let at = position;
            let failed = match record::decode(&chunk.slice(cursor..), base_offset + at) {
                Decoded::Record(event, used) => {
                    index.push(
                        IndexEntry {
                            sequence_number: event.sequence_number,
                            offset: event.offset,
                            enqueued_ms: event.enqueued_ms,
                        },
                        base_offset,
                    );
                    previous_seq = event.sequence_number;
                    cursor += used;
                    position += used as u64;
                    want = SCAN_CHUNK;
                    if position >= len {
                        break 'outer;
                    }
                    continue;
                }
                Decoded::Incomplete { needed } if needed as u64 <= len - at => {
                    if cursor == 0 {
                        want = needed; // a record larger than the chunk: read it whole
                    }
                    break;
                }
                Decoded::Incomplete { .. } => Failure::PastEnd,
                Decoded::Corrupt => Failure::Corrupt,
            };
            match resynchronise(file, at + 1, len, previous_seq)? {
                Some((next, next_seq)) => {
                    damaged.push(DamagedRange {
                        start: base_offset + at,
                        end: base_offset + next,
                        first_sequence: previous_seq + 1,
                        last_sequence: Some(next_seq - 1),
                    });
                    position = next;
                    want = SCAN_CHUNK;
                    break;
                }
                None => {
                    let tail = if is_torn_write(file, at, len, failed)? {
                        Tail::Torn {
                            at: base_offset + at,
                        }
                    } else {
                        Tail::Damaged(DamagedRange {
                            start: base_offset + at,
                            end: base_offset + len,
                            first_sequence: previous_seq + 1,
                            last_sequence: None,
                        })
                    };
                    return Ok(Scanned {
                        index,
                        damaged,
                        tail,
                    });
                }
            }
        }
    }
    Ok(Scanned {
        index,
        damaged,
        tail: Tail::Clean,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// The header claims more bytes than the file holds.
    PastEnd,
    /// A header or crc that cannot belong to an intact record.
    Corrupt,
}

/// Whether the bytes from `at` to the end look like a write a crash cut short, as opposed to
/// damaged records. A crash leaves a prefix of the last group: a header whose length runs
/// past the end (the rest never reached the file), a few header bytes, or (after power loss on
/// some file systems) zeros. A whole record whose length field is damaged also runs past the
/// end, but its crc still matches the bytes that are there.
fn is_torn_write(file: &File, at: u64, len: u64, failed: Failure) -> io::Result<bool> {
    let rest = (len - at) as usize;
    if rest < HEADER_LEN {
        return Ok(true);
    }
    if rest > MAX_RECORD_LEN + HEADER_LEN {
        return Ok(false); // more than one record's worth of bytes no record can explain
    }
    let bytes = read_at(file, at, rest)?;
    if bytes.iter().all(|b| *b == 0) {
        return Ok(true);
    }
    match failed {
        Failure::Corrupt => Ok(false),
        Failure::PastEnd => {
            let crc = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
            Ok(rest < MIN_RECORD_LEN || crc32fast::hash(&bytes[HEADER_LEN..]) != crc)
        }
    }
}

/// Finds the first intact record at or after file position `from`: a plausible length, a
/// sequence number after `previous_seq` that the bytes skipped could account for, and a
/// matching crc. Returns its file position and sequence number.
fn resynchronise(
    file: &File,
    from: u64,
    len: u64,
    previous_seq: i64,
) -> io::Result<Option<(u64, i64)>> {
    let damage_start = from.saturating_sub(1);
    let mut base = from;
    while base + MIN_RECORD_LEN as u64 <= len {
        let window = read_at(file, base, SEARCH_CHUNK.min((len - base) as usize))?;
        let mut i = 0usize;
        while i + MIN_RECORD_LEN <= window.len() {
            let candidate = base + i as u64;
            if plausible_header(
                &window[i..],
                candidate - damage_start,
                previous_seq,
                len - candidate,
            ) && let Some(seq) = intact_at(file, candidate)?
            {
                return Ok(Some((candidate, seq)));
            }
            i += 1;
        }
        // Step on so the next window starts at the first candidate not yet tried.
        base += (window.len() + 1).saturating_sub(MIN_RECORD_LEN) as u64;
    }
    Ok(None)
}

/// A cheap check of a candidate record header before its crc is computed: the length is one a
/// record can have and fits in what is left of the file, and the sequence number comes after
/// `previous_seq` by no more than the skipped bytes could hold.
fn plausible_header(at: &[u8], skipped: u64, previous_seq: i64, left: u64) -> bool {
    let body_len = u32::from_le_bytes([at[0], at[1], at[2], at[3]]) as usize;
    if !(MIN_RECORD_LEN - HEADER_LEN..=MAX_RECORD_LEN).contains(&body_len)
        || (HEADER_LEN + body_len) as u64 > left
    {
        return false;
    }
    let mut raw = [0u8; 8];
    raw.copy_from_slice(&at[HEADER_LEN..HEADER_LEN + 8]);
    let seq = i64::from_le_bytes(raw);
    let most_lost = (skipped / MIN_RECORD_LEN as u64 + 1) as i64;
    seq > previous_seq && seq <= previous_seq.saturating_add(most_lost)
}

/// The sequence number of the intact record at file position `at`, if one is there.
fn intact_at(file: &File, at: u64) -> io::Result<Option<i64>> {
    let header = read_at(file, at, HEADER_LEN)?;
    if header.len() < HEADER_LEN {
        return Ok(None);
    }
    let body_len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let whole: Bytes = read_at(file, at, HEADER_LEN + body_len)?;
    Ok(match record::decode(&whole, at) {
        Decoded::Record(event, _) => Some(event.sequence_number),
        _ => None,
    })
}
