//! The budget of an `.ods`'s `content.xml`, walked as calamine walks it: per table, the cells
//! it collects row element by row element (a value repeated across columns is copied that
//! many times), and the rectangle it then fills from the first to the last row and column with
//! a value (repeated rows copied), for the values and again for the formulas; and the text
//! those cells hold once copied (a `<text:s text:c="…"/>` is that many spaces).
//!
//! Invariants: the walk keeps one table, one row and one cell of counts, whatever the file;
//! it knows no budget but the limits it is handed (`budget.rs` decides what they mean);
//! every count saturates; a repeat count is capped where calamine caps it.

use quick_xml::events::{BytesStart, Event};

/// Where the walk stops: the most text in one cell, and the cells and text of the whole
/// content past which counting further is pointless (the budget refuses it already).
pub(super) struct Limits {
    pub cell_text: u64,
    pub cells: u64,
    pub text: u64,
}
/// calamine's own caps on a sheet's rows and columns.
const ROWS: u64 = 1_048_576;
const COLS: u64 = 16_384;

/// Why the walk stopped early.
#[derive(Debug)]
pub(super) enum Failed {
    /// The XML cannot be read (the file is damaged).
    Damaged(String),
    /// A cell holds more text than [`Limits::cell_text`].
    CellText,
}

/// The cells and text calamine would make of the content.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cost {
    pub cells: u64,
    pub text: u64,
}

#[derive(Default)]
struct Table {
    collected: u64,
    rows: u64,
    first: Option<u64>,
    last: u64,
    width: u64,
    text: u64,
}

#[derive(Default)]
struct Row {
    repeats: u64,
    cols: u64,
    width: u64,
    text: u64,
}

struct Cell {
    repeats: u64,
    valued: bool,
    /// Its text is its content (a string without a `office:string-value`).
    content: bool,
    text: u64,
}

/// Where the walk is: the table, row and cell being read, and the cost so far.
struct Walk<'a> {
    limits: &'a Limits,
    cost: Cost,
    table: Table,
    row: Option<Row>,
    cell: Option<Cell>,
}

/// The cells and text calamine would make of the content, counted until past `limits`.
pub(super) fn cost<R: std::io::BufRead>(input: R, limits: &Limits) -> Result<Cost, Failed> {
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut walk = Walk {
        limits,
        cost: Cost::default(),
        table: Table::default(),
        row: None,
        cell: None,
    };
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| Failed::Damaged(e.to_string()))?;
        // A self-closing element ends where it starts.
        let (start, end): (Option<BytesStart>, Option<Vec<u8>>) = match event {
            Event::Eof => break,
            Event::Start(e) => (Some(e.into_owned()), None),
            Event::Empty(e) => {
                let name = e.name().as_ref().to_vec();
                (Some(e.into_owned()), Some(name))
            }
            Event::End(e) => (None, Some(e.name().as_ref().to_vec())),
            Event::Text(t) => {
                if let Some(c) = walk.cell.as_mut().filter(|c| c.content) {
                    c.text += t.len() as u64;
                }
                (None, None)
            }
            _ => (None, None),
        };
        if let Some(e) = start {
            walk.start(&e)?;
        }
        if let Some(name) = end
            && walk.end(&name)
        {
            return Ok(walk.cost);
        }
        buf.clear();
    }
    Ok(walk.cost)
}

fn is_cell(name: &[u8]) -> bool {
    name == b"table:table-cell" || name == b"table:covered-table-cell"
}

impl Walk<'_> {
    /// An element starts: a row, a cell, or text inside a cell.
    fn start(&mut self, e: &BytesStart) -> Result<(), Failed> {
        let name = e.name();
        let name = name.as_ref();
        if name == b"table:table-row" {
            self.row = Some(Row {
                repeats: number(e, b"table:number-rows-repeated")?,
                ..Row::default()
            });
        } else if is_cell(name)
            && let Some(r) = self.row.as_ref()
        {
            let repeats = number(e, b"table:number-columns-repeated")?;
            self.cell = Some(cell_of(e, repeats.min(COLS.saturating_sub(r.cols))));
        } else if let Some(c) = self.cell.as_mut().filter(|c| c.content) {
            match name {
                b"text:s" => c.text = c.text.saturating_add(number(e, b"text:c")?),
                b"text:p" => c.text += 1,
                _ => {}
            }
            if c.text > self.limits.cell_text {
                return Err(Failed::CellText);
            }
        }
        Ok(())
    }

    /// An element ends; `true` once the cost is over a limit (the walk can stop).
    fn end(&mut self, name: &[u8]) -> bool {
        if is_cell(name) {
            if let (Some(c), Some(r)) = (self.cell.take(), self.row.as_mut()) {
                r.cols += c.repeats;
                if c.valued {
                    r.width = r.cols;
                    r.text = r.text.saturating_add(c.text.saturating_mul(c.repeats));
                }
            }
        } else if name == b"table:table-row" {
            if let Some(r) = self.row.take() {
                self.table.add_row(&r);
            }
        } else if name == b"table:table" {
            let t = std::mem::take(&mut self.table);
            let rect = t
                .first
                .map_or(0, |f| (t.last - f + 1).saturating_mul(t.width));
            // Values and formulas: each collected, then laid out.
            let cells = t.collected.saturating_add(rect).saturating_mul(2);
            self.cost.cells = self.cost.cells.saturating_add(cells);
            self.cost.text = self.cost.text.saturating_add(t.text);
            return self.cost.cells > self.limits.cells || self.cost.text > self.limits.text;
        }
        false
    }
}

impl Table {
    fn add_row(&mut self, r: &Row) {
        let repeats = r.repeats.min(ROWS.saturating_sub(self.rows));
        self.collected += r.width;
        if r.width > 0 {
            self.first.get_or_insert(self.rows);
            self.last = self.rows + repeats.max(1) - 1;
            self.width = self.width.max(r.width);
            self.text = self.text.saturating_add(r.text.saturating_mul(repeats));
        }
        self.rows += repeats;
    }
}

/// A repeat count (1 when absent).
fn number(e: &BytesStart, key: &[u8]) -> Result<u64, Failed> {
    match e.try_get_attribute(key) {
        Ok(Some(a)) => std::str::from_utf8(&a.value)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .ok_or_else(|| Failed::Damaged("a repeat count that is not a number".to_owned())),
        Ok(None) => Ok(1),
        Err(e) => Err(Failed::Damaged(e.to_string())),
    }
}

fn cell_of(e: &BytesStart, repeats: u64) -> Cell {
    let mut cell = Cell {
        repeats,
        valued: false,
        content: false,
        text: 0,
    };
    let mut set = false;
    let mut string = false;
    for a in e.attributes().flatten() {
        match a.key.as_ref() {
            b"office:value"
            | b"office:string-value"
            | b"office:date-value"
            | b"office:time-value"
            | b"office:boolean-value" => {
                set = true;
                cell.text += a.value.len() as u64;
            }
            b"office:value-type" => string = a.value.as_ref() == b"string",
            b"table:formula" => {
                cell.valued = true;
                cell.text += a.value.len() as u64;
            }
            _ => {}
        }
    }
    cell.valued |= set || string;
    cell.content = string && !set;
    cell
}
