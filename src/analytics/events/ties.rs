//! An actor's rows at one instant, in sequential order (the guide: "Reach from event logs"):
//! they may be taken in any order, each row as at most one step of a chain.
//!
//! Invariants: a chain that reaches stage `m` at this instant takes stages `j..=m` from
//! different rows of the instant, after a chain that reached `j − 1` earlier (or it starts
//! here, `j = 0`). Whether stages `j..=m` can be taken is a matching of stages to rows, decided
//! by augmenting paths; rows that match the same stages are pooled, with their number as a
//! capacity. Stages that can be taken from `j` can be taken from any later `j`, so one search
//! per `m` finds the lowest. The warehouse SQL decides the same by Hall's condition
//! (`crate::sql::events`), and `tests/fixtures/events/reference.py` by trying every row.

/// The rows of one instant: each distinct set of stages (bit k: stage k) and how many rows
/// match exactly that set (at most 64: no chain takes more).
pub struct Instant {
    sets: Vec<(u64, usize)>,
}

impl Instant {
    /// The rows' sets of stages, in any order; rows that match no stage are left out.
    pub fn new(masks: impl IntoIterator<Item = u64>) -> Instant {
        let mut all: Vec<u64> = masks.into_iter().filter(|&m| m != 0).collect();
        all.sort_unstable();
        let mut sets: Vec<(u64, usize)> = Vec::new();
        for m in all {
            match sets.last_mut() {
                Some((last, count)) if *last == m => *count = (*count + 1).min(64),
                _ => sets.push((m, 1)),
            }
        }
        Instant { sets }
    }

    /// The lowest `j` such that stages `j..=m` can each be taken by a different row; `None`
    /// when no row matches stage `m`.
    pub fn lowest_start(&self, m: usize) -> Option<usize> {
        let mut taken: Vec<Vec<usize>> = vec![Vec::new(); self.sets.len()];
        let mut lowest = None;
        for j in (0..=m).rev() {
            let mut seen = vec![false; self.sets.len()];
            if !self.take(j, &mut taken, &mut seen) {
                break;
            }
            lowest = Some(j);
        }
        lowest
    }

    /// Give stage `step` a row, moving stages already given along an augmenting path.
    fn take(&self, step: usize, taken: &mut [Vec<usize>], seen: &mut [bool]) -> bool {
        for c in 0..self.sets.len() {
            let (mask, rows) = self.sets[c];
            if mask >> step & 1 == 0 || seen[c] {
                continue;
            }
            seen[c] = true;
            if taken[c].len() < rows {
                taken[c].push(step);
                return true;
            }
            for i in 0..taken[c].len() {
                if self.take(taken[c][i], taken, seen) {
                    taken[c][i] = step;
                    return true;
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::Instant;

    #[test]
    fn stages_taken_from_distinct_rows() {
        // Steps c, d, c: a `c` row matches stages 0 and 2, a `d` row stage 1.
        let one_c_one_d = Instant::new([0b101, 0b010]);
        assert_eq!(one_c_one_d.lowest_start(0), Some(0));
        // d as stage 1 after c as stage 0.
        assert_eq!(one_c_one_d.lowest_start(1), Some(0));
        // Stage 2 needs the c row, so stage 1 (d) can precede it but stage 0 cannot: one row
        // is one step.
        assert_eq!(one_c_one_d.lowest_start(2), Some(1));
        // Two different c rows and a d: all three stages at this instant.
        let two_c = Instant::new([0b101, 0b101, 0b010]);
        assert_eq!(two_c.lowest_start(2), Some(0));
        // No row for stage 1.
        assert_eq!(Instant::new([0b101]).lowest_start(1), None);
        // A row matching stages 0 and 1 and one matching 1 and 2: stage 1 first takes the
        // first row, then moves to the second so that stage 0 can have the first.
        let moved = Instant::new([0b011, 0b110]);
        assert_eq!(moved.lowest_start(1), Some(0));
        // Three stages from two rows: no.
        assert_eq!(moved.lowest_start(2), Some(1));
        // Rows that match nothing are no help.
        assert_eq!(Instant::new([0, 0b10]).lowest_start(1), Some(1));
    }
}
