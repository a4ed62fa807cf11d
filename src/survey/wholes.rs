//! Wholes: the small whole answers of a pass (0 to 15: every NPS, CSAT and CES scale),
//! counted by value per binding and aggregate, and added into the accumulators when the pass
//! stops reading. One increment per answer instead of the accumulator's arithmetic.
//!
//! Invariants: an answer is counted here only once the aggregate's scale for its measure is
//! known to be its binding's (a first answer went through the general path), and only for a
//! row without wave or segment; the counts are empty whenever reading is not under way, so
//! that nothing reads an accumulator that misses answers. Sums of whole answers are exact
//! integers, so adding them by value gives the same accumulator as adding them in file order.

use super::plan::Binding;
use super::value::{Missing, Value};
use super::{Reader, Summary, kind, slot};

/// Answers below this are counted by value.
const VALUES: usize = 16;

#[derive(Clone, Copy, Default)]
struct Counts {
    /// The aggregate's scale for the binding's measure is the binding's.
    ready: bool,
    n: [u64; VALUES],
}

/// Counts by binding, then aggregate (the stages, then the journey).
pub(super) struct Wholes {
    targets: usize,
    /// Per binding, bit `w`: the cell `w` written plainly (`7`, `10`) is the answer `w` for
    /// its rule: a whole number on its scale, not a missing code, no labels.
    plain: Vec<u16>,
    counts: Vec<Counts>,
}

impl Wholes {
    pub(super) fn new(bindings: &[Binding], missing: &Missing, targets: usize) -> Wholes {
        let plain = bindings
            .iter()
            .map(|b| {
                (0..VALUES).fold(0u16, |mask, w| {
                    let cell = w.to_string();
                    match b.rule.read(cell.as_bytes(), missing) {
                        (Value::Whole(v), None) if v == w as i64 => mask | 1 << w,
                        _ => mask,
                    }
                })
            })
            .collect();
        Wholes {
            targets,
            plain,
            counts: vec![Counts::default(); bindings.len() * targets],
        }
    }

    /// Count the cell of binding `b` for aggregate `t`, if it is a small whole number
    /// written plainly that the binding reads as itself, once the aggregate's scale is known
    /// to be the binding's.
    #[inline]
    pub(super) fn count(&mut self, b: usize, t: usize, cell: &[u8]) -> bool {
        let w = match *cell {
            [d] => d.wrapping_sub(b'0'),
            [b'1', d] if d.is_ascii_digit() => 10 + (d - b'0'),
            _ => return false,
        };
        let (Some(plain), Some(c)) = (self.plain.get(b), self.counts.get_mut(b * self.targets + t))
        else {
            return false;
        };
        if c.ready && u32::from(w) < VALUES as u32 && plain >> w & 1 == 1 {
            c.n[usize::from(w)] += 1;
            return true;
        }
        false
    }

    /// The aggregate's scale is now binding `b`'s: its answers can be counted here.
    #[inline]
    pub(super) fn ready(&mut self, b: usize, t: usize) {
        if let Some(c) = self.counts.get_mut(b * self.targets + t) {
            c.ready = true;
        }
    }
}

impl Reader<'_> {
    /// Add the counted answers into the accumulators and the counts of used answers.
    pub(super) fn add_wholes(
        &mut self,
        bindings: &mut [Binding],
        wholes: &mut Wholes,
        summary: &mut Summary,
    ) {
        let targets = wholes.targets;
        for (b, binding) in bindings.iter_mut().enumerate() {
            let Some(s) = slot(binding.measure) else {
                continue;
            };
            let (k, top) = (kind(binding.measure), binding.top_from);
            for t in 0..targets {
                let c = &mut wholes.counts[b * targets + t];
                let used: u64 = c.n.iter().sum();
                if used == 0 {
                    continue;
                }
                summary.values_used += used;
                binding.used += used;
                let acc = &mut self.data.target((t + 1 < targets).then_some(t)).accs[s];
                for (w, n) in c.n.iter_mut().enumerate() {
                    if *n > 0 {
                        binding.span.add(w as f64);
                        acc.add_wholes(w as i64, *n, k, top);
                        *n = 0;
                    }
                }
            }
        }
    }
}
