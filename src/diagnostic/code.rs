//! The registry of diagnostic codes: every code journeymap can print, with its severity and
//! a one-line summary, in one place. Diagnostics take a [`Code`], never a string; the guide's
//! table is tested against [`Code::ALL`] in both directions.

use super::Severity;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $severity:ident, $summary:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in the guide's order.
            pub const ALL: &'static [Code] = &[$( Code::$variant, )*];

            /// The code as printed: `JM010`.
            pub fn id(self) -> &'static str {
                match self { $( Code::$variant => $id, )* }
            }

            /// Errors stop a render (exit 1); warnings are reported and render anyway.
            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// What the code means, in one line (the guide's table, docs/validation.md).
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }
        }
    };
}

codes! {
    /// A file cannot be read; for the map itself this is a failure of the run (exit 2).
    Unreadable = "JM000", Error, "a file cannot be read (map, persona, themes or survey)";
    Syntax = "JM001", Error, "YAML syntax error, or text that is not UTF-8";
    WrongType = "JM002", Error, "a value of the wrong type or not one of the allowed words";
    UnknownKey = "JM003", Error, "an unknown key";
    MissingKey = "JM004", Error, "a required key is missing";
    FormatVersion = "JM005", Error, "an unsupported `journeymap:` format version";
    OverBudget = "JM006", Error, "a size, depth, node or alias budget was exceeded";
    OutsideRoot = "JM007", Error, "a file a map names that resolves outside the folder the map may read from or into a `.git` folder, a file for `journeymap sql` whose name an engine would read as a pattern, or a map that leads outside the git work tree that holds it";
    DuplicateId = "JM010", Error, "a duplicate id";
    UnknownPainPoint = "JM011", Error, "a solution addresses an unknown pain point";
    EmotionOutOfRange = "JM012", Error, "an emotion outside -2..2";
    FunnelNotCount = "JM013", Error, "a funnel count that is not a non-negative integer";
    LinkScheme = "JM014", Error, "a link whose URL scheme is not http, https, mailto or relative";
    NotSlug = "JM015", Error, "an id that is not a slug ([a-z0-9][a-z0-9_-]*)";
    ReviewedNotDate = "JM016", Error, "a `reviewed:` date that is not YYYY-MM-DD";
    NoStages = "JM017", Error, "a map with no stages";
    SurveyUnknownStage = "JM018", Error, "a survey binding that names a stage the map lacks";
    EmptyText = "JM019", Error, "a required text (title, name, id, pain-point or solution text) is empty";
    BadTheme = "JM021", Error, "a theme that cannot be matched: a term with no word, a `*` inside a term, a theme without terms, or one naming a pain point the map lacks";
    InvisibleId = "JM020", Error, "an id with invisible, control or bidirectional characters, or not in Unicode NFC";
    BadParent = "JM022", Error, "a `parent:` that is not `PATH#STAGE`, or whose file is not a map";
    ParentStageUnknown = "JM023", Error, "a `parent:` naming a stage its map lacks";
    ParentCycle = "JM024", Error, "maps whose `parent:` links lead back to themselves";
    BadTarget = "JM025", Error, "a target that cannot be judged: no comparison, not a number, an unknown measure, off the measure's range, or on a figure the stage does not have";
    BadShipped = "JM026", Error, "a `shipped:` that is not a date, on a solution that is not done, or an `effect_window:` that is not days or weeks";
    BadScore = "JM027", Error, "a backlog `score:` that is no model and no formula over the factors (an unknown factor is named with the nearest)";
    BadTicket = "JM028", Error, "a `ticket:` that names a tracker the map lacks, leaves the tracker out when the map has several, or holds no key";
    ColumnMissing = "JM101", Error, "a survey maps a measure to a column its file lacks (the nearest names are listed)";
    ValueSkipped = "JM102", Warning, "a survey value that is not a number or lies outside its scale was skipped";
    RowsUnknownStage = "JM103", Warning, "survey rows name a stage the map lacks, and were not counted";
    NotUtf8 = "JM104", Warning, "a survey file that claims UTF-8 is not; its text was read as Windows-1252";
    BindingCannotWork = "JM105", Error, "a survey binding that cannot work (layout without columns, unknown encoding, ...)";
    MalformedCsv = "JM106", Error, "a survey file whose content cannot be read as its source's CSV export";
    AggregatedRow = "JM107", Error, "an aggregated survey row with a count or mean that cannot be right (negative, fractional, overflowing, not adding up, off the scale)";
    FilterKeepsNothing = "JM108", Error, "a survey `where:` filter that keeps no rows";
    LabelTypo = "JM109", Error, "a `values:` label that matches no answer while answers match no label (a typo)";
    MostlyUnusable = "JM110", Error, "more than half of a measure's non-missing answers could not be used";
    BadScale = "JM111", Error, "a survey scale that is reversed, empty or does not fit its measure, or a label off its scale";
    EmotionFromUnbound = "JM112", Error, "`emotion_from` names a measure the survey does not bind per stage";
    PinNotFound = "JM113", Error, "a pinned quote that is not among the comments read";
    FilterValueUnused = "JM114", Warning, "a value in a `where:` list matches no row";
    WaveBinding = "JM115", Error, "a wave or segment binding that cannot work (two waves with one label, waves in one survey but not another, wave files with different columns, slashed dates whose order cannot be told)";
    WaveCell = "JM116", Error, "a survey row whose wave cell names no wave (a date that cannot be read, a label outside `order:`, a day outside every range)";
    EmptyWave = "JM117", Error, "a wave the map declares that has no rows";
    SmallSegment = "JM118", Warning, "a segment with fewer rows than `segment_min_n`: its figures are shown as too small";
    SegmentNoRows = "JM119", Error, "a segment listed in `segments:` that matches no row";
    RowsOutsideSegments = "JM120", Warning, "rows whose segment is not in `segments:` (counted in the stage figures, in no segment)";
    Workbook = "JM122", Error, "a survey workbook that cannot be read: not a workbook (a CSV renamed), password-protected, damaged, or without the sheet named";
    ThemeMatchesNothing = "JM123", Warning, "a theme codebook with no comment to count, or a theme that none of the comments read belongs to";
    ImplausibleBinding = "JM125", Warning, "answers or labels that use only part of the measure's scale: `values:` labels that stop short of its default scale, or a small `nps:` column whose answers all lie in 1..5";
    AnswersContradictBinding = "JM126", Error, "answers that contradict the binding: an `nps:` column of 30 or more answers all in 1..5, or many answers beyond the scale that a wider question gives (a 0..10 column bound as csat)";
    SkippedOneText = "JM127", Warning, "skipped answers that all read the same text: one answer left out, so the figure is not a random sample";
    EmotionFromConflict = "JM128", Error, "two surveys that give one stage its emotion from different measures";
    NotEnglish = "JM124", Warning, "comments left out of the sentiment as not English (declared or detected; VADER is English only)";
    SmallLatestWave = "JM121", Warning, "the latest wave, which the headline figures come from, has far fewer rows than the wave before (a wave still being collected?)";
    FunnelExport = "JM140", Error, "an analytics export that is not a funnel journeymap reads, or not the one it should be (a GA4 standard report, several date buckets or segments without saying which)";
    FunnelCount = "JM141", Error, "a funnel count that is not a whole, non-negative number written out in full (scientific notation may hide a rounded count)";
    StepNotFound = "JM142", Error, "a stage's `reach:` names an export the map lacks or a step the export lacks (its steps are listed)";
    ReachGrows = "JM143", Warning, "the measured reach grows from one stage to the next (not a closed, ordered funnel; shown as it is)";
    RateDisagrees = "JM144", Warning, "a rate an export reports disagrees with its own counts (the counts are used)";
    EventLog = "JM145", Error, "an event log binding that cannot work (a column the log lacks, a window that cannot be read or of zero, a stage bound twice, a property listed twice or more than 8, a `table:` no warehouse can have)";
    EventTime = "JM146", Error, "event log rows whose time cannot be read, or epochs of mixed magnitudes";
    EventsUnsorted = "JM147", Error, "an event log that is not in time order for an actor (streamed once, it would give wrong counts)";
    StepEventUnused = "JM148", Error, "a stage's event matches no row of the event log (its events are listed)";
    WarehouseOnly = "JM149", Warning, "a stage bound to an event log that has only a `table:` and no `reach:` to read the warehouse's result from";
    SurveyWarehouseOnly = "JM150", Warning, "a survey that has only a `table:`: it is aggregated in the warehouse by `journeymap sql`, and its figures come from the result bound with `layout: aggregated`";
    TrackerExport = "JM160", Error, "a tracker export that cannot be read as its format (a column or field it lacks, a ticket twice), or a tracker binding that cannot work (`done:` or `dropped:` naming nothing the export holds, a `url:` without `{key}`)";
    TicketDate = "JM161", Warning, "a date in a tracker export that cannot be read: the ticket's resolution date is left unknown";
    MermaidSyntax = "JM200", Error, "`import mermaid`: the file is not a Mermaid journey diagram Mermaid would accept";
    NoTouchpoints = "JM050", Warning, "a stage with no touchpoints";
    UnaddressedPainPoint = "JM051", Warning, "a pain point that no solution addresses";
    NoPersona = "JM052", Warning, "the map has no persona";
    FunnelGrows = "JM053", Warning, "the funnel grows from one stage to the next";
    ReviewOverdue = "JM054", Warning, "the map was last reviewed longer ago than --max-age";
    ReviewInFuture = "JM055", Warning, "`reviewed:` is a date in the future";
    TargetMissed = "JM056", Warning, "a target missed: the figure's whole 95% interval lies on the wrong side of it";
    TicketDrift = "JM057", Warning, "a solution whose status and its ticket's disagree (done in one, open or dropped in the other), or whose ticket the tracker export lacks";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
