//! The records are what csv reads: generated files, plain files, every export here.
use super::*;
use proptest::prelude::*;
use std::sync::Arc;

fn over(bytes: &[u8]) -> Reopen {
    let bytes: Arc<[u8]> = bytes.into();
    Box::new(move |at| {
        let mut c = std::io::Cursor::new(bytes.clone());
        c.set_position(at);
        Ok(Box::new(c))
    })
}

/// Each record (cells, byte, line, record index, size), then where reading ended.
type Read = (Vec<(Vec<Vec<u8>>, u64, u64, u64, usize)>, u64, bool, u64);

fn seen(rec: &Record) -> (Vec<Vec<u8>>, u64, u64, u64, usize) {
    let cells = rec.iter().map(<[u8]>::to_vec).collect();
    (cells, rec.byte(), rec.line(), rec.index, rec.size())
}

fn by_csv(bytes: &[u8]) -> Read {
    let stream: Box<dyn std::io::Read> = Box::new(std::io::Cursor::new(bytes.to_vec()));
    let mut reader = csv_reader(stream, b',');
    let mut rec = csv::ByteRecord::new();
    let mut out = Vec::new();
    while matches!(reader.read_byte_record(&mut rec), Ok(true)) {
        out.push(seen(&Record::from_csv(&rec)));
    }
    let guard = reader.get_ref();
    let open = guard.open_quote();
    let quote_line = if open { guard.quote_line() } else { 0 };
    (out, reader.position().line(), open, quote_line)
}

fn by_records(bytes: &[u8], buffer: usize) -> (Read, bool) {
    let start = Records::start_with(over(bytes), b',', csv::Position::new(), buffer);
    let mut records = match start {
        Ok(Some(r)) => r,
        Ok(None) => Records::csv(csv_reader(over(bytes)(0).expect("in memory"), b','), b','),
        Err(e) => panic!("in memory: {e}"),
    };
    let mut rec = Record::default();
    let mut out = Vec::new();
    // Some records are read with a copy, the others handed over as they are, in a
    // pattern that varies with the buffer size (all handed over for 64 KiB).
    let pattern = (buffer as u32).wrapping_mul(2_654_435_761) >> 24;
    for k in 0.. {
        let copy = buffer != BUFFER && pattern >> (k % 8) & 1 == 1;
        if copy {
            if !matches!(records.read(&mut rec), Ok(true)) {
                break;
            }
            out.push(seen(&rec));
        } else {
            match records.read_with(&mut rec, |cells| {
                let cells_of =
                    (0..cells.len()).map(|i| cells.field(i).unwrap_or_default().to_vec());
                (cells_of.collect(), cells.byte(), cells.line(), cells.size())
            }) {
                Ok(Some((cells, byte, line, size))) => {
                    let index = out.len() as u64;
                    out.push((cells, byte, line, index, size));
                }
                _ => break,
            }
        }
    }
    let open = records.open_quote();
    let quote_line = if open { records.quote_line() } else { 0 };
    let read = (out, records.position().line(), open, quote_line);
    (read, records.is_fast())
}

/// Cells and line ends, quoted or not, with the odd things real files hold.
fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a",
        "bc",
        "4",
        " ",
        "é",
        ",",
        ",",
        ",",
        "\"",
        "\"\"",
        "\"x\"",
        "\"y, z\"",
        "\"multi\nline\"",
        "\"say \"\"hi\"\"\"",
        "\n",
        "\n",
        "\r\n",
        "\r",
        "\u{feff}",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]

    #[test]
    fn records_are_what_csv_reads(tokens in prop::collection::vec(token(), 0..80), buffer in 1usize..40) {
        let bytes = tokens.concat().into_bytes();
        let (got, _) = by_records(&bytes, buffer);
        prop_assert_eq!(got, by_csv(&bytes));
    }

    #[test]
    fn plain_files_are_what_csv_reads(
        rows in prop::collection::vec(prop::collection::vec(prop::sample::select(vec![
            "", "a", "9", "\"q\"", "\"\"", "\"a,b\"", "\"two\nlines\"", "\"x \"\"y\"\"\"",
        ]), 1..5), 0..30),
        crlf in any::<bool>(),
        blank in 0usize..40,
        ended in any::<bool>(),
        buffer in 1usize..64,
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = String::new();
        for (i, row) in rows.iter().enumerate() {
            if i == blank {
                text.push_str(end);
            }
            text.push_str(&row.join(","));
            if ended || i + 1 < rows.len() {
                text.push_str(end);
            }
        }
        let bytes = text.into_bytes();
        let (got, _) = by_records(&bytes, buffer);
        prop_assert_eq!(got, by_csv(&bytes));
    }
}

#[test]
fn plain_files_stay_with_simd_csv() {
    for text in [
        "a,b\n1,\"x, \"\"y\"\"\"\n\n2,\"two\nlines\"\n",
        "a,b\r\n1,\"x\"\r\n2,3",
    ] {
        let (got, fast) = by_records(text.as_bytes(), 8);
        assert!(fast, "{text:?} left simd-csv");
        assert_eq!(got, by_csv(text.as_bytes()));
    }
    // A quote inside an unquoted cell is csv's to read, from that record on.
    let text = "a,b\n1,5\" screen\n2,3\n";
    let (got, fast) = by_records(text.as_bytes(), 8);
    assert!(!fast);
    assert_eq!(got, by_csv(text.as_bytes()));
    assert_eq!(got.0[1].0, [b"1".to_vec(), b"5\" screen".to_vec()]);
}

#[test]
fn every_export_in_the_repository_reads_as_csv_reads_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = 0;
    for dir in ["tests/fixtures", "examples"] {
        for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
            let entry = entry.expect("walk");
            if entry.path().extension().is_none_or(|e| e != "csv") {
                continue;
            }
            let bytes = std::fs::read(entry.path()).expect("read");
            for buffer in [7, BUFFER] {
                let (got, _) = by_records(&bytes, buffer);
                assert_eq!(got, by_csv(&bytes), "{}", entry.path().display());
            }
            files += 1;
        }
    }
    assert!(files >= 40, "only {files} exports found");
}
