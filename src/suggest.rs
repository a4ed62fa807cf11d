//! "Did you mean": the closest known word to a misspelt one, or none when nothing is close.

/// The candidate most similar to `got`, if it is similar enough to be a likely typo.
pub fn closest<'a>(got: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
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
