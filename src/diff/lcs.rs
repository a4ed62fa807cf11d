//! What moved: the longest common subsequence of two lists of ids; an id outside it has
//! moved. A table for lists of ordinary size, patience sorting (O(n log n)) past it.

/// The longest common subsequence when ids are unique (stage ids are): the longest
/// increasing run of old positions taken in the new order, in O(n log n) time and O(n)
/// memory (patience sorting).
fn lcs_of_unique(a: &[&str], b: &[&str]) -> Vec<String> {
    let pos: std::collections::HashMap<&str, usize> =
        a.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let seq: Vec<(usize, &str)> = b
        .iter()
        .filter_map(|id| pos.get(id).map(|&i| (i, *id)))
        .collect();
    // tails[k]: index into seq of the smallest tail of an increasing run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (j, &(p, _)) in seq.iter().enumerate() {
        let k = tails.partition_point(|&t| seq[t].0 < p);
        prev[j] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(j);
        } else {
            tails[k] = j;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied();
    while let Some(j) = at {
        out.push(seq[j].1.to_owned());
        at = prev[j];
    }
    out.reverse();
    out
}

/// Above this many cells the table of [`lcs`] would not fit in memory (two 39,000-stage
/// maps would need 12 GB); [`lcs_of_unique`] is used instead.
const LCS_TABLE_LIMIT: usize = 4_000_000;

/// Longest common subsequence of two id lists: stages outside it have moved.
pub(super) fn lcs(a: &[&str], b: &[&str]) -> Vec<String> {
    if a.len().saturating_mul(b.len()) > LCS_TABLE_LIMIT {
        return lcs_of_unique(a, b);
    }
    let (n, m) = (a.len(), b.len());
    let mut t = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if a[i] == b[j] {
                t[i + 1][j + 1] + 1
            } else {
                t[i + 1][j].max(t[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if a[i] == b[j] {
            out.push(a[i].to_owned());
            i += 1;
            j += 1;
        } else if t[i + 1][j] > t[i][j + 1] {
            i += 1;
        } else {
            // On a tie the stage that now comes earlier is the one that moved (swapping two
            // neighbours is reported as moving the one brought forward).
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_linear_lcs_is_as_long_as_the_table_one() {
        let a = ["a", "b", "c", "d", "e", "f", "g"];
        for b in [
            &["a", "c", "b", "d", "g", "e", "f"][..],
            &["g", "f", "e", "d", "c", "b", "a"][..],
            &["x", "a", "y", "b", "z"][..],
            &["b", "d", "f", "a", "c", "e", "g"][..],
        ] {
            let fast = lcs_of_unique(&a, b);
            assert_eq!(fast.len(), lcs(&a, b).len(), "{b:?}");
            // It is a common subsequence of both.
            let sub = |s: &[&str]| {
                let mut it = s.iter();
                fast.iter().all(|f| it.any(|x| x == f))
            };
            assert!(sub(&a) && sub(b), "{fast:?}");
        }
    }
}
