//! Meta catalog feeds in CSV or TSV with a header row (spec §5), read with a real CSV parser:
//! quoted fields, embedded delimiters and newlines, a UTF-8 byte order mark, `9.99 USD` prices,
//! unknown columns ignored. A bad row is rejected with its line, column and reason; the good
//! rows load.

use std::collections::hash_map::Entry;
use std::fmt;
use std::io::{self, Read};

use wacart_schema::{CatalogId, RetailerId};

use crate::catalog::{Catalog, CatalogEvent, Change};
use crate::error::{CatalogError, FeedError};
use crate::money::Currency;
use crate::product::{Draft, Field, Product, check_retailer_id, field, quote};

/// The delimiter of a feed, told by its header line: tabs make a TSV, anything else a CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FeedFormat {
    /// Comma-separated.
    Csv,
    /// Tab-separated.
    Tsv,
}

/// A row the import refused: where and why. `Display` writes `line N: COLUMN: REASON`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RejectedRow {
    /// The line of the file the row starts on (the header is line 1).
    pub line: u64,
    /// The column as the header names it (`#N` for a field past the header's columns).
    pub column: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for RejectedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.column, self.reason)
    }
}

/// What an import (or a check) of a feed found. `Display` writes one `line N: COLUMN: REASON`
/// per rejected row, then `N products loaded, M rows rejected`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeedReport {
    /// CSV or TSV.
    pub format: FeedFormat,
    /// Rows loaded (created, updated, or already as the feed says).
    pub loaded: usize,
    /// Of those, products new to the catalog.
    pub created: usize,
    /// Of those, products that were in the catalog and changed.
    pub updated: usize,
    /// Rows refused, in file order, each with its first problem.
    pub rejected: Vec<RejectedRow>,
}

impl fmt::Display for FeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for row in &self.rejected {
            writeln!(f, "{row}")?;
        }
        write!(
            f,
            "{} products loaded, {} rows rejected",
            self.loaded,
            self.rejected.len()
        )
    }
}

/// The result of [`Catalog::import_feed`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeedImport {
    /// What was loaded and what was refused.
    pub report: FeedReport,
    /// One event per product that was in the catalog and changed (price, availability, ...).
    /// Products new to the catalog are counted in [`FeedReport::created`], not announced: no
    /// cart or message can hold them yet, and a million-row first import stays small.
    pub events: Vec<CatalogEvent>,
}

/// Checks a feed without keeping it: every rejected row and the counts, as an import into an
/// empty catalog would report them. This is what `wacart catalog check` prints.
///
/// ```
/// let feed = b"id,title,description,availability,condition,price,link,image_link\n\
/// a,Shirt,Cotton,in stock,new,9.99 USD,https://s.example/a,https://c.example/a.jpg\n\
/// b,Hat,Wool,in stock,new,9.999 USD,https://s.example/b,https://c.example/b.jpg\n";
/// let report = wacart_catalog::check_feed(feed).unwrap();
/// assert_eq!(
///     report.to_string(),
///     "line 3: price: `9.999 USD`: more decimals than USD has (2)\n1 products loaded, 1 rows rejected"
/// );
/// ```
///
/// # Errors
/// [`CatalogError::UnreadableFeed`] or [`CatalogError::BadFeedHeader`] (no header row, a
/// required column missing or one twice).
pub fn check_feed(bytes: &[u8]) -> Result<FeedReport, FeedError> {
    let mut scratch = Catalog::new(CatalogId::new(""));
    scratch.import_feed(bytes).map(|import| import.report)
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One header column: the field it feeds (none for columns this crate ignores) and its name as
/// written.
struct Column {
    field: Option<Field>,
    name: String,
}

/// The currency the feed's rows must have, and where it came from.
#[derive(Clone, Copy)]
struct FeedCurrency {
    currency: Currency,
    /// The line of the first good row that set it; `None` when the catalog already had it.
    line: Option<u64>,
}

/// A feed read and parsed but not yet applied to a catalog: its format, its columns and every
/// row as a product or the reason it is refused. Parsing is the slow part of an import and needs
/// no catalog, so it can run elsewhere (another thread, outside a lock); [`Catalog::apply_feed`]
/// then takes the rows in order.
pub struct ParsedFeed {
    format: FeedFormat,
    columns: Vec<Column>,
    rows: Vec<ParsedRow>,
}

/// A row of a parsed feed: its line and its product, or the column and reason it is refused.
type ParsedRow = (u64, Result<Product, (String, String)>);

impl std::fmt::Debug for ParsedFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParsedFeed")
            .field("format", &self.format)
            .field("rows", &self.rows.len())
            .finish_non_exhaustive()
    }
}

/// Reads and parses a CSV or TSV feed (told apart by its header line) without a catalog.
///
/// # Errors
/// [`CatalogError::UnreadableFeed`] when reading fails, [`CatalogError::BadFeedHeader`] when
/// there is no header row, a required column is missing or a column appears twice. Rows are
/// never errors: each refused one is kept with its reason.
pub fn parse_feed<R: Read>(mut reader: R) -> Result<ParsedFeed, CatalogError> {
    let head = read_head(&mut reader)?;
    let head = head.strip_prefix(BOM).map(<[u8]>::to_vec).unwrap_or(head);
    let format = sniff(&head);
    let delimiter = match format {
        FeedFormat::Tsv => b'\t',
        FeedFormat::Csv => b',',
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // Only `\n` ends a record, so the parser counts every record's terminator as a line
        // (with CRLF it would leave the `\n` for the next record); the `\r` of a CRLF
        // is whitespace and trimmed with the value.
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(1 << 16)
        // A final newline makes every record end with one, which the line arithmetic
        // below relies on; a blank last line is skipped like any other.
        .from_reader(io::Cursor::new(head).chain(reader).chain(&b"\n"[..]));
    let unreadable = |e: csv::Error| CatalogError::UnreadableFeed(e.to_string());

    let mut record = csv::ByteRecord::new();
    loop {
        if !csv.read_byte_record(&mut record).map_err(unreadable)? {
            return Err(CatalogError::BadFeedHeader(
                "the feed is empty: no header row".into(),
            ));
        }
        if !is_blank(&record) {
            break;
        }
    }
    let columns = header(&record)?;
    let mut rows = Vec::new();
    while csv.read_byte_record(&mut record).map_err(unreadable)? {
        // The parser's position of a record is where it started looking, before any blank
        // lines it skipped; count back from its end instead: the line after the record,
        // less its terminator and the newlines inside its quoted fields.
        let after = csv.position().line();
        let inside = record.as_slice().iter().filter(|b| **b == b'\n').count();
        let started = record.position().map_or(1, csv::Position::line);
        let line = after.saturating_sub(inside as u64 + 1).max(started);
        if is_blank(&record) {
            continue;
        }
        rows.push((line, parse_row(&record, &columns)));
    }
    Ok(ParsedFeed {
        format,
        columns,
        rows,
    })
}

impl Catalog {
    /// Imports a CSV or TSV feed (told apart by its header line), row by row from `reader`:
    /// each good row creates its product or replaces the product with its id; each bad row is
    /// reported with its line, column and reason and changes nothing. All rows must share one
    /// currency: the catalog's, or else the first good row's. An id twice in one feed loads
    /// the first row and rejects the later ones. It is [`parse_feed`] then
    /// [`Catalog::apply_feed`].
    ///
    /// # Errors
    /// [`CatalogError::UnreadableFeed`] when reading fails, [`CatalogError::BadFeedHeader`]
    /// when there is no header row, a required column is missing or a column appears twice.
    /// Rows are never errors: they are in the report.
    pub fn import_feed<R: Read>(&mut self, reader: R) -> Result<FeedImport, CatalogError> {
        Ok(self.apply_feed(parse_feed(reader)?))
    }

    /// Applies a parsed feed, as [`Catalog::import_feed`] describes.
    pub fn apply_feed(&mut self, feed: ParsedFeed) -> FeedImport {
        let ParsedFeed {
            format,
            columns,
            rows,
        } = feed;
        let mut report = FeedReport {
            format,
            loaded: 0,
            created: 0,
            updated: 0,
            rejected: Vec::new(),
        };
        let mut events = Vec::new();
        let mut currency = self.currency().map(|currency| FeedCurrency {
            currency,
            line: None,
        });
        // The line that loaded each slot in this import, to find an id given twice.
        let mut loaded_at: Vec<u64> = Vec::new();

        for (line, parsed) in rows {
            let reject = |column: &str, reason: String| RejectedRow {
                line,
                column: column.to_owned(),
                reason,
            };
            let product = match parsed {
                Ok(product) => product,
                Err((column, reason)) => {
                    report.rejected.push(reject(&column, reason));
                    continue;
                }
            };
            let found = product.price().currency();
            let currency_problem = |feed: FeedCurrency| {
                let whose = match feed.line {
                    Some(l) => format!("the feed's currency {} (line {l})", feed.currency),
                    None => format!("the catalog's currency {}", feed.currency),
                };
                format!("currency {found} differs from {whose}")
            };
            let wrong_currency = currency.filter(|c| c.currency != found);
            // One hash per row: the id's entry says whether the product is new.
            let key: Box<str> = product.retailer_id().as_str().into();
            let slot = match self.index.entry(key) {
                Entry::Occupied(entry) => {
                    let slot = *entry.get() as usize;
                    if let Some(first) = loaded_at.get(slot).copied().filter(|l| *l > 0) {
                        let column = column_name(&columns, Field::Id);
                        let reason = format!("duplicate id, first on line {first}");
                        report.rejected.push(reject(column, reason));
                        continue;
                    }
                    if let Some(feed) = wrong_currency {
                        let column = column_name(&columns, Field::Price);
                        report.rejected.push(reject(column, currency_problem(feed)));
                        continue;
                    }
                    let Some(old) = self.slots.get_mut(slot).and_then(Option::as_mut) else {
                        continue;
                    };
                    let changed = old.changes_to(&product);
                    if changed.any() {
                        report.updated += 1;
                        let was_purchasable = old.is_purchasable();
                        let purchasable = product.is_purchasable();
                        let retailer_id = product.retailer_id().clone();
                        *old = product;
                        events.push(CatalogEvent::new(
                            self.id.clone(),
                            retailer_id,
                            Change::Updated {
                                changed,
                                was_purchasable,
                                purchasable,
                            },
                        ));
                    }
                    slot
                }
                Entry::Vacant(entry) => {
                    if let Some(feed) = wrong_currency {
                        let column = column_name(&columns, Field::Price);
                        report.rejected.push(reject(column, currency_problem(feed)));
                        continue;
                    }
                    let slot = self.slots.len();
                    let Ok(slot32) = u32::try_from(slot) else {
                        let column = column_name(&columns, Field::Id);
                        report
                            .rejected
                            .push(reject(column, CatalogError::CatalogFull.to_string()));
                        continue;
                    };
                    entry.insert(slot32);
                    self.slots.push(Some(product));
                    self.currency.get_or_insert(found);
                    report.created += 1;
                    slot
                }
            };
            if loaded_at.len() <= slot {
                loaded_at.resize(slot + 1, 0);
            }
            if let Some(at) = loaded_at.get_mut(slot) {
                *at = line.max(1);
            }
            currency.get_or_insert(FeedCurrency {
                currency: found,
                line: Some(line),
            });
            report.loaded += 1;
        }
        FeedImport { report, events }
    }
}

/// Reads until the end of the first line (at most 64 KiB) to see the BOM and the delimiter.
fn read_head<R: Read>(reader: &mut R) -> Result<Vec<u8>, CatalogError> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 8192];
    while head.len() < (1 << 16) && !head.contains(&b'\n') {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(CatalogError::UnreadableFeed(e.to_string())),
        }
    }
    Ok(head)
}

/// A record of nothing but whitespace (a blank line, `\r`, `,,,`): skipped.
fn is_blank(record: &csv::ByteRecord) -> bool {
    record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
}

/// TSV when the header line has more tabs than commas.
fn sniff(head: &[u8]) -> FeedFormat {
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| line.iter().filter(|b| **b == c).count();
    if count(b'\t') > count(b',') {
        FeedFormat::Tsv
    } else {
        FeedFormat::Csv
    }
}

fn header(record: &csv::ByteRecord) -> Result<Vec<Column>, CatalogError> {
    let mut columns: Vec<Column> = Vec::with_capacity(record.len());
    for (i, raw) in record.iter().enumerate() {
        let name = std::str::from_utf8(raw)
            .map_err(|_| {
                CatalogError::BadFeedHeader(format!("column {} is not valid UTF-8", i + 1))
            })?
            .trim();
        let field = Field::from_name(name);
        // Reports name columns as written, one line per row: control characters escaped.
        let name: String = name.chars().flat_map(char::escape_debug).collect();
        let name = if name.is_empty() {
            format!("#{}", i + 1)
        } else {
            name
        };
        if let Some(f) = field
            && columns.iter().any(|c| c.field == Some(f))
        {
            return Err(CatalogError::BadFeedHeader(format!(
                "column `{}` appears twice",
                f.name()
            )));
        }
        columns.push(Column { field, name });
    }
    let missing: Vec<String> = field::REQUIRED
        .iter()
        .filter(|r| {
            !columns
                .iter()
                .any(|c| c.field.is_some_and(|f| f.name() == **r))
        })
        .map(|r| format!("`{r}`"))
        .collect();
    if !missing.is_empty() {
        return Err(CatalogError::BadFeedHeader(format!(
            "missing required columns: {}",
            missing.join(", ")
        )));
    }
    Ok(columns)
}

fn column_name(columns: &[Column], field: Field) -> &str {
    columns
        .iter()
        .find(|c| c.field == Some(field))
        .map_or(field.name(), |c| c.name.as_str())
}

/// One row as a product, or the first problem in column order: `(column, reason)`.
fn parse_row(record: &csv::ByteRecord, columns: &[Column]) -> Result<Product, (String, String)> {
    // One UTF-8 check for the whole row; a field is then a slice of it (a field that splits a
    // character is not a slice, and is reported as invalid).
    let text = std::str::from_utf8(record.as_slice()).ok();
    let mut id = None;
    let mut draft = Draft::default();
    for (i, column) in columns.iter().enumerate() {
        let Some(raw) = record.get(i) else {
            let reason = format!(
                "missing: the row has {} fields, the header has {}",
                record.len(),
                columns.len()
            );
            return Err((column.name.clone(), reason));
        };
        let Some(field) = column.field else { continue };
        let value = match text {
            Some(text) => record.range(i).and_then(|r| text.get(r)),
            None => std::str::from_utf8(raw).ok(),
        };
        let value = value.ok_or_else(|| (column.name.clone(), "not valid UTF-8".to_owned()))?;
        let at = |reason: String| (column.name.clone(), reason);
        if field == Field::Id {
            let value = value.trim();
            check_retailer_id(value).map_err(at)?;
            id = Some(value);
        } else {
            draft.set(field, value).map_err(at)?;
        }
    }
    if let Some((i, extra)) = record
        .iter()
        .enumerate()
        .skip(columns.len())
        .find(|(_, f)| !f.trim_ascii().is_empty())
    {
        let reason = format!(
            "{} past the header's {} columns (a quoting problem?)",
            quote(&String::from_utf8_lossy(extra)),
            columns.len()
        );
        return Err((format!("#{}", i + 1), reason));
    }
    let id = id.ok_or_else(|| (field::ID.to_owned(), "required".to_owned()))?;
    draft
        .build(RetailerId::new(id))
        .map_err(|(field, reason)| (column_name(columns, field).to_owned(), reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Change;
    use crate::product::Availability;

    const HEADER: &str = "id,title,description,availability,condition,price,link,image_link";

    fn row(id: &str, price: &str) -> String {
        format!(
            "{id},Title {id},Desc,in stock,new,{price},https://s.example/{id},https://c.example/{id}.jpg"
        )
    }

    fn feed(rows: &[String]) -> String {
        let mut s = HEADER.to_owned();
        for r in rows {
            s.push('\n');
            s.push_str(r);
        }
        s.push('\n');
        s
    }

    fn check(text: &str) -> FeedReport {
        check_feed(text.as_bytes()).unwrap()
    }

    #[test]
    fn loads_good_rows_and_reports_bad_ones_with_line_column_reason() {
        let text = feed(&[
            row("a", "9.99 USD"),
            row("b", "9.999 USD"),
            row("c", "10 USD"),
            "d,,Desc,in stock,new,1 USD,https://s/d,https://c/d".to_owned(),
            row("e", "5 EUR"),
            row("a", "1 USD"),
        ]);
        let report = check(&text);
        assert_eq!(report.loaded, 2);
        assert_eq!(report.created, 2);
        assert_eq!(
            report.to_string(),
            "line 3: price: `9.999 USD`: more decimals than USD has (2)\n\
             line 5: title: required\n\
             line 6: price: currency EUR differs from the feed's currency USD (line 2)\n\
             line 7: id: duplicate id, first on line 2\n\
             2 products loaded, 4 rows rejected"
        );
    }

    #[test]
    fn quoted_fields_embedded_commas_newlines_and_a_bom() {
        let text = format!(
            "\u{feff}{HEADER},brand\n\
             \"a\",\"Shirt, blue\",\"Line one\nline \"\"two\"\"\",in stock,new,9.99 USD,https://s/a,https://c/a.jpg,Acme\n\
             {}\n",
            row("b", "1 USD") + ",",
        );
        let mut catalog = Catalog::new("1".into());
        let import = catalog.import_feed(text.as_bytes()).unwrap();
        assert_eq!(import.report.rejected, []);
        assert_eq!(import.report.format, FeedFormat::Csv);
        let a = catalog.get(&"a".into()).unwrap();
        assert_eq!(a.title(), "Shirt, blue");
        assert_eq!(a.description(), "Line one\nline \"two\"");
        assert_eq!(a.brand(), Some("Acme"));
        assert_eq!(catalog.get(&"b".into()).unwrap().brand(), None);
    }

    #[test]
    fn line_numbers_count_physical_lines_of_multi_line_rows() {
        let text = format!(
            "{HEADER}\na,T,\"one\ntwo\nthree\",in stock,new,1 USD,https://s/a,https://c/a\n{}\n",
            row("b", "oops")
        );
        let report = check(&text);
        assert_eq!(report.rejected[0].line, 5);
        assert_eq!(report.rejected[0].column, "price");
    }

    #[test]
    fn line_numbers_count_blank_lines_and_crlf() {
        let text = format!(
            "{HEADER}\r\n\r\n\n{}\r\n\n\n{}",
            row("a", "x"),
            row("b", "y")
        );
        let report = check(&text);
        let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, [4, 7]);
        let text = format!("{HEADER}\n{}\n", row("a", "\"1\n2\""));
        assert_eq!(check(&text).rejected[0].line, 2);
    }

    #[test]
    fn tsv_feeds_and_unknown_columns() {
        let text = "id\ttitle\tdescription\tavailability\tcondition\tprice\tlink\timage_link\tgtin\tcolor\n\
                    a\tShirt, blue\tSoft\tpreorder\tused\t1500 JPY\thttps://s/a\thttps://c/a\t123\tred\n";
        let mut catalog = Catalog::new("1".into());
        let import = catalog.import_feed(text.as_bytes()).unwrap();
        assert_eq!(import.report.format, FeedFormat::Tsv);
        assert_eq!(import.report.loaded, 1);
        let a = catalog.get(&"a".into()).unwrap();
        assert_eq!(a.title(), "Shirt, blue");
        assert_eq!(a.price().minor(), 1500);
        assert_eq!(*a.availability(), Availability::Preorder);
    }

    #[test]
    fn header_case_and_column_order_do_not_matter() {
        let text = "Price, ID ,Title,Description,Availability,Condition,Link,Image_Link,Sale_Price\n\
                    2.000 KWD,k,T,D,In Stock,New,https://s/k,https://c/k,1.500 KWD\n\
                    2 KWD,m,T,D,in stock,new,https://s/m,https://c/m,3 KWD\n";
        let report = check(text);
        assert_eq!(
            report.to_string(),
            "line 3: Sale_Price: 3.000 KWD is not lower than the price 2.000 KWD\n\
             1 products loaded, 1 rows rejected"
        );
    }

    #[test]
    fn unusable_headers_are_errors() {
        for (text, shown) in [
            ("", "unusable feed header: the feed is empty: no header row"),
            (
                "\u{feff}",
                "unusable feed header: the feed is empty: no header row",
            ),
            (
                "\r\n \r\n,,\n",
                "unusable feed header: the feed is empty: no header row",
            ),
            (
                "id,title,description,availability,condition,link,image_link\n",
                "unusable feed header: missing required columns: `price`",
            ),
            (
                "sku,name,cost\n1,2,3\n",
                "unusable feed header: missing required columns: `id`, `title`, `description`, `availability`, `condition`, `price`, `link`, `image_link`",
            ),
            (
                "id,title,description,availability,condition,price,link,image_link,PRICE\n",
                "unusable feed header: column `price` appears twice",
            ),
        ] {
            assert_eq!(
                check_feed(text.as_bytes()).unwrap_err().to_string(),
                shown,
                "{text:?}"
            );
        }
        let bad_utf8 = b"id,\xff\xfe,title\n";
        assert_eq!(
            check_feed(bad_utf8).unwrap_err().to_string(),
            "unusable feed header: column 2 is not valid UTF-8"
        );
    }

    #[test]
    fn odd_column_names_are_reported_on_one_line() {
        // The header spans lines 1 and 2 (a quoted name with a line break); the row is line 3.
        let text = format!("{HEADER},\"x\ny\",\n{}\n", row("a", "1 USD"));
        let report = check(&text);
        assert_eq!(
            report.to_string(),
            "line 3: x\\ny: missing: the row has 8 fields, the header has 10\n\
             0 products loaded, 1 rows rejected"
        );
    }

    #[test]
    fn header_only_feed_loads_nothing() {
        assert_eq!(
            check(HEADER).to_string(),
            "0 products loaded, 0 rows rejected"
        );
    }

    #[test]
    fn short_long_and_blank_rows() {
        let text = format!(
            "{HEADER}\na,T,D,in stock,new\n\n{},extra\n{},  \n,,,,,,,\n",
            row("b", "1 USD"),
            row("c", "1 USD")
        );
        let report = check(&text);
        assert_eq!(
            report.to_string(),
            "line 2: price: missing: the row has 5 fields, the header has 8\n\
             line 4: #9: `extra` past the header's 8 columns (a quoting problem?)\n\
             1 products loaded, 2 rows rejected"
        );
    }

    #[test]
    fn invalid_utf8_in_a_field_rejects_the_row_only() {
        let mut bytes = format!("{HEADER}\n").into_bytes();
        bytes.extend_from_slice(b"a,T\xff,D,in stock,new,1 USD,https://s/a,https://c/a\n");
        bytes.extend_from_slice(row("b", "1 USD").as_bytes());
        let report = check_feed(&bytes).unwrap();
        assert_eq!(
            report.to_string(),
            "line 2: title: not valid UTF-8\n1 products loaded, 1 rows rejected"
        );
    }

    #[test]
    fn control_characters_are_escaped_in_reasons() {
        let text =
            format!("{HEADER}\na,T,D,in stock,\"mint\ncondition\",1 USD,https://s/a,https://c/a\n");
        let report = check(&text);
        assert_eq!(
            report.rejected[0].to_string(),
            "line 2: condition: `mint\\ncondition` is not a condition (new, refurbished, used)"
        );
    }

    #[test]
    fn reimport_updates_existing_products_and_reports_changes() {
        let mut catalog = Catalog::new("1".into());
        catalog
            .import_feed(feed(&[row("a", "1 USD"), row("b", "2 USD")]).as_bytes())
            .unwrap();
        let second = feed(&[
            row("a", "1 USD"),
            row("b", "2 USD").replace("in stock", "out of stock"),
            row("c", "3 USD"),
        ]);
        let import = catalog.import_feed(second.as_bytes()).unwrap();
        assert_eq!(
            (
                import.report.loaded,
                import.report.created,
                import.report.updated
            ),
            (3, 1, 1)
        );
        assert_eq!(import.events.len(), 1);
        let ev = &import.events[0];
        assert_eq!(ev.retailer_id, "b");
        assert!(ev.removes_from_carts());
        assert!(matches!(
            ev.change,
            Change::Updated {
                was_purchasable: true,
                purchasable: false,
                ..
            }
        ));
        // The catalog's currency binds later feeds.
        let eur = feed(&[row("d", "1 EUR")]);
        let report = catalog.import_feed(eur.as_bytes()).unwrap().report;
        assert_eq!(
            report.to_string(),
            "line 2: price: currency EUR differs from the catalog's currency USD\n\
             0 products loaded, 1 rows rejected"
        );
    }

    #[test]
    fn a_bad_first_row_does_not_set_the_currency() {
        let report = check(&feed(&[
            row("a", "1 EUR").replace("new", "mint"),
            row("b", "1 USD"),
        ]));
        assert_eq!(report.loaded, 1);
        assert_eq!(report.rejected[0].column, "condition");
    }

    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn io_errors_are_unreadable_feeds() {
        let err = Catalog::new("1".into()).import_feed(Failing).unwrap_err();
        assert_eq!(err.to_string(), "unreadable feed: disk on fire");
        let head = HEADER.as_bytes().chain(&b"\n"[..]).chain(Failing);
        let err = Catalog::new("1".into()).import_feed(head).unwrap_err();
        assert!(matches!(err, CatalogError::UnreadableFeed(_)));
    }
}
