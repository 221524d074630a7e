//! The names an expression reads, found by walking its syntax tree: which of the event's
//! variables it needs (so the scan decodes only when `data` or `body` is read) and the first
//! name that is none of them, with the column it was written at (the error a person fixes).

use std::collections::HashSet;

use cel::common::ast::{EntryExpr, Expr, MapExpr, SourceInfo, StructExpr};
use cel::parser::Expression;

/// Every variable a search expression may read.
pub const VARIABLES: &[&str] = &[
    "id",
    "source",
    "type",
    "subject",
    "time",
    "specversion",
    "datacontenttype",
    "dataschema",
    "extensions",
    "properties",
    "partition",
    "sequence",
    "offset",
    "enqueued",
    "key",
    "hub",
    "data",
    "body",
];

/// An identifier as written: its name and where it starts (0-based byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub name: String,
    pub at: Option<usize>,
}

/// The free identifiers of `expr` (those not bound by a macro such as `exists(x, ...)`), in
/// the order they are written.
pub fn free_names(expr: &Expression, info: &SourceInfo) -> Vec<Name> {
    let mut found = Vec::new();
    walk(expr, info, &mut Vec::new(), &mut found);
    found.sort_by_key(|n| n.at.unwrap_or(usize::MAX));
    found
}

fn walk(expr: &Expression, info: &SourceInfo, bound: &mut Vec<String>, found: &mut Vec<Name>) {
    match &expr.expr {
        Expr::Unspecified | Expr::Literal(_) => {}
        Expr::Ident(name) => {
            // `@it`-style names are the parser's own accumulators.
            if !name.starts_with('@') && !bound.iter().any(|b| b == name) {
                found.push(Name {
                    name: name.clone(),
                    at: info
                        .offset_for(expr.id)
                        .and_then(|(start, _)| usize::try_from(start).ok()),
                });
            }
        }
        Expr::Call(call) => {
            if let Some(target) = &call.target {
                walk(target, info, bound, found);
            }
            for arg in &call.args {
                walk(arg, info, bound, found);
            }
        }
        Expr::Comprehension(comp) => {
            walk(&comp.iter_range, info, bound, found);
            walk(&comp.accu_init, info, bound, found);
            let before = bound.len();
            bound.push(comp.iter_var.clone());
            bound.extend(comp.iter_var2.iter().cloned());
            bound.push(comp.accu_var.clone());
            for part in [&comp.loop_cond, &comp.loop_step, &comp.result] {
                walk(part, info, bound, found);
            }
            bound.truncate(before);
        }
        Expr::List(list) => {
            for element in &list.elements {
                walk(element, info, bound, found);
            }
        }
        Expr::Map(MapExpr { entries }) | Expr::Struct(StructExpr { entries, .. }) => {
            for entry in entries {
                match &entry.expr {
                    EntryExpr::StructField(field) => walk(&field.value, info, bound, found),
                    EntryExpr::MapEntry(pair) => {
                        walk(&pair.key, info, bound, found);
                        walk(&pair.value, info, bound, found);
                    }
                }
            }
        }
        Expr::Select(select) => walk(&select.operand, info, bound, found),
    }
}

/// The variables of [`VARIABLES`] among `names`.
pub fn used(names: &[Name]) -> HashSet<&'static str> {
    VARIABLES
        .iter()
        .copied()
        .filter(|v| names.iter().any(|n| n.name == *v))
        .collect()
}

/// The 1-based column (in characters) of byte offset `at` in `text`.
pub fn column(text: &str, at: usize) -> usize {
    text.get(..at).map_or(1, |head| head.chars().count() + 1)
}
