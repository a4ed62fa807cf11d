//! "Did you mean": the closest known word to a misspelt one, or none when nothing is close.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Candidates compared with one misspelt word: a typo is close in length, and past this many
/// the rest are not looked at (a map with 10,000 pain points and 20,000 unknown references
/// must not cost 200 million comparisons).
const MAX_CANDIDATES: usize = 1000;
/// Suggestions one run computes; later diagnostics go without a hint.
const MAX_SUGGESTIONS: usize = 2000;
static SUGGESTIONS: AtomicUsize = AtomicUsize::new(0);

/// The candidate most similar to `got`, if it is similar enough to be a likely typo.
pub fn closest<'a>(got: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if SUGGESTIONS.fetch_add(1, Ordering::Relaxed) >= MAX_SUGGESTIONS {
        return None;
    }
    let len = got.chars().count();
    candidates
        .into_iter()
        .filter(|c| c.len().abs_diff(got.len()) <= 8 || c.chars().count().abs_diff(len) <= 8)
        .take(MAX_CANDIDATES)
        .map(|c| (strsim::jaro_winkler(got, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// "; did you mean `x`?" when a candidate is close to `got`, else nothing: the suffix every
/// diagnostic about a misspelt name ends with.
pub fn did_you_mean<'a>(got: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(got, candidates)
        .map(|best| format!("; did you mean `{best}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos_and_ignores_unrelated_words() {
        let keys = ["name", "goal", "actions", "touchpoints", "pain_points"];
        assert_eq!(closest("nmae", keys), Some("name"));
        assert_eq!(closest("touchpoint", keys), Some("touchpoints"));
        assert_eq!(closest("painpoints", keys), Some("pain_points"));
        assert_eq!(closest("zebra", keys), None);
    }
}
