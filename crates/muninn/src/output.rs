//! Writing to standard output: locked, buffered, and with errors (a closed pipe) propagated.

use std::io::Write;

/// Writes a whole text to standard output.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes a value as pretty JSON and a newline.
pub fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(print(&text)?)
}

/// Cuts text to a number of characters, marking the cut.
pub fn cut(text: &str, max: usize) -> String {
    let single_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    match single_line.char_indices().nth(max.saturating_sub(1)) {
        Some((index, _)) if single_line.chars().count() > max => {
            format!("{}…", &single_line[..index])
        }
        _ => single_line,
    }
}

/// Renders rows as an aligned table (columns separated by two spaces; the last is not padded).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (index, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(index) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let render = |cells: &mut dyn Iterator<Item = &str>, out: &mut String| {
        let cells: Vec<&str> = cells.collect();
        for (index, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if index + 1 < cells.len() {
                let pad = widths[index] - cell.chars().count() + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    };
    render(&mut header.iter().copied(), &mut out);
    for row in rows {
        render(&mut row.iter().map(String::as_str), &mut out);
    }
    out
}
