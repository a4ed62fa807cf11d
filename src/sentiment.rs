//! Sentiment: each substantive comment scored with VADER (vader-parity, whose scores equal
//! Python's vaderSentiment 3.3.2; tests/fixtures/real/sentiment.py checks that on real
//! exports), English only (the guide: "Sentiment").
//!
//! A survey may declare its comments' language (`language: en`); otherwise each comment's
//! language is detected with whichlang, which tells 16 languages apart. A comment that is
//! not English, declared or detected, is not scored: it is counted by language and shown
//! beside the figure, so a mean of English comments is never taken for a mean of all.
//!
//! Invariants: the compound score has four decimals, so a stage's sum of scores is exact in
//! the accumulator (`measure::Acc`) and the same whatever order the parts of a file are read in.

use std::sync::LazyLock;

use vader_parity::SentimentIntensityAnalyzer;

/// The lexicons, parsed once (about 4 ms) and shared by every thread.
static VADER: LazyLock<SentimentIntensityAnalyzer> = LazyLock::new(SentimentIntensityAnalyzer::new);

/// Which comments of a survey are English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Declared: every comment is in this language (`English` or not).
    Declared { english: bool },
    /// Each comment's language is detected.
    Detect,
}

impl Language {
    /// The language a survey declares (`language: en`), or detection when it declares none.
    pub fn of(tag: Option<&str>) -> Language {
        match tag {
            Some(t) => Language::Declared {
                english: is_english(t),
            },
            None => Language::Detect,
        }
    }
}

/// Whether a language tag names English: its primary subtag is `en` or `eng`, in any case
/// (`en`, `EN-gb`, `eng`).
pub fn is_english(tag: &str) -> bool {
    let primary = tag.split(['-', '_']).next().unwrap_or("");
    primary.eq_ignore_ascii_case("en") || primary.eq_ignore_ascii_case("eng")
}

/// Whether a language tag is well formed: a primary subtag of 2 or 3 letters, then subtags
/// of 1 to 8 letters or digits (`en`, `pt-BR`, `zh-Hant`), as BCP 47 writes them.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A comment's score, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scored {
    /// VADER's compound score, in -1..1 with four decimals.
    Score(f64),
    /// Not English: the reason, as outputs print it (`detected as German`).
    Left(&'static str),
}

/// The compound score of an English comment; a comment in another language is left out.
pub fn score(text: &str, language: Language) -> Scored {
    match language {
        Language::Declared { english: false } => {
            return Scored::Left("in a survey declared not English");
        }
        Language::Declared { english: true } => {}
        Language::Detect => {
            if let Some(name) = detected_other(text) {
                return Scored::Left(name);
            }
        }
    }
    Scored::Score(VADER.polarity_scores(text).compound)
}

/// Comments in the Latin script with fewer words than this are taken as English: on the
/// short English comments of the real exports (`Bad service`, `Suds, duh!`) detection is
/// wrong one time in ten, and from five words on it was not wrong once.
pub const MIN_WORDS: usize = 5;

/// The language a comment is detected in, when it is not English. A short comment in the
/// Latin script is too short to tell, and taken as English.
fn detected_other(text: &str) -> Option<&'static str> {
    use whichlang::Lang;
    let words = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    if words < MIN_WORDS && text.chars().all(|c| !c.is_alphabetic() || is_latin(c)) {
        return None;
    }
    Some(match whichlang::detect_language(text) {
        Lang::Eng => return None,
        Lang::Ara => "detected as Arabic",
        Lang::Cmn => "detected as Chinese",
        Lang::Deu => "detected as German",
        Lang::Fra => "detected as French",
        Lang::Hin => "detected as Hindi",
        Lang::Ita => "detected as Italian",
        Lang::Jpn => "detected as Japanese",
        Lang::Kor => "detected as Korean",
        Lang::Nld => "detected as Dutch",
        Lang::Por => "detected as Portuguese",
        Lang::Rus => "detected as Russian",
        Lang::Spa => "detected as Spanish",
        Lang::Swe => "detected as Swedish",
        Lang::Tur => "detected as Turkish",
        Lang::Vie => "detected as Vietnamese",
    })
}

/// Letters of the Latin script: Basic Latin to Latin Extended-B, and Latin Extended
/// Additional (Vietnamese).
fn is_latin(c: char) -> bool {
    c <= '\u{024F}' || ('\u{1E00}'..='\u{1EFF}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_comments_are_scored_as_vader_scores_them() {
        // The reference's own example: vaderSentiment 3.3.2 gives 0.8316.
        assert_eq!(
            score("VADER is smart, handsome, and funny.", Language::Detect),
            Scored::Score(0.8316)
        );
        assert_eq!(
            score("The parcel came late and broken", Language::Detect),
            Scored::Score(
                VADER
                    .polarity_scores("The parcel came late and broken")
                    .compound
            )
        );
    }

    #[test]
    fn other_languages_are_left_out_with_their_name() {
        let german = "Das Paket kam leider viel zu spät an und war beschädigt";
        assert_eq!(
            score(german, Language::Detect),
            Scored::Left("detected as German")
        );
        assert_eq!(
            score("送货太慢了，包装也坏了", Language::Detect),
            Scored::Left("detected as Chinese")
        );
        assert_eq!(
            score("Доставка очень медленная", Language::Detect),
            Scored::Left("detected as Russian")
        );
        // Too short to tell in the Latin script: taken as English (detection says Spanish).
        assert!(matches!(
            score("Bad service", Language::Detect),
            Scored::Score(_)
        ));
        // Declared English is scored however it reads; declared German is not.
        assert!(matches!(
            score(german, Language::of(Some("en-GB"))),
            Scored::Score(_)
        ));
        assert_eq!(
            score("great service", Language::of(Some("de"))),
            Scored::Left("in a survey declared not English")
        );
    }

    #[test]
    fn language_tags() {
        for ok in ["en", "EN", "eng", "pt-BR", "zh-Hant", "de"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in [
            "",
            "e",
            "english",
            "en_",
            "en--GB",
            "12",
            "en-toolongsubtag",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
        assert!(
            is_english("en-US") && is_english("ENG") && !is_english("de") && !is_english("enx")
        );
    }
}
