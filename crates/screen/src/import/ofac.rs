//! OFAC's Specially Designated Nationals list in its legacy CSV files: `sdn.csv` (one row per
//! listing) and `alt.csv` (its other names). No header; `-0-` stands for an empty field.

use std::collections::HashMap;

use crate::import::{
    AliasSet, IdSet, ImportError, ImportWarning, Imported, Lines, MAX_NOTE_CHARS, clip, collapse_whitespace,
};
use crate::watchlist::{Entry, EntryKind, Severity};

const SDN_COLUMNS: usize = 12;
const ALT_COLUMNS: usize = 5;
const DIGITAL_CURRENCY: &str = "Digital Currency Address - ";
/// The longest digital currency address taken (Monero's integrated addresses are 106).
const MAX_ADDRESS_LEN: usize = 200;

/// Reads OFAC's SDN list from `sdn.csv` and, when given, `alt.csv`. One `Name` entry per
/// listing, id `SDN-<ent_num>`: an individual's `LAST, First` becomes the name `First LAST`
/// with the listed form kept as an alias; `alt.csv` adds the a.k.a., f.k.a. and n.k.a. names.
/// Each digital currency address in the remarks becomes an `Indicator` entry of its own,
/// `SDN-<ent_num>-addr-<n>`. Severity high.
///
/// The files are UTF-8 when they decode as such, else Windows-1252 (OFAC's legacy files
/// have been both), with a warning. Rows with too few columns, a bad `ent_num` or a repeated
/// one, and alternate names of listings not in `sdn.csv` are left out with warnings; a file in
/// which no row has the expected columns is refused.
pub fn ofac_sdn(sdn_csv: &[u8], alt_csv: Option<&[u8]>) -> Result<Imported, ImportError> {
    let mut imported = Imported::default();
    let mut listings = Vec::new();
    let mut by_ent_num: HashMap<u64, usize> = HashMap::new();
    for row in rows("sdn.csv", sdn_csv, SDN_COLUMNS, &mut imported.warnings)? {
        let Some(listing) = Listing::from_row(&row, &mut imported.warnings) else { continue };
        if by_ent_num.contains_key(&listing.ent_num) {
            imported.warnings.push(row.warning(format!(
                "ent_num {} is already listed by an earlier row; the row is left out",
                listing.ent_num
            )));
            continue;
        }
        by_ent_num.insert(listing.ent_num, listings.len());
        listings.push(listing);
    }
    if let Some(alt_csv) = alt_csv {
        for row in rows("alt.csv", alt_csv, ALT_COLUMNS, &mut imported.warnings)? {
            let Some(ent_num) = row.ent_num(&mut imported.warnings) else { continue };
            let Some(&index) = by_ent_num.get(&ent_num) else {
                let message = format!("ent_num {ent_num} is not in sdn.csv; the alternate name is left out");
                imported.warnings.push(row.warning(message));
                continue;
            };
            let alt_name = row.field(3);
            if alt_name.is_empty() {
                imported.warnings.push(row.warning("no alternate name; the row is left out".to_owned()));
                continue;
            }
            let listing = &mut listings[index];
            if listing.is_individual {
                listing.aliases.push(natural_order(alt_name));
            }
            listing.aliases.push(alt_name.to_owned());
        }
    }
    let mut ids = IdSet::default();
    for listing in listings {
        listing.into_entries(&mut imported, &mut ids);
    }
    Ok(imported)
}

/// One row of either file, fields trimmed and `-0-` read as empty.
#[derive(Debug)]
struct Row {
    file: &'static str,
    line: u64,
    fields: Vec<String>,
}

impl Row {
    fn field(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", String::as_str)
    }

    fn warning(&self, message: String) -> ImportWarning {
        ImportWarning { record: format!("{} line {}", self.file, self.line), message }
    }

    fn ent_num(&self, warnings: &mut Vec<ImportWarning>) -> Option<u64> {
        match self.field(0).parse::<u64>() {
            Ok(number) => Some(number),
            Err(_) => {
                let message = format!("ent_num {:?} is not a number; the row is left out", self.field(0));
                warnings.push(self.warning(message));
                None
            }
        }
    }
}

/// The rows of one file with `columns` fields; other rows become warnings. A file in which no
/// row has them is not this file.
fn rows(
    file: &'static str,
    input: &[u8],
    columns: usize,
    warnings: &mut Vec<ImportWarning>,
) -> Result<Vec<Row>, ImportError> {
    let text = decode(file, input, warnings);
    let mut reader =
        ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut bad_rows = 0;
    let mut lines = Lines::new(text.as_bytes());
    for record in reader.records() {
        let record = record.map_err(|error| ImportError::Csv {
            line: lines.line(error.position()),
            message: format!("{file}: {error}"),
        })?;
        let line = lines.line(record.position());
        let fields: Vec<String> = record
            .iter()
            .map(|field| match field.trim() {
                "-0-" => String::new(),
                other => collapse_whitespace(other),
            })
            .collect();
        if fields.iter().all(String::is_empty) {
            continue;
        }
        let row = Row { file, line, fields };
        if row.fields.len() != columns {
            bad_rows += 1;
            let message = format!("{} columns, expected {columns}; the row is left out", row.fields.len());
            warnings.push(row.warning(message));
            continue;
        }
        rows.push(row);
    }
    if rows.is_empty() && bad_rows > 0 {
        return Err(ImportError::WrongShape {
            expected: if columns == SDN_COLUMNS { "an OFAC sdn.csv" } else { "an OFAC alt.csv" },
            message: format!("none of its {bad_rows} rows has the {columns} columns of {file}"),
        });
    }
    Ok(rows)
}

/// UTF-8 if it decodes, else Windows-1252 (never fails: every byte is a character); the
/// DOS end-of-file mark (0x1A) the files end with is dropped.
fn decode(file: &str, input: &[u8], warnings: &mut Vec<ImportWarning>) -> String {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let end =
        input.iter().rposition(|&byte| byte != 0x1A && !byte.is_ascii_whitespace()).map_or(0, |at| at + 1);
    let input = &input[..end];
    match std::str::from_utf8(input) {
        Ok(text) => text.to_owned(),
        Err(error) => {
            warnings.push(ImportWarning {
                record: file.to_owned(),
                message: format!(
                    "not UTF-8 (byte at offset {} does not decode); read as Windows-1252",
                    error.valid_up_to()
                ),
            });
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(input).0.into_owned()
        }
    }
}

/// One row of `sdn.csv` and the names `alt.csv` adds to it.
#[derive(Debug)]
struct Listing {
    ent_num: u64,
    line: u64,
    name: String,
    is_individual: bool,
    sdn_type: String,
    program: String,
    remarks: String,
    aliases: Vec<String>,
}

impl Listing {
    fn from_row(row: &Row, warnings: &mut Vec<ImportWarning>) -> Option<Listing> {
        let ent_num = row.ent_num(warnings)?;
        let listed_name = row.field(1);
        if listed_name.is_empty() {
            warnings.push(row.warning(format!("SDN-{ent_num} has no name; the row is left out")));
            return None;
        }
        let sdn_type = row.field(2).to_ascii_lowercase();
        let is_individual = sdn_type == "individual";
        let (name, aliases) = if is_individual {
            (natural_order(listed_name), vec![listed_name.to_owned()])
        } else {
            (listed_name.to_owned(), Vec::new())
        };
        Some(Listing {
            ent_num,
            line: row.line,
            name,
            is_individual,
            sdn_type: if sdn_type.is_empty() { "entity".to_owned() } else { sdn_type },
            program: row.field(3).to_owned(),
            remarks: row.field(11).to_owned(),
            aliases,
        })
    }

    fn into_entries(self, imported: &mut Imported, ids: &mut IdSet) {
        let id = format!("SDN-{}", self.ent_num);
        if !ids.take(&id) {
            return;
        }
        let programs = if self.program.is_empty() { String::new() } else { format!(" [{}]", self.program) };
        let mut note = format!("OFAC SDN{programs} {}", self.sdn_type);
        let remarks = clip(&self.remarks, MAX_NOTE_CHARS);
        if !remarks.is_empty() {
            note.push_str(": ");
            note.push_str(&remarks);
        }
        let mut aliases = AliasSet::new(&self.name);
        self.aliases.iter().for_each(|alias| aliases.add(alias));
        imported.entries.push(Entry {
            id: id.clone(),
            kind: EntryKind::Name { name: self.name.clone(), aliases: aliases.into_vec() },
            severity: Severity::High,
            note,
        });
        let record = format!("SDN-{} (sdn.csv line {})", self.ent_num, self.line);
        // One entry per address; an address listed for two currencies (ETH and ETC) names both.
        let mut addresses: Vec<(Vec<&str>, &str)> = Vec::new();
        let mut address_index: HashMap<&str, usize> = HashMap::new();
        for address in digital_currency_addresses(&self.remarks) {
            match address {
                Ok((currency, value)) => match address_index.get(value) {
                    Some(&index) => addresses[index].0.push(currency),
                    None => {
                        address_index.insert(value, addresses.len());
                        addresses.push((vec![currency], value));
                    }
                },
                Err(message) => imported.warnings.push(ImportWarning { record: record.clone(), message }),
            }
        }
        for (number, (currencies, value)) in addresses.into_iter().enumerate() {
            let address_id = format!("{id}-addr-{}", number + 1);
            if !ids.take(&address_id) {
                continue;
            }
            let currencies = currencies.join("/");
            imported.entries.push(Entry {
                id: address_id,
                kind: EntryKind::Indicator { value: value.to_owned() },
                severity: Severity::High,
                note: format!("OFAC SDN{programs} {currencies} address of {id}, {}", self.name),
            });
        }
    }
}

/// `LAST, First Middle` as `First Middle LAST`; a name without a comma as it is.
fn natural_order(listed: &str) -> String {
    match listed.split_once(',') {
        Some((last, first)) if !last.trim().is_empty() && !first.trim().is_empty() => {
            format!("{} {}", first.trim(), last.trim())
        }
        _ => listed.to_owned(),
    }
}

/// The `Digital Currency Address - XBT 1A1z...` items of the remarks: (currency, address), or
/// why one was not taken. Remarks are cut at 1000 characters in the legacy files, so an
/// address the remarks end in without their closing `.` may be cut short and is not taken.
fn digital_currency_addresses(remarks: &str) -> Vec<Result<(&str, &str), String>> {
    let mut out = Vec::new();
    let items: Vec<&str> = remarks.split(';').collect();
    for (index, item) in items.iter().enumerate() {
        let item = item.trim();
        let item = item.strip_prefix("alt.").map_or(item, str::trim_start);
        let is_last = index + 1 == items.len();
        let Some(rest) = item.strip_prefix(DIGITAL_CURRENCY) else {
            if is_last && item.len() >= "Digital".len() && DIGITAL_CURRENCY.starts_with(item) {
                out.push(Err(format!(
                    "the remarks end in the middle of {item:?} (cut at their length limit?); an address may be missing"
                )));
            }
            continue;
        };
        if is_last && !rest.ends_with('.') {
            out.push(Err(format!(
                "the remarks end in the middle of {item:?} (cut at their length limit?); the address is not taken"
            )));
            continue;
        }
        let mut words = rest.trim_end_matches('.').split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some(currency), Some(address), None) if address.len() <= MAX_ADDRESS_LEN => {
                out.push(Ok((currency, address)))
            }
            _ => out.push(Err(format!("{item:?} is not a currency code and one address; it is not taken"))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_in_natural_order() {
        assert_eq!(natural_order("YAN, Xiaobing"), "Xiaobing YAN");
        assert_eq!(natural_order("AL-ZAWAHIRI, Ayman Muhammad Rabi"), "Ayman Muhammad Rabi AL-ZAWAHIRI");
        assert_eq!(natural_order("BANCO NACIONAL DE CUBA"), "BANCO NACIONAL DE CUBA");
        assert_eq!(natural_order(", x"), ", x");
    }

    #[test]
    fn addresses_come_from_the_remarks() {
        let remarks = "DOB 1977; Digital Currency Address - XBT 12QtD5; alt. Digital Currency Address - ETH \
                       0x7F36; Digital Currency Address - XBT 1Kuf2Rd8";
        assert_eq!(
            digital_currency_addresses(remarks),
            [
                Ok(("XBT", "12QtD5")),
                Ok(("ETH", "0x7F36")),
                Err("the remarks end in the middle of \"Digital Currency Address - XBT 1Kuf2Rd8\" \
                     (cut at their length limit?); the address is not taken"
                    .to_owned())
            ]
        );
        assert_eq!(digital_currency_addresses("Digital Currency Address - XMR 4A9q."), [Ok(("XMR", "4A9q"))]);
        assert_eq!(
            digital_currency_addresses("DOB 1977; Digital Currency Addres"),
            [Err(
                "the remarks end in the middle of \"Digital Currency Addres\" (cut at their length limit?); \
                  an address may be missing"
                    .to_owned()
            )]
        );
    }
}
