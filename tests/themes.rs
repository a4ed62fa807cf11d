//! The theme matcher against an independent reading of its rule (tests/fixtures/real/themes.py)
//! on the comments of real exports.

use journeymap::themes::{Matcher, ThemeTerms};

use crate::util::{python_json, root};

/// A small codebook written for the Sudzilla comments: words, phrases, word endings, an
/// exclude term, and a term with an apostrophe.
const CODEBOOK: &str = r#"[
  {"id": "soap", "terms": ["soap*", "lather", "bubbl*", "fizz*"]},
  {"id": "talks", "terms": ["talk*", "keynote", "speaker*", "session*"]},
  {"id": "harm", "terms": ["injur*", "slipp*", "danger*", "hurt"]},
  {"id": "service", "terms": ["service", "staff", "queue*"], "exclude": ["self service"]},
  {"id": "value", "terms": ["price*", "expensive", "worth", "money"]},
  {"id": "letdown", "terms": ["wasn't", "not as good", "disappoint*"]}
]"#;

#[derive(serde::Deserialize)]
struct Theme {
    id: String,
    terms: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

fn by_python(csv: &str, column: &str, codebook: &std::path::Path) -> Vec<Vec<String>> {
    let script = root().join("tests/fixtures/real/themes.py");
    let got = python_json(&[
        script.as_os_str(),
        csv.as_ref(),
        column.as_ref(),
        codebook.as_os_str(),
    ]);
    serde_json::from_value(got).unwrap()
}

fn by_matcher(csv: &str, column: &str, themes: &[Theme]) -> Vec<Vec<String>> {
    let terms: Vec<ThemeTerms> = themes
        .iter()
        .map(|t| ThemeTerms {
            terms: &t.terms,
            exclude: &t.exclude,
        })
        .collect();
    let m = Matcher::new(&terms);
    let mut reader = csv::Reader::from_path(root().join(csv)).unwrap();
    let col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == column)
        .unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            m.themes_of(r.get(col).unwrap_or(""))
                .into_iter()
                .map(|t| themes[t].id.clone())
                .collect()
        })
        .collect()
}

#[test]
fn themes_of_real_comments_are_what_the_rule_gives_in_python() {
    let dir = tempfile::tempdir().unwrap();
    let codebook = dir.path().join("codebook.json");
    std::fs::write(&codebook, CODEBOOK).unwrap();
    let themes: Vec<Theme> = serde_json::from_str(CODEBOOK).unwrap();
    for (csv, column) in [
        ("tests/fixtures/real/google-forms/sudzilla.csv", "...why?"),
        (
            "tests/fixtures/real/google-forms/sudzilla.csv",
            "What was your favourite giveaway at Sudzilla?",
        ),
    ] {
        let mine = by_matcher(csv, column, &themes);
        let python = by_python(csv, column, &codebook);
        assert_eq!(mine, python, "{csv}: {column}");
        // The codebook must say something about these comments, or the test proves little.
        let matched = mine.iter().filter(|t| !t.is_empty()).count();
        assert!(
            matched >= 5,
            "{csv}: {column}: only {matched} comments matched"
        );
    }
}
