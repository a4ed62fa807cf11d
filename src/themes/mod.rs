//! Themes: which themes of a map's codebook a comment belongs to, by a fixed rule that anyone
//! can recompute (the guide: "Themes"; tests/fixtures/real/themes.py is the rule written again in
//! Python), and the tally of an aggregate's comments per theme.
//!
//! The rule: text is NFC-normalised and case-folded (Unicode full case folding), then read as
//! words: a word is a run of letters and digits (Unicode's Alphabetic and Numeric properties),
//! with an apostrophe (`'` or `’`) inside it kept; a character of a script written without
//! spaces between words (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) is a word by
//! itself, so a term in those scripts matches as that run of characters. A term matches as
//! whole words (a phrase as the same words in a row); a `*` at the end of a term matches any
//! ending of its last word. A comment belongs to a theme when one of the theme's terms matches
//! and none of its `exclude` terms does.
//!
//! Invariants: matching is one Aho-Corasick pass over the comment's words, linear in the text
//! whatever the codebook: a comment's theme set needs one hit per term, so each state of the
//! automaton that holds matches is looked at once per comment, however often (and however
//! nested) its terms occur; a term that has no word is refused before any comment is read.

mod keywords;
mod tally;

pub use tally::{EXAMPLES, MISSED_SAMPLE, MISSED_WORDS, Tally};

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};
use unicode_normalization::UnicodeNormalization;

/// A theme as the matcher needs it: its terms and the terms that keep a comment out.
pub struct ThemeTerms<'a> {
    pub terms: Vec<&'a str>,
    pub exclude: Vec<&'a str>,
}

/// Why a term cannot be matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermError {
    /// No letter or digit in it (empty, or punctuation only).
    NoWord,
    /// A `*` that is not the term's last character.
    InnerStar,
}

impl TermError {
    pub fn describe(&self) -> &'static str {
        match self {
            TermError::NoWord => "it has no word in it (a letter or digit)",
            TermError::InnerStar => "a `*` may only end a term (`refund*`), not stand inside it",
        }
    }
}

/// A term as it is searched for: its words joined by single spaces, with a space before,
/// and after unless it ends with `*`.
pub fn term_key(term: &str) -> Result<String, TermError> {
    let trimmed = term.trim();
    let (body, open) = match trimmed.strip_suffix('*') {
        Some(b) => (b, true),
        None => (trimmed, false),
    };
    if body.contains('*') {
        return Err(TermError::InnerStar);
    }
    let folded = fold(body);
    let words = words(&folded);
    if words.is_empty() {
        return Err(TermError::NoWord);
    }
    let mut key = String::with_capacity(body.len() + 2);
    key.push(' ');
    key.push_str(&words.join(" "));
    // `refund *`: the star ends the phrase's last word all the same.
    if !open {
        key.push(' ');
    }
    Ok(key)
}

/// NFC, full case folding, NFC again (folding can leave text unnormalised). ASCII text is
/// its own NFC, and folds as lower case.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let nfc: String = text.nfc().collect();
    caseless::default_case_fold_str(&nfc).nfc().collect()
}

/// Whether a character is a word by itself: scripts written without spaces between words.
pub fn stands_alone(c: char) -> bool {
    matches!(u32::from(c),
        0x0E00..=0x0EFF       // Thai, Lao
        | 0x1000..=0x109F     // Myanmar
        | 0x1780..=0x17FF     // Khmer
        | 0x3040..=0x30FF     // Hiragana, Katakana
        | 0x31F0..=0x31FF     // Katakana phonetic extensions
        | 0x3400..=0x4DBF     // Han extension A
        | 0x4E00..=0x9FFF     // Han
        | 0xF900..=0xFAFF     // Han compatibility
        | 0xFF66..=0xFF9F     // half-width Katakana
        | 0x20000..=0x2FA1F) // Han extensions B onwards
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The words of folded text, by the rule above.
pub fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if stands_alone(c) {
            if let Some(s) = start.take() {
                out.push(&text[s..i]);
            }
            out.push(&text[i..i + c.len_utf8()]);
            continue;
        }
        let inside_apostrophe = (c == '\'' || c == '’')
            && start.is_some()
            && chars
                .get(k + 1)
                .is_some_and(|&(_, n)| is_word_char(n) && !stands_alone(n));
        if is_word_char(c) || inside_apostrophe {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push(&text[s..i]);
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// A comment as it is searched: its folded words joined by single spaces, with a space at
/// each end.
pub fn comment_key(text: &str) -> String {
    let mut key = String::new();
    comment_key_into(text, &mut key);
    key
}

/// [`comment_key`] into `key`, which is cleared first; ASCII text is folded and split in one
/// pass.
pub fn comment_key_into(text: &str, key: &mut String) {
    key.clear();
    key.push(' ');
    if text.is_ascii() {
        let b = text.as_bytes();
        let mut inside = false;
        for i in 0..b.len() {
            let c = b[i];
            let inner = c == b'\'' && inside && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
            if c.is_ascii_alphanumeric() || inner {
                key.push(char::from(c.to_ascii_lowercase()));
                inside = true;
            } else if inside {
                key.push(' ');
                inside = false;
            }
        }
        if inside {
            key.push(' ');
        }
        return;
    }
    let folded = fold(text);
    for w in words(&folded) {
        key.push_str(w);
        key.push(' ');
    }
}

/// The themes of a codebook, compiled.
pub struct Matcher {
    ac: Option<Compiled>,
    /// Per pattern: the theme, and whether it is an `exclude` term.
    owners: Vec<(usize, bool)>,
    themes: usize,
}

impl Matcher {
    /// The map's codebook compiled, or `None` when it has no themes.
    pub fn for_codebook(codebook: &[crate::model::Theme]) -> Option<Matcher> {
        fn strs(l: &[crate::model::Spanned<String>]) -> Vec<&str> {
            l.iter().map(|x| x.value.as_str()).collect()
        }
        let themes: Vec<ThemeTerms> = codebook
            .iter()
            .map(|t| ThemeTerms {
                terms: strs(&t.terms),
                exclude: strs(&t.exclude),
            })
            .collect();
        (!themes.is_empty()).then(|| Matcher::new(&themes))
    }

    /// Compile the codebook. Every term has already been checked with [`term_key`]; a term
    /// that fails here is left out.
    pub fn new(themes: &[ThemeTerms]) -> Matcher {
        let mut keys = Vec::new();
        let mut owners = Vec::new();
        for (t, theme) in themes.iter().enumerate() {
            for (list, exclude) in [(&theme.terms, false), (&theme.exclude, true)] {
                for term in list {
                    if let Ok(key) = term_key(term) {
                        keys.push(key);
                        owners.push((t, exclude));
                    }
                }
            }
        }
        // Standard semantics: every state lists every term that ends where it stands. A
        // codebook of usual size is a DFA (one table lookup a byte); a very large one an NFA,
        // whose memory does not grow with the alphabet.
        let bytes: usize = keys.iter().map(String::len).sum();
        let dfa = (bytes <= DFA_BYTES)
            .then(|| {
                DFA::builder()
                    .match_kind(MatchKind::Standard)
                    .start_kind(aho_corasick::StartKind::Unanchored)
                    .build(&keys)
                    .ok()
            })
            .flatten();
        let ac = match dfa {
            Some(d) => Some(Compiled::Dfa(d)),
            None => NFA::builder()
                .match_kind(MatchKind::Standard)
                .build(&keys)
                .ok()
                .map(Compiled::Nfa),
        };
        Matcher {
            ac,
            owners,
            themes: themes.len(),
        }
    }

    /// How many themes the codebook has.
    pub fn len(&self) -> usize {
        self.themes
    }

    pub fn is_empty(&self) -> bool {
        self.themes == 0
    }

    /// The themes (by index) a comment belongs to, in codebook order.
    pub fn themes_of(&self, text: &str) -> Vec<usize> {
        let mut scratch = Scratch::default();
        self.themes_into(text, &mut scratch);
        scratch.themes
    }

    /// [`Matcher::themes_of`] into `scratch.themes`, reusing its buffers.
    pub fn themes_into(&self, text: &str, scratch: &mut Scratch) {
        scratch.themes.clear();
        let Some(ac) = &self.ac else {
            return;
        };
        comment_key_into(text, &mut scratch.key);
        scratch.seen.clear();
        scratch.seen.resize(self.themes, (false, false));
        scratch.few.clear();
        scratch.states.clear();
        match ac {
            Compiled::Dfa(a) => self.walk(a, scratch),
            Compiled::Nfa(a) => self.walk(a, scratch),
        }
        let seen = &scratch.seen;
        scratch
            .themes
            .extend((0..self.themes).filter(|&t| seen[t].0 && !seen[t].1));
    }
}

/// Codebooks whose terms hold more bytes than this are compiled to an NFA, not a DFA.
const DFA_BYTES: usize = 64 * 1024;

/// A codebook's automaton.
enum Compiled {
    Dfa(DFA),
    Nfa(NFA),
}

impl Matcher {
    /// Mark the themes of `scratch.key` in `scratch.seen`: every byte one step of `a`, and
    /// each match state's terms looked at the first time the state is met only (its terms are
    /// the same wherever it recurs), so nested and repeated terms cost nothing more.
    fn walk<A: Automaton>(&self, a: &A, scratch: &mut Scratch) {
        let Ok(mut sid) = a.start_state(Anchored::No) else {
            return;
        };
        let key = std::mem::take(&mut scratch.key);
        for &b in key.as_bytes() {
            sid = a.next_state(Anchored::No, sid, b);
            if a.is_special(sid) && a.is_match(sid) && scratch.first_time(sid) {
                for i in 0..a.match_len(sid) {
                    let (t, exclude) = self.owners[a.match_pattern(sid, i).as_usize()];
                    if exclude {
                        scratch.seen[t].1 = true;
                    } else {
                        scratch.seen[t].0 = true;
                    }
                }
            }
        }
        scratch.key = key;
    }
}

/// Buffers one reader reuses from comment to comment.
#[derive(Default)]
pub struct Scratch {
    key: String,
    /// Per theme: a term matched, an exclude term matched.
    seen: Vec<(bool, bool)>,
    /// The automaton's match states met in this comment: the first few in a list (a comment
    /// meets few), the rest in a set (a hostile one meets many).
    few: Vec<StateID>,
    states: std::collections::HashSet<StateID, foldhash::fast::FixedState>,
    /// The comment's themes.
    pub themes: Vec<usize>,
}

impl Scratch {
    /// Whether the match state `sid` is met for the first time in this comment.
    fn first_time(&mut self, sid: StateID) -> bool {
        const FEW: usize = 16;
        if self.few.contains(&sid) {
            return false;
        }
        if self.few.len() < FEW {
            self.few.push(sid);
            return true;
        }
        self.states.insert(sid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_inner_apostrophes_and_split_unspaced_scripts() {
        assert_eq!(words("don't stop—now"), ["don't", "stop", "now"]);
        assert_eq!(words("'quoted' rock’n’roll"), ["quoted", "rock’n’roll"]);
        assert_eq!(words("返品が遅い"), ["返", "品", "が", "遅", "い"]);
        assert_eq!(words("abc退款"), ["abc", "退", "款"]);
        assert_eq!(words("  ,;  "), Vec::<&str>::new());
    }

    #[test]
    fn words_are_runs_of_letters_and_digits_with_inner_apostrophes() {
        for text in [
            "don't stop-now",
            "'quoted' it's a 'test' x'",
            "a1b2 c3, 45.6",
            "",
            "''",
        ] {
            let mut by_chars = Vec::new();
            let mut cur = String::new();
            let chars: Vec<char> = text.chars().collect();
            for (k, &c) in chars.iter().enumerate() {
                let inner = c == '\''
                    && !cur.is_empty()
                    && chars.get(k + 1).is_some_and(|n| n.is_alphanumeric());
                if c.is_alphanumeric() || inner {
                    cur.push(c);
                } else if !cur.is_empty() {
                    by_chars.push(std::mem::take(&mut cur));
                }
            }
            if !cur.is_empty() {
                by_chars.push(cur);
            }
            assert_eq!(words(text), by_chars, "{text}");
            // The general path, taken for a non-ASCII separator at the end.
            let spaced = format!("{text}\u{a0}");
            assert_eq!(words(&spaced), by_chars, "{text}");
        }
    }

    #[test]
    fn an_ascii_comment_key_is_the_general_rules_key() {
        for text in [
            "Don't STOP-now!",
            "'quoted' it's x' ",
            "  A1b2, c3.45 ",
            "",
            "''",
        ] {
            let folded = fold(text);
            let mut general = " ".to_owned();
            for w in words(&folded) {
                general.push_str(w);
                general.push(' ');
            }
            assert_eq!(comment_key(text), general, "{text}");
        }
    }

    #[test]
    fn folding_is_unicode_full_case_folding_after_nfc() {
        assert_eq!(fold("STRASSE Straße"), "strasse strasse");
        // A decomposed é (e + U+0301) and a composed one fold alike.
        assert_eq!(fold("Cafe\u{301}"), fold("CAFÉ"));
        assert_eq!(fold("ΣΊΣΥΦΟΣ"), "σίσυφοσ");
    }

    #[test]
    fn terms_without_words_or_with_inner_stars_are_refused() {
        assert_eq!(term_key("  "), Err(TermError::NoWord));
        assert_eq!(term_key("?!"), Err(TermError::NoWord));
        assert_eq!(term_key("*"), Err(TermError::NoWord));
        assert_eq!(term_key("re*und"), Err(TermError::InnerStar));
        assert_eq!(term_key("Late  Delivery").as_deref(), Ok(" late delivery "));
        assert_eq!(term_key("refund*").as_deref(), Ok(" refund"));
    }

    #[test]
    fn terms_match_whole_words_phrases_and_word_endings() {
        let theme = |terms: &[&'static str], exclude: &[&'static str]| ThemeTerms {
            terms: terms.to_vec(),
            exclude: exclude.to_vec(),
        };
        let themes = [
            theme(&["late delivery", "slow"], &[]),
            theme(&["refund*"], &[]),
            theme(&["price"], &["price match"]),
        ];
        let m = Matcher::new(&themes);
        assert_eq!(m.themes_of("LATE   delivery, again"), [0]);
        assert_eq!(m.themes_of("a slowly loading page"), Vec::<usize>::new());
        assert_eq!(m.themes_of("delivery was late"), Vec::<usize>::new());
        assert_eq!(m.themes_of("Refunds took ages"), [1]);
        assert_eq!(m.themes_of("no prefund here"), Vec::<usize>::new());
        assert_eq!(m.themes_of("The price! And slow."), [0, 2]);
        assert_eq!(
            m.themes_of("They honoured a price match"),
            Vec::<usize>::new()
        );
    }
}
