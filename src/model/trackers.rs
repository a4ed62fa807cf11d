//! Tracker exports as the map writes them (`trackers:`): a Jira or Linear CSV export, or the
//! JSON of `gh issue list`, read offline so that CI needs no tracker credentials.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Pairs, Spanned};

/// One tracker's export, which solutions' `ticket:` keys are found in.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tracker {
    /// The prefix tickets name it by (`jira` in `ticket: "jira:CX-12"`).
    pub id: Spanned<String>,
    /// The export, relative to the map file.
    pub file: Spanned<String>,
    pub format: Spanned<TrackerFormat>,
    /// Where a ticket's page is: a URL with `{key}` (`https://acme.atlassian.net/browse/{key}`);
    /// a GitHub list's own `url` field comes first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Spanned<String>>,
    /// Statuses that mean done, when the export's own rule is not the team's (Jira: the
    /// `Status Category` column, else the statuses Done, Closed and Resolved).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub done: Vec<Spanned<String>>,
    /// Statuses or resolutions that mean the work was dropped, not done (default: Won't Do,
    /// Won't Fix, Duplicate, Cannot Reproduce, Declined, Rejected, Canceled, Cancelled,
    /// Obsolete; GitHub's "not planned"; Linear's `Canceled` date).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<Spanned<String>>,
    /// Jira: the export's column names, when they are not Jira's English ones (an export in
    /// the language of the user's profile): `key`, `title`, `status`, `resolution`,
    /// `resolved`, `category` -> the column's name in the file.
    #[serde(default, skip_serializing_if = "Pairs::is_empty")]
    pub columns: Pairs<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TrackerFormat {
    /// Jira's CSV export (all fields or current fields).
    Jira,
    /// Linear's CSV export.
    Linear,
    /// `gh issue list --state all --json number,title,state,stateReason,closedAt,url`.
    Github,
}
