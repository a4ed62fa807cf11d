//! Quotes: which verbatim comments a map shows.
//!
//! Invariants: the choice does not depend on the order of rows (a hash, XXH3-64 of the
//! comment's UTF-8, picks among the
//! substantive comments); a comment is substantive when it has at least two words and is not
//! a stock non-answer ("ok", "n/a", "none", "no comment"); the same words (ignoring case,
//! spacing and end punctuation) are shown once; quotes pinned by the map are shown first and
//! hidden ones never.

use serde::Serialize;

/// Verbatim comments shown per stage (pinned quotes may add to them).
pub const VERBATIMS: usize = 5;

/// Answers that say nothing, compared after [`normalise`].
const NON_ANSWERS: &[&str] = &[
    "n/a",
    "na",
    "none",
    "nothing",
    "no",
    "nope",
    "ok",
    "okay",
    "fine",
    "good",
    "yes",
    "no comment",
    "no comments",
    "nothing to add",
    "nothing else",
    "not really",
    "no thanks",
    "all good",
    "not applicable",
    "none at the moment",
    "nothing at all",
    "no idea",
    "don't know",
    "dont know",
    "i don't know",
    "idk",
];

/// A verbatim comment and where it was read.
#[derive(Debug, Clone, Serialize)]
pub struct Verbatim {
    pub text: String,
    pub survey: String,
    pub line: u64,
    /// Set when the map pinned this quote.
    pub pinned: bool,
    #[serde(skip)]
    hash: u64,
    #[serde(skip)]
    key: String,
}

/// End punctuation that does not make two comments different.
const END_PUNCTUATION: [char; 7] = ['.', '!', '?', ',', ';', ':', '…'];

/// The normalised form of `text`, one char at a time: lower case, runs of whitespace as one
/// space, end punctuation dropped. Returns how many words hold a letter or digit. One walk
/// serves the key, its hash and the word count, so the hot path allocates nothing.
fn walk_normalised(text: &str, mut emit: impl FnMut(char)) -> usize {
    let text = text.trim_end_matches(|c: char| END_PUNCTUATION.contains(&c) || c.is_whitespace());
    let mut words = 0;
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            emit(' ');
        }
        if word.chars().any(char::is_alphanumeric) {
            words += 1;
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            emit(c);
        }
    }
    words
}

/// Lower case, whitespace collapsed, end punctuation dropped: what makes two comments "the
/// same words".
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    walk_normalised(text, |c| out.push(c));
    out
}

/// FNV-1a of the normalised form's UTF-8, without building it.
fn key_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut buf = [0u8; 4];
    walk_normalised(text, |c| {
        for b in c.encode_utf8(&mut buf).bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    });
    h
}

#[cfg(test)]
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Comments longer than this (in bytes) are never a stock non-answer.
const LONGEST_NON_ANSWER: usize = 40;

/// Hashes of the stock non-answers' keys, so that a short comment is compared with them
/// without building its key (the text is compared only when a hash matches).
fn non_answer_hashes() -> &'static [u64] {
    static HASHES: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    HASHES.get_or_init(|| NON_ANSWERS.iter().map(|t| key_hash(t)).collect())
}

/// Whether a comment says something a reader could quote: two words or more with a letter
/// or digit (a character of a script written without spaces, such as Chinese or Thai,
/// counts as a word, as in themes), and not a stock non-answer.
pub fn is_substantive(text: &str) -> bool {
    let words: usize = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| {
            if w.is_ascii() {
                1
            } else {
                w.chars()
                    .filter(|c| crate::themes::stands_alone(*c))
                    .count()
                    .max(1)
            }
        })
        .take(2)
        .sum();
    if words < 2 {
        return false;
    }
    text.len() > LONGEST_NON_ANSWER
        || !(non_answer_hashes().contains(&key_hash(text))
            && NON_ANSWERS.contains(&normalise(text).as_str()))
}

/// The comments offered for one stage (or the whole journey) and the ones kept.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Non-empty comments read, substantive or not.
    pub comments: u64,
    sampled: Vec<Verbatim>,
    /// The largest (hash, line) in `sampled`.
    worst: (u64, u64),
    pinned: Vec<Option<Verbatim>>,
    pin: Vec<String>,
    hide: Vec<String>,
}

impl Sample {
    /// Quotes the map pins (shown first, in this order) and hides (never shown).
    pub fn with_choices(pin: Vec<String>, hide: Vec<String>) -> Sample {
        Sample {
            pinned: vec![None; pin.len()],
            pin,
            hide,
            ..Sample::default()
        }
    }

    /// An empty sample that pins and hides the same quotes.
    pub fn blank(&self) -> Sample {
        Sample::with_choices(self.pin.clone(), self.hide.clone())
    }

    /// Offer one comment. The sample is the [`VERBATIMS`] substantive comments with the
    /// smallest hash of their text, one per set of the same words (the one with the
    /// smallest hash and line speaks for them): the same whatever the order of rows. Most
    /// comments lose on their hash alone, before anything is built.
    pub fn offer(&mut self, text: &str, survey: &str, line: u64) {
        self.offer_utf8(text.as_bytes(), survey, line);
    }

    /// Whether the map hides this comment (its bytes as read): it is never shown, as a quote,
    /// a theme's example or among the words of the comments in no theme.
    pub fn hides(&self, bytes: &[u8]) -> bool {
        !self.hide.is_empty() && self.hide.iter().any(|h| h.as_bytes() == bytes)
    }

    /// [`Sample::offer`] for the bytes of a comment that are valid UTF-8: its text is only
    /// made if it may be kept.
    pub fn offer_utf8(&mut self, bytes: &[u8], survey: &str, line: u64) {
        self.comments += 1;
        if self.hides(bytes) {
            return;
        }
        if let Some(i) = self.pin.iter().position(|p| p.as_bytes() == bytes) {
            if self.pinned[i].is_none() {
                let text = String::from_utf8_lossy(bytes);
                self.pinned[i] = Some(verbatim(&text, survey, line, true));
            }
            return;
        }
        let hash = xxhash_rust::xxh3::xxh3_64(bytes);
        if self.beaten(hash, line) || self.seen_text(hash, bytes, line) {
            return;
        }
        let text = String::from_utf8_lossy(bytes);
        if !is_substantive(&text) {
            return;
        }
        self.keep(Verbatim {
            hash,
            key: normalise(&text),
            ..verbatim(&text, survey, line, false)
        });
    }

    /// Whether the sample is full of comments that all come before `(hash, line)`.
    #[inline]
    fn beaten(&self, hash: u64, line: u64) -> bool {
        self.sampled.len() >= VERBATIMS && (hash, line) >= self.worst
    }

    /// The largest (hash, line) in the sample, after it changed.
    fn settle_worst(&mut self) {
        self.worst = self
            .sampled
            .iter()
            .map(|w| (w.hash, w.line))
            .max()
            .unwrap_or_default();
    }

    /// The very same text again: the earlier line already speaks for it.
    fn seen_text(&mut self, hash: u64, bytes: &[u8], line: u64) -> bool {
        match self
            .sampled
            .iter_mut()
            .find(|v| v.hash == hash && v.text.as_bytes() == bytes)
        {
            Some(same) => {
                same.line = same.line.min(line);
                self.settle_worst();
                true
            }
            None => false,
        }
    }

    /// Keep a substantive comment if it is among the smallest (hash, line), one per set of
    /// the same words.
    fn keep(&mut self, v: Verbatim) {
        if let Some(i) = self.sampled.iter().position(|s| s.key == v.key) {
            // The same words spelt differently: keep the smaller (hash, line).
            if (v.hash, v.line) < (self.sampled[i].hash, self.sampled[i].line) {
                self.sampled[i] = v;
                self.settle_worst();
            }
            return;
        }
        if self.sampled.len() < VERBATIMS {
            self.sampled.push(v);
        } else if let Some((i, _)) = self
            .sampled
            .iter()
            .enumerate()
            .max_by_key(|(_, w)| (w.hash, w.line))
        {
            self.sampled[i] = v;
        }
        self.settle_worst();
    }

    /// Take in the sample of the rows after this one's (a part of the same file read on
    /// another thread, its lines `offset` short): the result is the sample of all the
    /// rows, because the sample is the smallest (hash, line) of each set of words and does
    /// not depend on the order comments come in.
    pub fn absorb(&mut self, other: Sample, offset: u64) {
        self.comments += other.comments;
        for (mine, theirs) in self.pinned.iter_mut().zip(other.pinned) {
            if let (None, Some(mut v)) = (mine.as_ref(), theirs) {
                v.line += offset;
                *mine = Some(v);
            }
        }
        for mut v in other.sampled {
            v.line += offset;
            if !(self.beaten(v.hash, v.line) || self.seen_text(v.hash, v.text.as_bytes(), v.line)) {
                self.keep(v);
            }
        }
    }

    /// Pinned quotes that were not found among the answers, by index into the pin list.
    pub fn missing_pins(&self) -> Vec<usize> {
        (0..self.pin.len())
            .filter(|&i| self.pinned[i].is_none())
            .collect()
    }

    /// What to show: the pinned quotes in the map's order, then sampled ones in file order
    /// up to [`VERBATIMS`] in all.
    pub fn shown(&self) -> Vec<&Verbatim> {
        let pinned: Vec<&Verbatim> = self.pinned.iter().flatten().collect();
        let room = VERBATIMS.saturating_sub(pinned.len());
        let mut sampled: Vec<&Verbatim> = self.sampled.iter().collect();
        sampled.sort_by_key(|v| (v.hash, v.line));
        sampled.truncate(room);
        sampled.sort_by(|a, b| (a.survey.as_str(), a.line).cmp(&(b.survey.as_str(), b.line)));
        pinned.into_iter().chain(sampled).collect()
    }
}

fn verbatim(text: &str, survey: &str, line: u64, pinned: bool) -> Verbatim {
    Verbatim {
        text: text.to_owned(),
        survey: survey.to_owned(),
        line,
        pinned,
        hash: 0,
        key: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_answers_and_single_words_are_not_quoted() {
        for t in [
            "ok",
            "OK.",
            "n/a",
            "N/A",
            "-",
            "none",
            "No comment",
            "Great",
            "  nothing  ",
            "👍",
            "好",
        ] {
            assert!(!is_substantive(t), "{t}");
        }
        for t in [
            "Delivery was late",
            "Too many options!",
            "ok but slow",
            "送货太慢",
            "配送 遅い",
        ] {
            assert!(is_substantive(t), "{t}");
        }
    }

    #[test]
    fn the_streamed_hash_is_the_hash_of_the_key() {
        for t in ["Same  Words here.", "ΣΊΣΥΦΟΣ rolls…", " a\tb \n c ?!"] {
            assert_eq!(key_hash(t), fnv1a(normalise(t).as_bytes()), "{t}");
        }
        assert_eq!(normalise(" a\tb \n c ?!"), "a b c");
    }

    #[test]
    fn the_sample_does_not_depend_on_row_order() {
        let texts: Vec<String> = (0..40).map(|i| format!("comment number {i}")).collect();
        let mut a = Sample::default();
        let mut b = Sample::default();
        for (i, t) in texts.iter().enumerate() {
            a.offer(t, "s", i as u64);
        }
        for (i, t) in texts.iter().enumerate().rev() {
            b.offer(t, "s", i as u64);
        }
        let pick = |x: &Sample| {
            let mut v: Vec<String> = x.shown().iter().map(|v| v.text.clone()).collect();
            v.sort();
            v
        };
        assert_eq!(a.shown().len(), VERBATIMS);
        assert_eq!(pick(&a), pick(&b));
        assert_eq!(a.comments, 40);
    }

    #[test]
    fn repeats_are_shown_once_and_still_counted() {
        let mut c = Sample::default();
        for i in 0..10 {
            c.offer("Same words here", "s", i);
            c.offer("same   words here.", "s", 100 + i);
        }
        c.offer("ok", "s", 200);
        assert_eq!(c.shown().len(), 1);
        assert_eq!(c.comments, 21);
    }

    #[test]
    fn pinned_quotes_come_first_and_hidden_ones_never() {
        let mut s = Sample::with_choices(
            vec!["short".into(), "never said".into()],
            vec!["Rude words here".into()],
        );
        for (i, t) in [
            "Rude words here",
            "A real comment",
            "short",
            "Another real one",
        ]
        .iter()
        .enumerate()
        {
            s.offer(t, "s", i as u64 + 2);
        }
        let shown: Vec<&str> = s.shown().iter().map(|v| v.text.as_str()).collect();
        assert_eq!(shown, ["short", "A real comment", "Another real one"]);
        assert!(s.shown()[0].pinned);
        assert_eq!(s.missing_pins(), [1]);
    }
}
