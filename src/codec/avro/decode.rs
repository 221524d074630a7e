//! Avro binary decoding ("Binary Encoding" in the Avro 1.11 specification) of one datum
//! against a writer schema. The input may be hostile: every length is checked against the
//! bytes left before anything is allocated, nesting is bounded, and so is the number of
//! array and map items (zero-byte items such as `null` could otherwise claim billions).

use super::schema::{Node, NodeId, Schema};

/// Deepest nesting of records, arrays, maps and unions a datum may have.
pub const MAX_DEPTH: u32 = 64;
/// Items a datum may hold beyond one per input byte (only zero-byte items need the slack).
const ITEM_SLACK: usize = 4096;

/// A decoded datum. Records keep their fields in schema order without names; the schema
/// gives them back when rendering, so decoding allocates no strings for field names.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Bytes(Vec<u8>),
    String(String),
    Fixed(Vec<u8>),
    /// Index of the symbol in the enum.
    Enum(u32),
    /// The branch index in the union, and the value of that branch.
    Union(u32, Box<Value>),
    Array(Vec<Value>),
    Map(Vec<(String, Value)>),
    Record(Vec<Value>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvroError {
    #[error("the data ends at byte {0}, inside a value")]
    Truncated(usize),
    #[error("byte {0} starts a variable-length number longer than 64 bits")]
    Overlong(usize),
    #[error("byte {at} gives length {length}, but only {left} bytes are left")]
    BadLength { at: usize, length: i64, left: usize },
    #[error("byte {at} selects union branch {index} of {branches}")]
    BadBranch {
        at: usize,
        index: i64,
        branches: usize,
    },
    #[error("byte {at} selects enum symbol {index} of {symbols}")]
    BadSymbol {
        at: usize,
        index: i64,
        symbols: usize,
    },
    #[error("the string at byte {0} is not UTF-8")]
    NotUtf8(usize),
    #[error("byte {0} holds an int out of the 32-bit range")]
    IntRange(usize),
    #[error("byte {0} holds a boolean that is neither 0 nor 1")]
    BadBoolean(usize),
    #[error("the datum nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("the arrays and maps hold more items than {0} bytes can encode")]
    TooManyItems(usize),
    #[error("{0} bytes are left after the datum: the data does not match the writer schema")]
    TrailingBytes(usize),
}

/// Decodes exactly one datum: every byte must belong to it.
pub fn decode_datum(schema: &Schema, bytes: &[u8]) -> Result<Value, AvroError> {
    let mut reader = Reader::new(bytes);
    let value = reader.value(schema, schema.root())?;
    match reader.left() {
        0 => Ok(value),
        n => Err(AvroError::TrailingBytes(n)),
    }
}

/// A cursor over Avro binary data.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
    items_left: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            pos: 0,
            depth: 0,
            items_left: bytes.len().saturating_add(ITEM_SLACK),
        }
    }

    pub fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], AvroError> {
        if n > self.left() {
            return Err(AvroError::Truncated(self.bytes.len()));
        }
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    /// A zigzag variable-length long.
    pub fn long(&mut self) -> Result<i64, AvroError> {
        let start = self.pos;
        let mut n: u64 = 0;
        let mut shift = 0;
        loop {
            let Some(&byte) = self.bytes.get(self.pos) else {
                return Err(AvroError::Truncated(self.bytes.len()));
            };
            self.pos += 1;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                // Zigzag: the low bit is the sign.
                return Ok(((n >> 1) as i64) ^ -((n & 1) as i64));
            }
            shift += 7;
            if shift > 63 {
                return Err(AvroError::Overlong(start));
            }
        }
    }

    /// A length, checked against the bytes left before anyone allocates for it.
    pub fn length(&mut self) -> Result<usize, AvroError> {
        let at = self.pos;
        let length = self.long()?;
        let left = self.left();
        match usize::try_from(length) {
            Ok(n) if n <= left => Ok(n),
            _ => Err(AvroError::BadLength { at, length, left }),
        }
    }

    pub fn length_prefixed(&mut self) -> Result<&'a [u8], AvroError> {
        let n = self.length()?;
        self.take(n)
    }

    fn string(&mut self) -> Result<String, AvroError> {
        let at = self.pos;
        let bytes = self.length_prefixed()?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| AvroError::NotUtf8(at))
    }

    /// The item count of the next array or map block; 0 ends the value.
    fn block_count(&mut self) -> Result<usize, AvroError> {
        let at = self.pos;
        let count = self.long()?;
        if count < 0 {
            // A negative count is followed by the block's size in bytes, for skipping.
            self.long()?;
        }
        let count = usize::try_from(count.unsigned_abs()).map_err(|_| AvroError::BadLength {
            at,
            length: count,
            left: self.left(),
        })?;
        if count > self.items_left {
            return Err(AvroError::TooManyItems(self.bytes.len()));
        }
        self.items_left -= count;
        Ok(count)
    }

    pub fn value(&mut self, schema: &Schema, node: NodeId) -> Result<Value, AvroError> {
        Ok(match schema.node(node) {
            Node::Null => Value::Null,
            Node::Boolean => {
                let at = self.pos;
                match self.take(1)?[0] {
                    0 => Value::Boolean(false),
                    1 => Value::Boolean(true),
                    _ => return Err(AvroError::BadBoolean(at)),
                }
            }
            Node::Int => {
                let at = self.pos;
                Value::Int(i32::try_from(self.long()?).map_err(|_| AvroError::IntRange(at))?)
            }
            Node::Long => Value::Long(self.long()?),
            Node::Float => {
                let mut raw = [0u8; 4];
                raw.copy_from_slice(self.take(4)?);
                Value::Float(f32::from_le_bytes(raw))
            }
            Node::Double => {
                let mut raw = [0u8; 8];
                raw.copy_from_slice(self.take(8)?);
                Value::Double(f64::from_le_bytes(raw))
            }
            Node::Bytes => Value::Bytes(self.length_prefixed()?.to_vec()),
            Node::String => Value::String(self.string()?),
            Node::Fixed(fixed) => Value::Fixed(self.take(fixed.size)?.to_vec()),
            Node::Enum(e) => {
                let at = self.pos;
                let index = self.long()?;
                match u32::try_from(index) {
                    Ok(i) if (i as usize) < e.symbols.len() => Value::Enum(i),
                    _ => {
                        return Err(AvroError::BadSymbol {
                            at,
                            index,
                            symbols: e.symbols.len(),
                        });
                    }
                }
            }
            Node::Record(record) => {
                self.descend()?;
                let mut fields = Vec::with_capacity(record.fields.len());
                for field in &record.fields {
                    fields.push(self.value(schema, field.node)?);
                }
                self.depth -= 1;
                Value::Record(fields)
            }
            Node::Union(branches) => {
                let at = self.pos;
                let index = self.long()?;
                let branch = usize::try_from(index)
                    .ok()
                    .and_then(|i| branches.get(i))
                    .ok_or(AvroError::BadBranch {
                        at,
                        index,
                        branches: branches.len(),
                    })?;
                self.descend()?;
                let inner = self.value(schema, *branch)?;
                self.depth -= 1;
                Value::Union(index as u32, Box::new(inner))
            }
            Node::Array(items) => {
                self.descend()?;
                let mut values = Vec::new();
                loop {
                    let count = self.block_count()?;
                    if count == 0 {
                        break;
                    }
                    values.reserve(count.min(self.left()));
                    for _ in 0..count {
                        values.push(self.value(schema, *items)?);
                    }
                }
                self.depth -= 1;
                Value::Array(values)
            }
            Node::Map(values_node) => {
                self.descend()?;
                let mut entries = Vec::new();
                loop {
                    let count = self.block_count()?;
                    if count == 0 {
                        break;
                    }
                    entries.reserve(count.min(self.left()));
                    for _ in 0..count {
                        let key = self.string()?;
                        entries.push((key, self.value(schema, *values_node)?));
                    }
                }
                self.depth -= 1;
                Value::Map(entries)
            }
        })
    }

    fn descend(&mut self) -> Result<(), AvroError> {
        if self.depth >= MAX_DEPTH {
            return Err(AvroError::TooDeep);
        }
        self.depth += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(text: &str) -> Schema {
        Schema::parse(text).expect("valid schema")
    }

    #[test]
    fn decodes_the_specifications_examples() {
        // "Binary Encoding": long 64 is 80 01; string "foo" is 06 66 6f 6f; the union
        // ["null","string"] holding "a" is 02 02 61; an array of 3 and 27 is 04 06 36 00.
        assert_eq!(
            decode_datum(&schema(r#""long""#), &[0x80, 0x01]),
            Ok(Value::Long(64))
        );
        assert_eq!(
            decode_datum(&schema(r#""string""#), b"\x06foo"),
            Ok(Value::String("foo".into()))
        );
        assert_eq!(
            decode_datum(&schema(r#"["null","string"]"#), &[2, 2, b'a']),
            Ok(Value::Union(1, Box::new(Value::String("a".into()))))
        );
        assert_eq!(
            decode_datum(
                &schema(r#"{"type":"array","items":"long"}"#),
                &[4, 6, 0x36, 0]
            ),
            Ok(Value::Array(vec![Value::Long(3), Value::Long(27)]))
        );
        // A negative block count carries the block's size; the items are the same.
        assert_eq!(
            decode_datum(
                &schema(r#"{"type":"array","items":"long"}"#),
                &[3, 4, 6, 0x36, 0]
            ),
            Ok(Value::Array(vec![Value::Long(3), Value::Long(27)]))
        );
    }

    #[test]
    fn hostile_input_is_refused_without_allocating_or_hanging() {
        let nulls = schema(r#"{"type":"array","items":"null"}"#);
        // A block claiming 2^62 nulls: no bytes are needed per item, so only the bound stops it.
        let huge = [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0];
        assert!(matches!(
            decode_datum(&nulls, &huge),
            Err(AvroError::TooManyItems(_))
        ));
        // A string claiming a terabyte.
        assert!(matches!(
            decode_datum(
                &schema(r#""string""#),
                &[0x80, 0x80, 0x80, 0x80, 0x80, 0x40]
            ),
            Err(AvroError::BadLength { .. })
        ));
        let list =
            schema(r#"{"type":"record","name":"L","fields":[{"name":"n","type":["null","L"]}]}"#);
        assert_eq!(decode_datum(&list, &[2; 1000]), Err(AvroError::TooDeep));
        assert_eq!(
            decode_datum(&list, &[2, 2, 0]),
            Ok(Value::Record(vec![Value::Union(
                1,
                Box::new(Value::Record(vec![Value::Union(
                    1,
                    Box::new(Value::Record(vec![Value::Union(0, Box::new(Value::Null))]))
                )]))
            )]))
        );
        assert!(matches!(
            decode_datum(&schema(r#""long""#), &[0xff; 11]),
            Err(AvroError::Overlong(0))
        ));
        assert_eq!(
            decode_datum(&schema(r#""int""#), &[0x80, 0x80, 0x80, 0x80, 0x10]),
            Err(AvroError::IntRange(0))
        );
        assert_eq!(
            decode_datum(&schema(r#""long""#), &[2, 0]),
            Err(AvroError::TrailingBytes(1))
        );
    }
}
