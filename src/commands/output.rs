//! How headless commands print: `--json` gives one object per line with stable field names;
//! otherwise an aligned table. Table cells are sanitised, since hub names, owners and
//! payloads may come from anyone and must not drive the terminal.

use std::io::Write;

use serde::Serialize;

use crate::tui::views::sanitize::sanitize;

/// Prints one JSON object on its own line.
pub fn json_line(value: &impl Serialize) {
    match serde_json::to_string(value) {
        Ok(line) => println!("{line}"),
        Err(error) => eprintln!("error: cannot encode output: {error}"),
    }
}

/// A left-aligned text table with a header row.
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Self {
            rows: vec![header.iter().map(|h| (*h).to_owned()).collect()],
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.iter().map(|c| sanitize(c, false)).collect());
    }

    pub fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in &self.rows {
            let line: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, cell)| format!("{cell:<width$}", width = widths[i]))
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out
    }

    pub fn print(&self) {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth reporting.
        let _ = stdout.write_all(self.render().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns_and_strips_escapes() {
        let mut table = Table::new(&["HUB", "TEAM"]);
        table.row(vec!["sale".into(), "conv\u{1b}[31mersions".into()]);
        table.row(vec!["dead-letter".into(), String::new()]);
        assert_eq!(
            table.render(),
            "HUB          TEAM\nsale         conversions\ndead-letter\n"
        );
    }
}
