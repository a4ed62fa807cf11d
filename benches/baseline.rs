//! Baseline for the survey benchmark: the plainest single-threaded csv::ByteRecord loop that
//! computes the aggregates journeymap computes for a long-layout file (per stage: NPS
//! counts, CSAT top-two-box count and mean, CES mean and variance, comment count).
//! journeymap's reader is measured against this in `benches/survey.sh`.
//!
//! Run: cargo bench --bench baseline -- FILE.csv

use std::collections::HashMap;

#[derive(Default, Debug)]
struct Acc {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Acc {
    fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }
}

#[derive(Default, Debug)]
struct Stage {
    nps: Acc,
    promoters: u64,
    detractors: u64,
    csat: Acc,
    top_box: u64,
    ces: Acc,
    comments: u64,
}

fn number(b: &[u8]) -> Option<f64> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .expect("usage: baseline FILE.csv");
    let mut rdr = csv::ReaderBuilder::new()
        .from_path(&path)
        .expect("readable CSV");
    let headers = rdr.byte_headers().expect("a header row").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name.as_bytes())
            .expect(name)
    };
    let (stage, nps, csat, ces, comment) = (
        col("stage"),
        col("nps"),
        col("csat"),
        col("ces"),
        col("comment"),
    );
    let mut stages: HashMap<Vec<u8>, Stage> = HashMap::new();
    let mut rec = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).expect("valid CSV") {
        let key = &rec[stage];
        let s = match stages.get_mut(key) {
            Some(s) => s,
            None => stages.entry(key.to_vec()).or_default(),
        };
        if let Some(x) = number(&rec[nps]).filter(|x| (0.0..=10.0).contains(x)) {
            s.nps.add(x);
            s.promoters += u64::from(x >= 9.0);
            s.detractors += u64::from(x <= 6.0);
        }
        if let Some(x) = number(&rec[csat]).filter(|x| (1.0..=5.0).contains(x)) {
            s.csat.add(x);
            s.top_box += u64::from(x >= 4.0);
        }
        if let Some(x) = number(&rec[ces]).filter(|x| (1.0..=7.0).contains(x)) {
            s.ces.add(x);
        }
        s.comments += u64::from(!rec[comment].is_empty());
    }
    let mut keys: Vec<_> = stages.keys().cloned().collect();
    keys.sort();
    for k in keys {
        let s = &stages[&k];
        println!(
            "{} nps n={} {:.4} csat n={} {:.4} ces n={} {:.4}",
            String::from_utf8_lossy(&k),
            s.nps.n,
            (s.promoters as f64 - s.detractors as f64) / s.nps.n as f64 * 100.0,
            s.csat.n,
            s.top_box as f64 / s.csat.n as f64 * 100.0,
            s.ces.n,
            s.ces.mean,
        );
    }
}
