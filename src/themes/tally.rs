//! The tally of an aggregate's comments per theme, and the bounded samples the outputs quote
//! from: the comments in no theme (whose keyphrases say what the codebook misses) and each
//! theme's examples.
//!
//! Invariants: a sample keeps the smallest XXH3 hashes of the distinct texts, so which are
//! kept does not depend on the order comments are read or tallies merged, and memory does
//! not grow with rows.

/// Words and phrases listed for the comments in no theme.
pub const MISSED_WORDS: usize = 8;

/// Distinct comments in no theme kept per tally to tell what the codebook misses.
pub const MISSED_SAMPLE: usize = 300;

/// The substantive comments of one aggregate and how many belong to each theme.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Substantive comments read.
    pub n: u64,
    /// Per theme, in codebook order.
    pub matched: Vec<u64>,
    /// Comments that belong to no theme.
    pub unthemed: u64,
    /// A sample of the distinct comments in no theme: the [`MISSED_SAMPLE`] with the smallest
    /// XXH3 hash of their text, sorted by (hash, text). Which are kept does not depend on the
    /// order comments are read or tallies merged, and memory does not grow with rows.
    pub missed: Vec<(u64, String)>,
    /// Per theme, the same kind of sample of its comments, [`EXAMPLES`] long: the quotes
    /// shown for it.
    pub examples: Vec<Vec<(u64, String)>>,
}

/// Comments kept per theme to quote.
pub const EXAMPLES: usize = 3;

/// Offer `text` (hash `h`) to a sample of the `keep` smallest (hash, text), distinct.
fn offer(sample: &mut Vec<(u64, String)>, keep: usize, h: u64, text: &str) {
    if sample.len() >= keep && sample.last().is_some_and(|l| h > l.0) {
        return;
    }
    let key = (h, text);
    if let Err(at) = sample.binary_search_by(|(lh, lt)| (*lh, lt.as_str()).cmp(&key)) {
        sample.insert(at, (h, text.to_owned()));
        sample.truncate(keep);
    }
}

/// Two samples of the same kind as one.
fn merge_sample(into: &mut Vec<(u64, String)>, other: &[(u64, String)], keep: usize) {
    if !other.is_empty() {
        into.extend(other.iter().cloned());
        into.sort_unstable();
        into.dedup();
        into.truncate(keep);
    }
}

impl Tally {
    /// Count one comment of the themes `of` (of `themes` in all).
    pub fn add(&mut self, of: &[usize], themes: usize) {
        self.matched.resize(themes.max(self.matched.len()), 0);
        self.n += 1;
        if of.is_empty() {
            self.unthemed += 1;
        }
        for &t in of {
            self.matched[t] += 1;
        }
    }

    /// Offer a comment of the themes `of` (none: a comment in no theme) to the samples the
    /// outputs quote from.
    pub fn add_example(&mut self, of: &[usize], text: &str) {
        let h = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        if of.is_empty() {
            offer(&mut self.missed, MISSED_SAMPLE, h, text);
            return;
        }
        for &t in of {
            if self.examples.len() <= t {
                self.examples.resize(t + 1, Vec::new());
            }
            offer(&mut self.examples[t], EXAMPLES, h, text);
        }
    }

    /// Add another tally of the same codebook.
    pub fn merge(&mut self, other: &Tally) {
        self.matched
            .resize(other.matched.len().max(self.matched.len()), 0);
        self.n += other.n;
        self.unthemed += other.unthemed;
        for (m, o) in self.matched.iter_mut().zip(&other.matched) {
            *m += o;
        }
        merge_sample(&mut self.missed, &other.missed, MISSED_SAMPLE);
        if self.examples.len() < other.examples.len() {
            self.examples.resize(other.examples.len(), Vec::new());
        }
        for (mine, theirs) in self.examples.iter_mut().zip(&other.examples) {
            merge_sample(mine, theirs, EXAMPLES);
        }
    }

    /// The most telling words and phrases of the sampled comments in no theme, best first:
    /// YAKE keyphrases of one to three words (`keywords.rs`), ties broken by the phrase; a
    /// phrase inside one already listed, or one holding it, is left out (it says nothing new).
    pub fn missed_words(&self, n: usize) -> Vec<String> {
        let comments: Vec<&str> = self.missed.iter().map(|(_, t)| t.as_str()).collect();
        let mut out: Vec<String> = Vec::new();
        for k in super::keywords::keyphrases(&comments, 3) {
            if out
                .iter()
                .any(|o| o.contains(k.as_str()) || k.contains(o.as_str()))
            {
                continue;
            }
            out.push(k);
            if out.len() == n {
                break;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_of_missed_comments_does_not_depend_on_order_or_merging() {
        let texts: Vec<String> = (0..1000)
            .map(|i| format!("comment number {} about thing {}", i % 700, i % 13))
            .collect();
        let tally = |list: &mut dyn Iterator<Item = &String>| {
            let mut t = Tally::default();
            for x in list {
                t.add(&[], 1);
                t.add_example(&[], x);
            }
            t
        };
        let forward = tally(&mut texts.iter());
        let backward = tally(&mut texts.iter().rev());
        let mut halves = tally(&mut texts[500..].iter());
        halves.merge(&tally(&mut texts[..500].iter()));
        assert_eq!(forward, backward);
        assert_eq!(forward, halves);
        // Bounded, distinct, and the smallest hashes of the 700 distinct texts.
        assert_eq!(forward.missed.len(), MISSED_SAMPLE);
        let mut all: Vec<(u64, String)> = texts
            .iter()
            .map(|t| (xxhash_rust::xxh3::xxh3_64(t.as_bytes()), t.clone()))
            .collect();
        all.sort();
        all.dedup();
        all.truncate(MISSED_SAMPLE);
        assert_eq!(forward.missed, all);
        assert!(!forward.missed_words(8).is_empty());
        // A theme's examples are kept the same way, EXAMPLES of them.
        let themed = |list: &mut dyn Iterator<Item = &String>| {
            let mut t = Tally::default();
            for x in list {
                t.add(&[0], 1);
                t.add_example(&[0], x);
            }
            t
        };
        let (a, b) = (themed(&mut texts.iter()), themed(&mut texts.iter().rev()));
        let mut c = themed(&mut texts[..300].iter());
        c.merge(&themed(&mut texts[300..].iter()));
        assert_eq!(a.examples, b.examples);
        assert_eq!(a.examples, c.examples);
        assert_eq!(a.examples[0], all[..EXAMPLES]);
    }
}
