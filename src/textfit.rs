//! Text sizes estimated without a browser, on the wide side, so that what is placed or broken
//! from them (curve labels, soft hyphens) still holds when a real font is narrower.
//!
//! Invariants: ASCII advances are DejaVu Sans's (the default UI font of Debian's Chromium),
//! widened by [`WIDE_SIDE`]; other characters by their terminal width. Deterministic: the
//! same text gives the same size everywhere.

use unicode_width::UnicodeWidthChar;

/// A wide-side factor on the estimated text widths.
const WIDE_SIDE: f64 = 1.1;

/// `text` with soft hyphens at the syllable breaks (English patterns) of every word wider
/// than `width` px at `px`: a word that fits is never broken, and one that cannot fit breaks
/// at a syllable, with a hyphen, instead of at an arbitrary letter.
pub fn hyphenate_long_words(text: &str, width: f64, px: f64) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, tail) = rest.split_at(end);
        if !word.is_empty()
            && self::width(word, px) > width
            && word.chars().all(char::is_alphabetic)
        {
            let syllables: Vec<&str> = hypher::hyphenate(word, hypher::Lang::English).collect();
            out.push_str(&syllables.join("\u{ad}"));
        } else {
            out.push_str(word);
        }
        let space = tail.len() - tail.trim_start().len();
        out.push_str(&tail[..space]);
        rest = &tail[space..];
    }
    out
}

/// How many lines `text` takes at `px` in a box `room` px wide: words go on a line while
/// they fit; a word wider than the box is broken where it overflows.
pub fn lines(text: &str, px: f64, room: f64) -> usize {
    let space = width(" ", px);
    let mut lines = 0;
    let mut used = 0.0;
    for word in text.split_whitespace() {
        let w = width(word, px);
        if lines > 0 && used + space + w <= room {
            used += space + w;
            continue;
        }
        // A new line, and as many more as a long word fills.
        lines += 1;
        used = w;
        while used > room {
            lines += 1;
            used -= room;
        }
    }
    lines
}

/// The width of `text` at `px`, on the wide side.
pub fn width(text: &str, px: f64) -> f64 {
    text.chars().map(advance).sum::<f64>() * px * WIDE_SIDE
}

/// A character's advance in em: DejaVu Sans for ASCII; other characters by their terminal
/// width (one em for wide East Asian characters and emoji, 0.75 em for the rest).
fn advance(c: char) -> f64 {
    match c {
        ' ' | ',' | '.' => 0.3179,
        'i' | 'j' | 'l' | '\'' => 0.278,
        'I' | 'J' => 0.295,
        ':' | ';' | '/' | '\\' | '|' => 0.337,
        'f' => 0.352,
        '-' => 0.361,
        '(' | ')' | '[' | ']' => 0.39,
        't' => 0.392,
        '!' => 0.401,
        'r' => 0.411,
        '"' => 0.46,
        '*' | '_' | '`' => 0.5,
        's' => 0.521,
        'z' => 0.525,
        '?' => 0.531,
        'c' => 0.55,
        'L' => 0.557,
        'F' => 0.575,
        'k' => 0.579,
        'v' | 'x' | 'y' => 0.592,
        'P' => 0.603,
        'T' | 'Y' => 0.611,
        'o' | 'a' | 'e' => 0.615,
        'E' => 0.632,
        '0'..='9' | '$' | '{' | '}' | 'b' | 'd' | 'g' | 'h' | 'n' | 'p' | 'q' | 'u' | 'S' => 0.636,
        'K' => 0.656,
        'A' | 'B' | 'C' | 'R' | 'V' | 'X' | 'Z' => 0.698,
        'U' | 'H' | 'N' => 0.752,
        'D' | 'G' | 'O' | 'Q' | '&' => 0.787,
        'w' => 0.818,
        '#' | '+' | '<' | '=' | '>' | '^' | '~' => 0.838,
        'M' => 0.863,
        '%' => 0.95,
        'm' => 0.974,
        'W' => 0.989,
        '@' => 1.0,
        c if c.is_ascii_control() => 0.0,
        c => match c.width() {
            Some(0) | None => 0.0,
            Some(2) => 1.0,
            _ => 0.75,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_lines_by_hand() {
        // "Annoyed": A .698 + n .636 + n .636 + o .615 + y .592 + e .615 + d .636 = 4.428 em,
        // at 12 px 53.136, wide side ×1.1 = 58.45.
        assert!((width("Annoyed", 12.0) - 58.4496).abs() < 1e-9);
        assert_eq!(lines("Annoyed", 12.0, 146.0), 1);
        // Three words of 58.45 with spaces of 4.2: two fit in 146 (121.1), the third wraps.
        assert_eq!(lines("Annoyed Annoyed Annoyed", 12.0, 146.0), 2);
        // One word 3.5 times wider than the box (40 × 0.974 × 12 × 1.1 = 514.3 px) fills four.
        assert_eq!(lines(&"m".repeat(40), 12.0, 146.0), 4);
        assert_eq!(lines("", 12.0, 146.0), 0);
        // Wide characters are an em each.
        assert!((width("漢字", 10.0) - 22.0).abs() < 1e-9);
    }

    #[test]
    fn only_words_too_wide_get_soft_hyphens() {
        // "considered" at 15 px is about 86 px wide: it fits 184 px and is left whole.
        assert_eq!(
            hyphenate_long_words("Be considered", 184.0, 15.0),
            "Be considered"
        );
        // In 60 px it cannot fit, so it may break, at its syllables only.
        assert_eq!(
            hyphenate_long_words("Be considered", 60.0, 15.0),
            "Be con\u{ad}sid\u{ad}ered"
        );
        // Spacing is kept; words with digits or punctuation are left alone.
        assert_eq!(
            hyphenate_long_words(" a  b2b-onboarding ", 10.0, 15.0),
            " a  b2b-onboarding "
        );
    }
}
