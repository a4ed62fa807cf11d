//! Themes: which themes of a codebook a comment belongs to, by a fixed rule that anyone can
//! recompute (tests/fixtures/real/themes.py is the rule written again in Python). Not yet
//! read from maps: the codebook, its shares per stage and its outputs come next.
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
//! Invariants: matching is one Aho-Corasick pass over the comment's words, so a codebook of
//! hundreds of terms over millions of comments stays linear in the text; a term that has no
//! word is refused before any comment is read.

use aho_corasick::{AhoCorasick, MatchKind};
use unicode_normalization::UnicodeNormalization;

/// A theme as the matcher needs it: its terms and the terms that keep a comment out.
pub struct ThemeTerms<'a> {
    pub terms: &'a [String],
    pub exclude: &'a [String],
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

/// NFC, full case folding, NFC again (folding can leave text unnormalised).
pub fn fold(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    caseless::default_case_fold_str(&nfc).nfc().collect()
}

/// Whether a character is a word by itself: scripts written without spaces between words.
fn stands_alone(c: char) -> bool {
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
    let folded = fold(text);
    let words = words(&folded);
    let mut key = String::with_capacity(folded.len() + 2);
    key.push(' ');
    for w in words {
        key.push_str(w);
        key.push(' ');
    }
    key
}

/// The themes of a codebook, compiled.
pub struct Matcher {
    ac: Option<AhoCorasick>,
    /// Per pattern: the theme, and whether it is an `exclude` term.
    owners: Vec<(usize, bool)>,
    themes: usize,
}

impl Matcher {
    /// Compile the codebook. Every term has already been checked with [`term_key`]; a term
    /// that fails here is left out.
    pub fn new(themes: &[ThemeTerms]) -> Matcher {
        let mut keys = Vec::new();
        let mut owners = Vec::new();
        for (t, theme) in themes.iter().enumerate() {
            for (list, exclude) in [(theme.terms, false), (theme.exclude, true)] {
                for term in list {
                    if let Ok(key) = term_key(term) {
                        keys.push(key);
                        owners.push((t, exclude));
                    }
                }
            }
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&keys)
            .ok();
        Matcher {
            ac,
            owners,
            themes: themes.len(),
        }
    }

    /// The themes (by index) a comment belongs to, in codebook order.
    pub fn themes_of(&self, text: &str) -> Vec<usize> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let key = comment_key(text);
        let mut hit = vec![false; self.themes];
        let mut out = vec![false; self.themes];
        for m in ac.find_overlapping_iter(&key) {
            let (t, exclude) = self.owners[m.pattern().as_usize()];
            if exclude {
                out[t] = true;
            } else {
                hit[t] = true;
            }
        }
        (0..self.themes).filter(|&t| hit[t] && !out[t]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn words_keep_inner_apostrophes_and_split_unspaced_scripts() {
        assert_eq!(words("don't stop—now"), ["don't", "stop", "now"]);
        assert_eq!(words("'quoted' rock’n’roll"), ["quoted", "rock’n’roll"]);
        assert_eq!(words("返品が遅い"), ["返", "品", "が", "遅", "い"]);
        assert_eq!(words("abc退款"), ["abc", "退", "款"]);
        assert_eq!(words("  ,;  "), Vec::<&str>::new());
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
        let (a, b, c) = (
            terms(&["late delivery", "slow"]),
            terms(&["refund*"]),
            terms(&["price"]),
        );
        let none: Vec<String> = Vec::new();
        let ex = terms(&["price match"]);
        let themes = [
            ThemeTerms {
                terms: &a,
                exclude: &none,
            },
            ThemeTerms {
                terms: &b,
                exclude: &none,
            },
            ThemeTerms {
                terms: &c,
                exclude: &ex,
            },
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
