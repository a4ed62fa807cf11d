//! Actor keys, numbered in order of first appearance, in a hash table built for them.
//!
//! Invariants: a key maps to one number for the whole log; short keys live in their slot,
//! long ones in one arena, so memory grows with actors, not rows.

/// Actor keys, numbered in order of first appearance. A key of up to 15 bytes lives in its
/// hash-table slot (one memory access finds it); a longer one in an arena.
pub(super) struct Interner {
    long: Vec<u8>,
    table: hashbrown::HashTable<Slot>,
    hasher: foldhash::fast::RandomState,
}

/// A key (inline: its length and bytes; long: length 0xff, offset and length in the arena)
/// and its number.
#[derive(Clone, Copy)]
struct Slot {
    key: [u8; 16],
    who: u32,
}

impl Interner {
    fn bytes<'a>(long: &'a [u8], s: &'a Slot) -> &'a [u8] {
        if s.key[0] == 0xff {
            let from = u64::from_le_bytes(s.key[1..9].try_into().unwrap_or_default()) as usize;
            let len = u32::from_le_bytes(s.key[9..13].try_into().unwrap_or_default()) as usize;
            &long[from..from + len]
        } else {
            &s.key[1..1 + s.key[0] as usize]
        }
    }

    pub(super) fn with_hasher(hasher: foldhash::fast::RandomState) -> Interner {
        Interner {
            long: Vec::new(),
            table: hashbrown::HashTable::new(),
            hasher,
        }
    }

    /// The key's number (`h`: its hash by the interner's hasher), if it has one.
    pub(super) fn get(&self, key: &[u8], h: u64) -> Option<u32> {
        let long = &self.long;
        self.table
            .find(h, |s| Interner::bytes(long, s) == key)
            .map(|s| s.who)
    }

    /// The key's number (`h`: its hash by the interner's hasher), from `add` when it is new.
    pub(super) fn get_or_add(&mut self, key: &[u8], h: u64, add: impl FnOnce() -> u32) -> u32 {
        use std::hash::BuildHasher;
        let long = &self.long;
        if let Some(s) = self.table.find(h, |s| Interner::bytes(long, s) == key) {
            return s.who;
        }
        let mut slot = Slot {
            key: [0; 16],
            who: add(),
        };
        if key.len() < 16 {
            slot.key[0] = key.len() as u8;
            slot.key[1..1 + key.len()].copy_from_slice(key);
        } else {
            slot.key[0] = 0xff;
            slot.key[1..9].copy_from_slice(&(self.long.len() as u64).to_le_bytes());
            slot.key[9..13].copy_from_slice(&(key.len() as u32).to_le_bytes());
            self.long.extend_from_slice(key);
        }
        let (long, hasher) = (&self.long, &self.hasher);
        self.table
            .insert_unique(h, slot, |s| hasher.hash_one(Interner::bytes(long, s)));
        slot.who
    }
}
