//! Keyphrases of a set of comments by YAKE (Campos et al., "YAKE! Keyword extraction from
//! single documents using multiple local features", Information Sciences 509, 2020): each word
//! is scored by its casing, position, frequency, relatedness to its neighbours and spread over
//! sentences, and a phrase of one to three words by its words' scores. The scoring follows the
//! reference implementation (LIAAD/yake) as the yake-rust crate ports it, with window 1 and
//! its English stop words (`stopwords-en.txt`, from LIAAD/yake); the tokenizer is our own.
//!
//! Tokens: text is split into sentences at line breaks and at `.`, `!`, `?` or `…` followed by
//! a space and a capital letter or digit; a sentence into words (runs of letters and digits,
//! joined across a single `.`, `,`, apostrophe or hyphen that stands between two of them, or a
//! `:` between digits) and punctuation (each other run of characters). A web address or an
//! e-mail address is one token. A contraction's ending is split off (`don't` → `do`, `n't`;
//! `it's` → `it`) and an ending that starts with an apostrophe is dropped.
//!
//! Invariants: no regular expression and no state kept between calls (the first call costs
//! what any call costs); words are numbered in order of first appearance and every sum runs in
//! that order, so a text's scores are the same bits on every run.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Maps keyed by text the run made itself: a fast hash, the same on every run.
type Fast = foldhash::fast::FixedState;

/// Characters that make a token punctuation (YAKE's "exclude" set).
const PUNCTUATION: &str = r##"!"#$%&'()*+,-./:,<=>?@[\]^_`{|}~"##;
/// The English stop words of the reference implementation, one per line.
const STOP_WORDS: &str = include_str!("stopwords-en.txt");
/// The stop words as a set, made once per run.
static STOP: LazyLock<HashSet<&'static str, Fast>> = LazyLock::new(|| STOP_WORDS.lines().collect());
/// Apostrophes a word may hold.
const APOSTROPHES: [char; 6] = ['\'', '\u{b4}', '\u{2b9}', '\u{2bc}', '\u{2019}', '\u{2032}'];

/// What a token is, for scoring (YAKE's tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    /// A number ("d").
    Digit,
    /// Punctuation only: ends a word's context.
    Punctuation,
    /// Letters and digits mixed, or several kinds of punctuation ("u").
    Unparsable,
    /// All capitals ("a").
    Acronym,
    /// Capitalised, not first in its sentence ("n").
    Uppercase,
    /// Any other word ("p").
    Parsable,
}

/// One sentence: per token its term (an index into [`Terms`]), its lower-cased form and tag.
struct Sentence {
    terms: Vec<usize>,
    lower: Vec<String>,
    tags: Vec<Tag>,
}

/// The distinct terms of the text (lower-cased, a final `s` dropped from words of four or more
/// characters), numbered in order of first appearance, with what each needs for its score.
#[derive(Default)]
struct Terms {
    index: HashMap<String, usize, Fast>,
    /// Per term: its occurrences as (sentence, tag).
    seen: Vec<Vec<(usize, Tag)>>,
    /// Per term: the terms just before it, and just after it, once per occurrence.
    left: Vec<Vec<usize>>,
    right: Vec<Vec<usize>>,
}

impl Terms {
    fn id(&mut self, term: &str) -> usize {
        if let Some(&id) = self.index.get(term) {
            return id;
        }
        let id = self.index.len();
        self.index.insert(term.to_owned(), id);
        self.seen.push(Vec::new());
        self.left.push(Vec::new());
        self.right.push(Vec::new());
        id
    }
}

/// The keyphrases (one to `ngrams` words, lower-cased) of `comments`, best first; ties broken
/// by the phrase.
pub fn keyphrases(comments: &[&str], ngrams: usize) -> Vec<String> {
    let stop = &*STOP;
    let mut terms = Terms::default();
    let sentences: Vec<Sentence> = comments
        .iter()
        .flat_map(|c| sentences(c))
        .map(|s| sentence(s, &mut terms))
        .filter(|s| !s.terms.is_empty())
        .collect();
    for (k, s) in sentences.iter().enumerate() {
        context(k, s, &mut terms);
    }
    let is_stop = |lower: &str| is_stop_word(lower, stop);
    let scores = term_scores(&terms, &sentences, &is_stop);
    let mut found: Vec<(f64, String)> = candidates(&sentences, ngrams, &is_stop)
        .into_iter()
        .map(|(words, n)| {
            let s = phrase_score(&words, n, &sentences, &terms, &scores, &is_stop);
            let text: Vec<&str> = words.1.iter().map(String::as_str).collect();
            (s, text.join(" "))
        })
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    found.into_iter().map(|(_, p)| p).collect()
}

/// A stop word: listed, listed without its final `s`, or under three characters that are not
/// punctuation.
fn is_stop_word(lower: &str, stop: &HashSet<&str, Fast>) -> bool {
    let single = single(lower);
    stop.contains(lower)
        || stop.contains(single)
        || single.chars().filter(|c| !PUNCTUATION.contains(*c)).count() < 3
}

/// A word without its final `s` when it has four characters or more.
fn single(word: &str) -> &str {
    if word.chars().nth(3).is_some() && word.ends_with(['s', 'S']) {
        &word[..word.len() - 1]
    } else {
        word
    }
}

/// The sentences of a comment (see the module's notes).
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let mut start = 0;
        for (k, &(at, c)) in chars.iter().enumerate() {
            let next = |d: usize| chars.get(k + d).map(|&(_, c)| c);
            if matches!(c, '.' | '!' | '?' | '…')
                && next(1).is_some_and(char::is_whitespace)
                && next(2).is_some_and(|n| n.is_uppercase() || n.is_numeric())
            {
                out.push(line[start..at + c.len_utf8()].trim());
                start = at + c.len_utf8();
            }
        }
        out.push(line[start..].trim());
    }
    out.retain(|s| !s.is_empty());
    out
}

/// One sentence's tokens, numbered as terms.
fn sentence(text: &str, terms: &mut Terms) -> Sentence {
    let mut s = Sentence {
        terms: Vec::new(),
        lower: Vec::new(),
        tags: Vec::new(),
    };
    for token in tokens(text) {
        let lower = token.to_lowercase();
        s.tags.push(tag(token, s.terms.is_empty()));
        s.terms.push(terms.id(single(&lower)));
        s.lower.push(lower);
    }
    s
}

/// The tokens of a sentence: web addresses whole, else words and punctuation runs, with
/// contractions split.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for span in text.split_whitespace() {
        let web = span.contains("://")
            || span
                .split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'));
        if web {
            out.push(span);
            continue;
        }
        for piece in pieces(span) {
            match contraction(piece) {
                Some(at) => {
                    out.push(&piece[..at]);
                    let ending = &piece[at..];
                    if !ending.starts_with(APOSTROPHES) {
                        out.push(ending);
                    }
                }
                None => out.push(piece),
            }
        }
    }
    out
}

/// A span without spaces cut into words and the runs of other characters between them.
fn pieces(span: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = span.char_indices().collect();
    let at = |k: usize| chars.get(k).map_or(span.len(), |&(i, _)| i);
    let alnum = |k: usize| chars.get(k).is_some_and(|&(_, c)| c.is_alphanumeric());
    let digit = |k: usize| chars.get(k).is_some_and(|&(_, c)| c.is_numeric());
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let start = k;
        if alnum(k) {
            while k < chars.len() {
                let c = chars[k].1;
                let joins = matches!(c, '.' | ',' | '-' | '\u{2010}' | '\u{2011}')
                    || APOSTROPHES.contains(&c)
                    || (c == ':' && k > 0 && digit(k - 1) && digit(k + 1));
                if alnum(k) || (joins && alnum(k + 1) && k > start) {
                    k += 1;
                } else {
                    break;
                }
            }
        } else {
            while k < chars.len() && !alnum(k) {
                k += 1;
            }
        }
        out.push(&span[at(start)..at(k)]);
    }
    out
}

/// Where a contraction's ending starts (`don't` → 2, `it's` → 2), if `word` is one: letters
/// and digits, an apostrophe, then `d`, `ll`, `m`, `re`, `s`, `t` or `ve`.
fn contraction(word: &str) -> Option<usize> {
    let (at, ap) = word
        .char_indices()
        .rfind(|&(_, c)| APOSTROPHES.contains(&c))?;
    let ending = &word[at + ap.len_utf8()..];
    if at == 0 || !["d", "ll", "m", "re", "s", "t", "ve"].contains(&ending) {
        return None;
    }
    if ending == "t" && word[..at].ends_with('n') && at > 1 {
        return Some(at - 1);
    }
    Some(at)
}

/// A token's tag.
fn tag(word: &str, first: bool) -> Tag {
    let punct = |c: &char| PUNCTUATION.contains(*c);
    // The kinds of punctuation in the word, as bits of their ASCII codes (all are ASCII).
    let kinds = word
        .chars()
        .filter(punct)
        .fold(0u128, |bits, c| bits | 1 << (c as u32 & 127))
        .count_ones();
    let digits = word.chars().any(|c| c.is_ascii_digit());
    let letters = word.chars().any(char::is_alphabetic);
    if digits && word.replace(',', "").parse::<f64>().is_ok() {
        Tag::Digit
    } else if word.chars().all(|c| punct(&c)) {
        Tag::Punctuation
    } else if kinds > 1 || digits == letters {
        Tag::Unparsable
    } else if word.chars().all(char::is_uppercase) {
        Tag::Acronym
    } else if !first && {
        let mut c = word.chars();
        c.next().is_some_and(char::is_uppercase) && !c.any(char::is_uppercase)
    } {
        Tag::Uppercase
    } else {
        Tag::Parsable
    }
}

/// Record sentence `k`'s occurrences and each word's neighbours (window 1; punctuation ends a
/// context, numbers and unparsable tokens are no one's neighbour).
fn context(k: usize, s: &Sentence, terms: &mut Terms) {
    let plain = |t: Tag| t != Tag::Digit && t != Tag::Unparsable;
    let mut before: Option<(usize, Tag)> = None;
    for (&term, &tag) in s.terms.iter().zip(&s.tags) {
        if tag == Tag::Punctuation {
            before = None;
            continue;
        }
        terms.seen[term].push((k, tag));
        if let Some((left, left_tag)) = before
            && plain(tag)
            && plain(left_tag)
        {
            terms.left[term].push(left);
            terms.right[left].push(term);
        }
        before = Some((term, tag));
    }
}

/// Distinct values over all values, 0 for none.
fn spread(list: &[usize]) -> f64 {
    if list.is_empty() {
        return 0.0;
    }
    let mut d = list.to_vec();
    d.sort_unstable();
    d.dedup();
    d.len() as f64 / list.len() as f64
}

/// The median of sorted values (the mean of the middle two for an even count).
fn median(sorted: &[usize]) -> f64 {
    let m = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[m] as f64
    } else {
        (sorted[m - 1] + sorted[m]) as f64 / 2.0
    }
}

/// Each term's score (lower is more telling), `None` for a term that is only punctuation.
fn term_scores(
    terms: &Terms,
    sentences: &[Sentence],
    is_stop: &dyn Fn(&str) -> bool,
) -> Vec<Option<f64>> {
    // The frequencies of the words that are not stop words, once per term, in term order.
    let mut counted = vec![false; terms.seen.len()];
    let mut tfs: Vec<f64> = Vec::new();
    for s in sentences {
        for ((&t, lower), &tag) in s.terms.iter().zip(&s.lower).zip(&s.tags) {
            if tag != Tag::Punctuation && !is_stop(lower) && !counted[t] {
                counted[t] = true;
                tfs.push(terms.seen[t].len() as f64);
            }
        }
    }
    let mean = tfs.iter().sum::<f64>() / tfs.len().max(1) as f64;
    let var = tfs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / tfs.len().max(1) as f64;
    let (mean_std, max_tf) = (mean + var.sqrt(), terms.seen.iter().map(Vec::len).max());
    let max_tf = max_tf.unwrap_or(0) as f64;
    (0..terms.seen.len())
        .map(|t| {
            let seen = &terms.seen[t];
            (!seen.is_empty()).then(|| term_score(terms, t, sentences.len(), mean_std, max_tf))
        })
        .collect()
}

/// One term's score: relatedness × position / (casing + frequency / relatedness + spread /
/// relatedness).
fn term_score(terms: &Terms, t: usize, sentences: usize, mean_std: f64, max_tf: f64) -> f64 {
    let seen = &terms.seen[t];
    let tf = seen.len() as f64;
    let count = |want: Tag| seen.iter().filter(|(_, g)| *g == want).count() as f64;
    let casing = count(Tag::Acronym).max(count(Tag::Uppercase)) / (1.0 + tf.ln());
    let mut in_sentences: Vec<usize> = seen.iter().map(|(k, _)| *k).collect();
    in_sentences.dedup();
    let position = (3.0 + median(&in_sentences)).ln().ln();
    let frequency = tf / mean_std;
    let relatedness = 1.0 + (spread(&terms.left[t]) + spread(&terms.right[t])) * (tf / max_tf);
    let different = in_sentences.len() as f64 / sentences as f64;
    relatedness * position / (casing + frequency / relatedness + different / relatedness)
}

/// A phrase: where it first occurs (sentence, first token) and its lower-cased words.
type Phrase = ((usize, usize), Vec<String>);

/// The candidate phrases, in order of first appearance, with how often each occurs: one to
/// `n` tokens in a row, none a number, punctuation or unparsable, neither end a stop word,
/// three characters or more in all.
fn candidates(
    sentences: &[Sentence],
    n: usize,
    is_stop: &dyn Fn(&str) -> bool,
) -> Vec<(Phrase, usize)> {
    let mut index: HashMap<&[String], usize, Fast> = HashMap::default();
    let mut out: Vec<(Phrase, usize)> = Vec::new();
    for (k, s) in sentences.iter().enumerate() {
        for j in 0..s.lower.len() {
            if is_stop(&s.lower[j]) {
                continue;
            }
            for end in (j + 1..=s.lower.len()).take(n) {
                let words = &s.lower[j..end];
                let bad = s.tags[j..end]
                    .iter()
                    .any(|t| matches!(t, Tag::Digit | Tag::Punctuation | Tag::Unparsable));
                let chars: usize = words.iter().map(|w| w.chars().count()).sum();
                if bad || is_stop(&words[words.len() - 1]) || chars < 3 {
                    continue;
                }
                let next = out.len();
                let at = *index.entry(words).or_insert(next);
                if at == next {
                    out.push((((k, j), words.to_vec()), 0));
                }
                out[at].1 += 1;
            }
        }
    }
    out
}

/// A phrase's score: the product of its words' scores over its frequency times one plus
/// their sum; a stop word inside counts by how often it joins its neighbours.
fn phrase_score(
    phrase: &Phrase,
    occurrences: usize,
    sentences: &[Sentence],
    terms: &Terms,
    scores: &[Option<f64>],
    is_stop: &dyn Fn(&str) -> bool,
) -> f64 {
    let ((k, j), words) = phrase;
    let ids = &sentences[*k].terms[*j..*j + words.len()];
    let followed = |a: usize, b: usize| terms.right[a].iter().filter(|&&x| x == b).count() as f64;
    let tf = |t: usize| terms.seen[t].len() as f64;
    let (mut product, mut sum) = (1.0, 0.0);
    for (i, (lower, &t)) in words.iter().zip(ids).enumerate() {
        if is_stop(lower) {
            let before = i
                .checked_sub(1)
                .map_or(0.0, |p| followed(ids[p], t) / tf(ids[p]));
            let after = ids.get(i + 1).map_or(0.0, |&n| followed(t, n) / tf(n));
            let p = before * after;
            product *= 2.0 - p;
            sum -= 1.0 - p;
        } else if let Some(s) = scores[t] {
            product *= s;
            sum += s;
        }
    }
    if sum == -1.0 {
        sum = 0.999_999_999;
    }
    product / (occurrences as f64 * (1.0 + sum))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_inner_joins_and_split_contractions() {
        assert_eq!(
            tokens("Don't sort by high-tech, it's e.g. 12:30 (really)!"),
            [
                "Do",
                "n't",
                "sort",
                "by",
                "high-tech",
                ",",
                "it",
                "e.g",
                ".",
                "12:30",
                "(",
                "really",
                ")!"
            ]
        );
        assert_eq!(
            tokens("see https://x.org/a?b=1 or me@x.org."),
            ["see", "https://x.org/a?b=1", "or", "me@x.org."]
        );
    }

    #[test]
    fn sentences_end_at_lines_and_at_a_stop_before_a_capital() {
        assert_eq!(
            sentences("It broke. Then it worked. e.g. this\nA new line"),
            ["It broke.", "Then it worked. e.g. this", "A new line"]
        );
    }

    #[test]
    fn tags_follow_the_reference_rules() {
        assert_eq!(tag("3,5", false), Tag::Digit);
        assert_eq!(tag("nan", false), Tag::Parsable);
        assert_eq!(tag("?!", false), Tag::Punctuation);
        assert_eq!(tag("B2C", false), Tag::Unparsable);
        assert_eq!(tag("USA", false), Tag::Acronym);
        assert_eq!(tag("Paypal", false), Tag::Uppercase);
        assert_eq!(tag("Paypal", true), Tag::Parsable);
        assert_eq!(tag("PayPal", false), Tag::Parsable);
    }

    /// Two comments, worked by hand: "Slow refund." and "Slow refund again." Terms: slow, refund,
    /// again (a stop word). slow: tf 2, both capitalised at a sentence's start (not counted),
    /// in sentences 0 and 1 (median 0.5), left neighbours none, right [refund, refund].
    #[test]
    fn a_term_score_is_the_formula_worked_by_hand() {
        let got = keyphrases(&["Slow refund.", "Slow refund again."], 3);
        assert_eq!(got[0], "slow refund");
        let mut terms = Terms::default();
        let sentences: Vec<Sentence> = ["Slow refund.", "Slow refund again."]
            .iter()
            .map(|s| sentence(s, &mut terms))
            .collect();
        for (k, s) in sentences.iter().enumerate() {
            context(k, s, &mut terms);
        }
        // Words that are not stop words: slow (2), refund (2): mean 2, deviation 0.
        // max tf 2. slow: casing 0, position ln ln 3.5, frequency 2/2 = 1, relatedness
        // 1 + (0 + 1/2) × 2/2 = 1.5, different sentences 2/2 = 1.
        let want = 1.5 * 3.5f64.ln().ln() / (0.0 + 1.0 / 1.5 + 1.0 / 1.5);
        let slow = terms.index["slow"];
        let got = term_score(&terms, slow, 2, 2.0, 2.0);
        assert!((got - want).abs() < 1e-12, "{got} {want}");
    }
}
