//! `journeymap explain CODE`: what a diagnostic code means, how to fix what it reports, and
//! a map that triggers it with what `validate` says of that map.
//!
//! Invariants: every code of the registry has one fix here (one row each, tested) and an
//! example: the first folder of `tests/fixtures/invalid/` named after it, embedded at build
//! time with the report the tests pin (`build.rs`), so what `explain` shows is what the
//! tests check.

use super::Code;

/// A map that triggers a code, as the tests keep it.
pub struct Example {
    pub code: &'static str,
    /// The fixture folder, under `tests/fixtures/invalid/`.
    pub folder: &'static str,
    /// The file that gets the code (`map.journey.yaml`; `diagram.mmd` for JM200), its text,
    /// and the command that reports it.
    pub file: &'static str,
    pub text: &'static str,
    pub command: &'static str,
    /// What the command says, as the tests pin it.
    pub report: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/examples.rs"));

/// The example of `code`: the first fixture folder named after it.
pub fn example(code: Code) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.code == code.id())
}

/// The code a user typed: `JM108` or `jm108` (three digits), or a bare number (`108`; `50`
/// is JM050).
pub fn parse(text: &str) -> Option<Code> {
    let t = text.trim();
    let digits = match t.get(..2) {
        Some("JM" | "jm" | "Jm" | "jM") => Some(&t[2..]).filter(|d| d.len() == 3)?,
        _ => t,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    Code::ALL
        .iter()
        .copied()
        .find(|c| c.id().get(2..).and_then(|d| d.parse().ok()) == Some(n))
}

/// How to fix what each code reports, in a sentence or two: one row per code of the registry
/// (the length is checked when building, and a test checks that each code has its row).
const FIXES: [(Code, &str); Code::ALL.len()] = [
    (
        Code::Unreadable,
        "Check the path: it is relative to the map's folder. Create the file, fix a typo in its name, or give it read permission; a folder, device or FIFO is not a file.",
    ),
    (
        Code::Syntax,
        "Fix the YAML at the line shown: indentation is two spaces per level, a list item starts with `- `, a text holding `: ` or `#` needs quotes. Save the file as UTF-8.",
    ),
    (
        Code::WrongType,
        "Give the key a value of the kind the message names (a number, a list, a mapping, or one of the words listed); quote a text that YAML reads as a number or a date.",
    ),
    (
        Code::UnknownKey,
        "Fix the key's spelling (the nearest known key is suggested) or remove it; `journeymap schema` lists every key an editor can complete.",
    ),
    (
        Code::MissingKey,
        "Add the key the message names; `journeymap init` writes a starter map with every required key.",
    ),
    (
        Code::FormatVersion,
        "Start the map with `journeymap: 1`, the format this version reads; a newer format needs a newer journeymap.",
    ),
    (
        Code::OverBudget,
        "Split the map, remove the alias bomb or the deep nesting, or shrink the file: the limits keep a hostile map from exhausting memory.",
    ),
    (
        Code::OutsideRoot,
        "Move the file inside the folder the map may read from (the git work tree that holds it, or the map's folder), or widen it with --root; never point into `.git`. For `journeymap sql`, rename a file whose name holds `*?[]{}` or starts with `~`.",
    ),
    (
        Code::DuplicateId,
        "Give each stage, pain point, solution, survey, export and log its own id; ids are what links and diffs follow.",
    ),
    (
        Code::UnknownPainPoint,
        "Make `addresses:` name pain-point ids the map has (the nearest is suggested), or add the pain point.",
    ),
    (
        Code::EmotionOutOfRange,
        "Set the emotion's score between -2 (very negative) and 2 (very positive).",
    ),
    (
        Code::FunnelNotCount,
        "Write the funnel count as a whole number of people, 0 or more, without a unit or a thousands separator.",
    ),
    (
        Code::LinkScheme,
        "Use an http, https or mailto URL, or a relative path; other schemes (javascript:, data:, file:) are refused.",
    ),
    (
        Code::NotSlug,
        "Write the id in lower case letters, digits, `-` and `_`, starting with a letter or digit (`order-tracking`).",
    ),
    (
        Code::ReviewedNotDate,
        "Write `reviewed:` as a date, YYYY-MM-DD.",
    ),
    (Code::NoStages, "Add at least one stage under `stages:`."),
    (
        Code::SurveyUnknownStage,
        "Bind the survey to stage ids the map has (the nearest is suggested), or add the stage.",
    ),
    (
        Code::EmptyText,
        "Write the text; a title, name, id or card cannot be empty.",
    ),
    (
        Code::BadTheme,
        "Give each theme at least one term with a letter or digit in it; `*` only at a term's end (`refund*`); name only pain points the map has.",
    ),
    (
        Code::InvisibleId,
        "Retype the id: it holds an invisible, control or bidirectional character, or is not in Unicode NFC, so two ids that look alike would differ.",
    ),
    (
        Code::BadParent,
        "Write `parent:` as the path of the map this one details (relative to this map), `#`, and the id of the stage it details: `parent: ../lifecycle.journey.yaml#onboard`. The file must be a journey map (it has `journeymap: 1`).",
    ),
    (
        Code::ParentStageUnknown,
        "Use a stage id of the parent map (the message lists the nearest, or all of them); ids are matched exactly.",
    ),
    (
        Code::ParentCycle,
        "Point one `parent:` in the loop at a map higher up: a map details one stage of the map above it, so following parents must end at a map without one.",
    ),
    (
        Code::BadTarget,
        "Write a target as a comparison and a number in the figure's unit: `csat: \">= 70%\"`, `nps: \">= 30\"`, `ces: \"<= 3\"`, `sentiment: \">= 0.2\"`, `kept: \">= 60%\"`; name a measure that a survey (or `reach:`, for `kept`) gives the stage.",
    ),
    (
        Code::BadShipped,
        "Write `shipped:` as the day the solution reached customers (YYYY-MM-DD) on a solution with `status: done`, and `effect_window:` as days or weeks (`90d`, `12w`).",
    ),
    (
        Code::BadScore,
        "Write `backlog: {score: rice}` (or `ice`, `wsjf`), or a formula over `severity`, `impact`, `effort`, `ease`, `reach` and `confidence`, such as `\"reach * impact / effort\"`.",
    ),
    (
        Code::BadTicket,
        "Write `ticket:` as a tracker's id, `:` and the ticket's key (`jira:CX-12`, `gh:#42`), with the tracker listed under `trackers:`; the id may be left out when the map has one tracker.",
    ),
    (
        Code::ColumnMissing,
        "Bind the measure to a column the file has (the nearest names are listed); check the survey's `source:` and header rows if every name looks wrong.",
    ),
    (
        Code::ValueSkipped,
        "Look at the cells listed: bind text answers with `values:` labels, fix the scale (`scale:`) if answers lie outside it, or clean the export.",
    ),
    (
        Code::RowsUnknownStage,
        "Map the stage cells the file uses to the map's stage ids with `stage_values:`, or add the stages.",
    ),
    (
        Code::NotUtf8,
        "Declare the file's real encoding with `encoding:` (for example `windows-1252`), or export it as UTF-8.",
    ),
    (
        Code::BindingCannotWork,
        "Change the binding as the message says: a layout needs its columns, an encoding must be one journeymap knows, `header_rows:` is for exports whose `source:` does not set it, a setting must fit the others.",
    ),
    (
        Code::MalformedCsv,
        "Check the line shown: an unclosed quote, a row wider than the header, or a file of another tool than `source:` names; export the file again if it was cut.",
    ),
    (
        Code::AggregatedRow,
        "Fix the row of the aggregated file: counts are whole and not negative, parts add up to their total, and means lie on the scale.",
    ),
    (
        Code::FilterKeepsNothing,
        "Make the `where:` values match what the column holds (the values it has are listed), or remove the filter. Under `{not: ...}`, the values listed are the ones every row held: leave fewer out.",
    ),
    (
        Code::LabelTypo,
        "Spell the `values:` label as the answers write it (the nearest answer is suggested).",
    ),
    (
        Code::MostlyUnusable,
        "The column is probably bound to the wrong measure or scale: check the binding against a few answers before trusting any figure.",
    ),
    (
        Code::BadScale,
        "Write the scale low to high (`scale: [1, 5]`), wide enough for the measure, with every label on it.",
    ),
    (
        Code::EmotionFromUnbound,
        "Bind the measure `emotion_from:` names in the same survey, per stage, or name one it binds.",
    ),
    (
        Code::PinNotFound,
        "Copy the pinned quote from the comments as read (spacing aside), or remove the pin.",
    ),
    (
        Code::FilterValueUnused,
        "Remove the value from the `where:` list, or spell it as the column writes it.",
    ),
    (
        Code::WaveBinding,
        "Make the waves workable: one label each, waves in every survey or in none, the same columns in every wave file, `day_order:` for slashed dates.",
    ),
    (
        Code::WaveCell,
        "Fix or remove the row, or widen the waves: its wave cell names no wave (an unreadable date, a label outside `order:`, a day outside every range).",
    ),
    (
        Code::EmptyWave,
        "Remove the wave from the map or give it rows; a wave without answers cannot be compared.",
    ),
    (
        Code::SmallSegment,
        "Nothing to fix if it is expected: the segment's figures show as too small. Lower `segment_min_n` only if a figure on so few answers is meaningful.",
    ),
    (
        Code::SegmentNoRows,
        "Spell the segment as the column writes it, or remove it from `segments:`.",
    ),
    (
        Code::RowsOutsideSegments,
        "Add the segment values the rows use to `segments:`, or accept that they count in the stage figures only.",
    ),
    (
        Code::Workbook,
        "Save the workbook without a password, export it again if it is damaged, name an existing sheet with `sheet:`, or give a CSV its real extension.",
    ),
    (
        Code::ThemeMatchesNothing,
        "Check the theme's terms against the comments (`*` matches word endings), bind a comment column, or remove a theme nothing belongs to.",
    ),
    (
        Code::ImplausibleBinding,
        "Check the binding: set `scale:` when answers use a shorter scale than the measure's default, and bind a 1..5 question as csat, not nps.",
    ),
    (
        Code::AnswersContradictBinding,
        "Bind the column to the measure and scale its answers use: a 1..5 question is not NPS, a 0..10 question is not CSAT.",
    ),
    (
        Code::SkippedOneText,
        "Bind the text the skipped answers share (`values:` label, or `missing:` if it means no answer): leaving one answer out biases the figure.",
    ),
    (
        Code::EmotionFromConflict,
        "Let one survey give each stage its emotion, or make both use the same measure.",
    ),
    (
        Code::NotEnglish,
        "Nothing to fix: sentiment is scored for English comments only; declare `language:` if detection is wrong.",
    ),
    (
        Code::SmallLatestWave,
        "Wait until the wave is collected, or know that the headline figures rest on fewer answers than the wave before.",
    ),
    (
        Code::FunnelExport,
        "Export the funnel as the tool's funnel report (not a standard report), one date range and one segment, or say which with `date:` and `segment:`.",
    ),
    (
        Code::FunnelCount,
        "Export the counts in full: scientific notation can hide a rounded count.",
    ),
    (
        Code::StepNotFound,
        "Name an export the map has and a step it lists (the steps are listed), by its label, its name or its number.",
    ),
    (
        Code::ReachGrows,
        "Check the steps' order and that the export is a closed funnel; the counts are shown as they are.",
    ),
    (
        Code::RateDisagrees,
        "Nothing to fix in the map: the export's rates and counts disagree, and the counts are used.",
    ),
    (
        Code::EventLog,
        "Fix the binding as the message says: a column the log has, a window such as `7d`, each stage bound once, each of `properties:` once and not the `segment_by:` column, a `table:` a warehouse can name.",
    ),
    (
        Code::EventTime,
        "Make the time column readable (ISO 8601, or epoch seconds, milliseconds or microseconds, one magnitude throughout), or bind another column.",
    ),
    (
        Code::EventsUnsorted,
        "Sort the log by actor and time (`sort -t, -k…`, or in the export), or count it in the warehouse with `journeymap sql`.",
    ),
    (
        Code::StepEventUnused,
        "Name the event as the log writes it (its events are listed), or remove the stage's binding.",
    ),
    (
        Code::WarehouseOnly,
        "Run `journeymap sql`, save its result as CSV, and bind it under `analytics:` with the stage's `reach:`.",
    ),
    (
        Code::SurveyWarehouseOnly,
        "Run `journeymap sql`, save its result, and bind it as a survey with `layout: aggregated`.",
    ),
    (
        Code::TrackerExport,
        "Export the tracker again in the format named (Jira: CSV with the English column names, or name them under `columns:`; GitHub: `gh issue list --state all --json number,title,state,stateReason,closedAt,url`), and write `done:`, `dropped:` and `url:` with what the export holds.",
    ),
    (
        Code::TicketDate,
        "Export dates as the tracker writes them by default (Jira `15/Feb/26 4:51 PM`, ISO 8601), or leave the cell empty.",
    ),
    (
        Code::MermaidSyntax,
        "Fix the diagram at the line shown so Mermaid accepts it: `journey`, then `title`, `section` and `task: score: actors` lines.",
    ),
    (
        Code::NoTouchpoints,
        "Add where the customer meets the business in this stage under `touchpoints:`.",
    ),
    (
        Code::UnaddressedPainPoint,
        "Add a solution whose `addresses:` names the pain point, or accept that it is open.",
    ),
    (
        Code::NoPersona,
        "Add a `persona:` (inline, or `persona: personas/name.yaml`): whose journey this is.",
    ),
    (
        Code::FunnelGrows,
        "Check the funnel counts: a funnel does not gain people from one stage to the next.",
    ),
    (
        Code::ReviewOverdue,
        "Review the map with its owner and set `reviewed:` to today, or raise --max-age.",
    ),
    (
        Code::ReviewInFuture,
        "Set `reviewed:` to the day the map was reviewed.",
    ),
    (
        Code::TargetMissed,
        "Nothing to fix in the map if the figure is right: the stage is not where the team wants it. Work on it, or change the target on purpose; `--strict` fails CI while it stands.",
    ),
    (
        Code::TicketDrift,
        "Make map and tracker agree: set the solution's `status:` to what happened (`done`, or `dropped` for a ticket closed as Won't Do or not planned), or move the ticket; for a ticket the export lacks, check its key or export the tracker again.",
    ),
];

/// How to fix what `code` reports.
pub fn fix(code: Code) -> &'static str {
    FIXES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, text)| text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_written_or_as_numbers() {
        assert_eq!(parse("JM108"), Some(Code::FilterKeepsNothing));
        assert_eq!(parse(" jm108 "), Some(Code::FilterKeepsNothing));
        assert_eq!(parse("108"), Some(Code::FilterKeepsNothing));
        assert_eq!(parse("50"), Some(Code::NoTouchpoints));
        // A prefixed code has three digits: `JM10` is not JM010.
        assert_eq!(parse("JM10"), None);
        assert_eq!(parse("JM1080"), None);
        assert_eq!(parse("JMabc"), None);
        assert_eq!(parse("JM999"), None);
        assert_eq!(parse("-1"), None);
        // Text that is not ASCII is no code, and no slice of it panics.
        assert_eq!(parse("Jé108"), None);
        assert_eq!(parse("ＪＭ108"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn every_code_has_one_fix() {
        for c in Code::ALL {
            assert_eq!(FIXES.iter().filter(|(f, _)| f == c).count(), 1, "{c}");
            assert!(!fix(*c).is_empty(), "{c}");
        }
    }

    #[test]
    fn every_code_has_an_example() {
        for c in Code::ALL {
            assert!(example(*c).is_some(), "{c}");
        }
    }
}
