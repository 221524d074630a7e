//! Avro binary encoding (Avro 1.11 specification, "Binary Encoding") for the flat records the
//! demo publishes: primitives, `bytes`, and unions for optional fields. Written by hand because
//! the demo needs a few dozen lines, not schema resolution; the console's codec is where the
//! full implementation lives. Also a decoder, with which the demo's consumers tell a good
//! payload from a poison one.

use serde_json::json;

/// A value of one record field.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Int(i32),
    Long(i64),
    Double(f64),
    String(String),
    Bytes(Vec<u8>),
    /// The branch index in the field's union, and the value of that branch.
    Union(u32, Box<Value>),
}

/// A field's type, as far as the demo's schemas use them (logical types ride on their
/// underlying type: `timestamp-millis` is a `Long`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Null,
    Boolean,
    Int,
    Long,
    Double,
    String,
    Bytes,
    Union(Vec<Type>),
}

impl Value {
    /// An optional field (`["null", T]`) holding `value`, or null.
    pub fn optional(value: Option<Value>) -> Value {
        match value {
            Some(v) => Value::Union(1, Box::new(v)),
            None => Value::Union(0, Box::new(Value::Null)),
        }
    }

    /// The value as plain JSON, for CloudEvents in structured mode: unions collapse to their
    /// branch, bytes become lowercase hex.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Boolean(b) => json!(b),
            Value::Int(i) => json!(i),
            Value::Long(l) => json!(l),
            Value::Double(d) => json!(d),
            Value::String(s) => json!(s),
            Value::Bytes(b) => json!(b.iter().map(|x| format!("{x:02x}")).collect::<String>()),
            Value::Union(_, inner) => inner.to_json(),
        }
    }
}

/// Zigzag then variable-length: small magnitudes of either sign take few bytes.
pub fn write_long(out: &mut Vec<u8>, value: i64) {
    let mut n = ((value << 1) ^ (value >> 63)) as u64;
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

pub fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => {}
        Value::Boolean(b) => out.push(u8::from(*b)),
        Value::Int(i) => write_long(out, i64::from(*i)),
        Value::Long(l) => write_long(out, *l),
        Value::Double(d) => out.extend_from_slice(&d.to_le_bytes()),
        Value::String(s) => write_bytes(out, s.as_bytes()),
        Value::Bytes(b) => write_bytes(out, b),
        Value::Union(index, inner) => {
            write_long(out, i64::from(*index));
            write_value(out, inner);
        }
    }
}

fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_long(out, bytes.len() as i64);
    out.extend_from_slice(bytes);
}

/// A record is its fields' encodings one after another, in schema order.
pub fn encode_record(fields: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for field in fields {
        write_value(&mut out, field);
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvroError {
    #[error("the data ends inside field {0}")]
    Truncated(usize),
    #[error("field {0} holds a variable-length number longer than 64 bits")]
    Overlong(usize),
    #[error("field {field} has length {length}, more than the {left} bytes left")]
    BadLength {
        field: usize,
        length: i64,
        left: usize,
    },
    #[error("field {field} selects union branch {index}, which does not exist")]
    BadBranch { field: usize, index: i64 },
    #[error("field {0} holds a string that is not UTF-8")]
    NotUtf8(usize),
    #[error("{0} bytes are left after the last field")]
    TrailingBytes(usize),
    #[error("field {0} holds an int out of range")]
    IntRange(usize),
}

struct Reader<'a> {
    bytes: &'a [u8],
    field: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], AvroError> {
        if n > self.bytes.len() {
            return Err(AvroError::Truncated(self.field));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn long(&mut self) -> Result<i64, AvroError> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1)?[0];
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok((n >> 1) as i64 ^ -((n & 1) as i64));
            }
        }
        Err(AvroError::Overlong(self.field))
    }

    fn length_prefixed(&mut self) -> Result<&[u8], AvroError> {
        let length = self.long()?;
        let left = self.bytes.len();
        match usize::try_from(length) {
            Ok(n) if n <= left => self.take(n),
            _ => Err(AvroError::BadLength {
                field: self.field,
                length,
                left,
            }),
        }
    }

    fn value(&mut self, ty: &Type) -> Result<Value, AvroError> {
        Ok(match ty {
            Type::Null => Value::Null,
            Type::Boolean => Value::Boolean(self.take(1)?[0] != 0),
            Type::Int => Value::Int(
                i32::try_from(self.long()?).map_err(|_| AvroError::IntRange(self.field))?,
            ),
            Type::Long => Value::Long(self.long()?),
            Type::Double => {
                let mut raw = [0u8; 8];
                raw.copy_from_slice(self.take(8)?);
                Value::Double(f64::from_le_bytes(raw))
            }
            Type::String => {
                let field = self.field;
                let bytes = self.length_prefixed()?.to_vec();
                Value::String(String::from_utf8(bytes).map_err(|_| AvroError::NotUtf8(field))?)
            }
            Type::Bytes => Value::Bytes(self.length_prefixed()?.to_vec()),
            Type::Union(branches) => {
                let index = self.long()?;
                let branch = usize::try_from(index)
                    .ok()
                    .and_then(|i| branches.get(i))
                    .ok_or(AvroError::BadBranch {
                        field: self.field,
                        index,
                    })?;
                Value::Union(index as u32, Box::new(self.value(branch)?))
            }
        })
    }
}

/// Decodes a record of the given field types; every byte must belong to a field.
pub fn decode_record(types: &[Type], bytes: &[u8]) -> Result<Vec<Value>, AvroError> {
    let mut reader = Reader { bytes, field: 0 };
    let mut values = Vec::with_capacity(types.len());
    for (field, ty) in types.iter().enumerate() {
        reader.field = field;
        values.push(reader.value(ty)?);
    }
    if !reader.bytes.is_empty() {
        return Err(AvroError::TrailingBytes(reader.bytes.len()));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(value: Value) -> Vec<u8> {
        let mut out = Vec::new();
        write_value(&mut out, &value);
        out
    }

    #[test]
    fn longs_encode_as_the_specification_shows() {
        // The table under "Binary Encoding" > "Primitive Types" in the Avro specification.
        for (value, bytes) in [
            (0, vec![0x00]),
            (-1, vec![0x01]),
            (1, vec![0x02]),
            (-2, vec![0x03]),
            (2, vec![0x04]),
            (-64, vec![0x7f]),
            (64, vec![0x80, 0x01]),
        ] {
            assert_eq!(encoded(Value::Long(value)), bytes, "long {value}");
            assert_eq!(encoded(Value::Int(value as i32)), bytes, "int {value}");
        }
        let mut extreme = Vec::new();
        write_long(&mut extreme, i64::MIN);
        assert_eq!(
            decode_record(&[Type::Long], &extreme),
            Ok(vec![Value::Long(i64::MIN)])
        );
    }

    #[test]
    fn strings_bytes_booleans_doubles_and_unions_encode_as_specified() {
        assert_eq!(
            encoded(Value::String("foo".into())),
            vec![0x06, 0x66, 0x6f, 0x6f]
        );
        assert_eq!(encoded(Value::Bytes(vec![0xab])), vec![0x02, 0xab]);
        assert_eq!(encoded(Value::Boolean(true)), vec![0x01]);
        assert_eq!(
            encoded(Value::Double(1.0)),
            vec![0, 0, 0, 0, 0, 0, 0xf0, 0x3f]
        );
        // The specification's union example: ["null","string"] holding "a" is 02 02 61.
        assert_eq!(
            encoded(Value::optional(Some(Value::String("a".into())))),
            vec![0x02, 0x02, 0x61]
        );
        assert_eq!(encoded(Value::optional(None)), vec![0x00]);
    }

    #[test]
    fn records_round_trip_and_corrupt_ones_are_refused() {
        let types = [
            Type::String,
            Type::Union(vec![Type::Null, Type::Long]),
            Type::Double,
            Type::Boolean,
            Type::Bytes,
            Type::Int,
        ];
        let record = vec![
            Value::String("sale-0042".into()),
            Value::optional(Some(Value::Long(1_700_000_000_000))),
            Value::Double(99.5),
            Value::Boolean(false),
            Value::Bytes(vec![1, 2, 3]),
            Value::Int(-7),
        ];
        let bytes = encode_record(&record);
        assert_eq!(decode_record(&types, &bytes), Ok(record));
        assert!(matches!(
            decode_record(&types, &bytes[..bytes.len() - 1]),
            Err(AvroError::Truncated(5))
        ));
        assert!(matches!(
            decode_record(&types, &[0xc8, 0x01, b'x']),
            Err(AvroError::BadLength { field: 0, .. })
        ));
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(
            decode_record(&types, &trailing),
            Err(AvroError::TrailingBytes(1))
        );
    }
}
