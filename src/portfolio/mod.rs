//! Many maps as one portfolio: which journey details which stage of which map (`parent:`),
//! the roll-ups a parent's stages show, and the index of a folder of maps: the maps as a
//! tree, the coverage of every stage that has detailed journeys, the personas and the maps
//! that use each, and one backlog across the maps.
//!
//! Invariants: built from contexts already computed (a roll-up shows the figures the child's
//! own page shows); links only among the maps rendered together (a `parent:` outside them
//! still shows on the child, as its breadcrumb); every list in a stable order: the tree in
//! file order, children by their parent stage's place, then by path.

mod people;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::enrich::{
    Context, Coverage, CrossItem, Detail, Glance, HurtsMost, Index, IndexEntry, ParentRef,
};
use crate::load::Loaded;

/// One map rendered with others.
pub struct Member<'a> {
    pub loaded: &'a Loaded,
    pub ctx: Context<'a>,
    /// The map's file, relative to the folder rendered (`retail/lifecycle.journey.yaml`).
    pub path: String,
    /// Its page, relative to the index (`retail/lifecycle.html`).
    pub page: PathBuf,
}

/// The age past which a map's review is stale, unless `--max-age` says otherwise (as for
/// `validate`'s warning).
pub const DEFAULT_MAX_AGE_DAYS: u32 = 180;

/// When a map's review is stale.
#[derive(Debug, Clone, Copy)]
pub struct Ages {
    pub today: jiff::civil::Date,
    pub max_age_days: u32,
}

/// The map's file relative to the folder it was found under, or as named.
pub fn map_path(map: &Path, scanned: Option<&Path>) -> String {
    crate::load::display(
        scanned
            .and_then(|r| map.strip_prefix(r).ok())
            .unwrap_or(map),
    )
}

/// The maps under `folder` whose `parent:` names map `of` (read from their text alone): the
/// journeys a page of `of` shows under its stages when it is previewed on its own.
pub fn children_in(folder: &Path, of: &Path) -> Vec<(PathBuf, Option<PathBuf>)> {
    let real = |p: &Path| std::fs::canonicalize(p).ok();
    let Some(target) = real(of) else {
        return Vec::new();
    };
    let Ok(maps) = crate::pipeline::collect_maps(&[folder.to_owned()]) else {
        return Vec::new();
    };
    maps.into_iter()
        .filter(|(p, _)| {
            let Ok(bytes) = crate::load::read_limited(p, crate::load::MAX_FILE_BYTES) else {
                return false;
            };
            let text = String::from_utf8_lossy(&bytes);
            crate::load::parent_in_text(&text, &crate::load::display(p))
                .as_deref()
                .and_then(crate::load::split_parent)
                .and_then(|(file, _)| real(&crate::load::relative_to(p, file)))
                .is_some_and(|up| up == target)
        })
        .collect()
}

/// Which member each member details, with the stage's place in that member: by the real
/// path of the `parent:` file.
fn parents(members: &[Member]) -> Vec<Option<(usize, usize)>> {
    let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    let by_path: BTreeMap<PathBuf, usize> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (real(&m.loaded.path), i))
        .collect();
    members
        .iter()
        .map(|m| {
            let up = m.loaded.ancestors.first()?;
            let p = *by_path.get(&real(Path::new(&up.path)))?;
            let stage = members[p]
                .ctx
                .stages
                .iter()
                .position(|s| s.id == up.stage)?;
            Some((p, stage))
        })
        .collect()
}

/// The members in the order of their tree: each top map (in file order), then depth first
/// the journeys that detail it, by their stage's place and then in file order.
fn tree_order(parent: &[Option<(usize, usize)>]) -> Vec<(usize, usize)> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); parent.len()];
    for (i, p) in parent.iter().enumerate() {
        if let Some((p, _)) = p {
            children[*p].push(i);
        }
    }
    for list in &mut children {
        list.sort_by_key(|&c| (parent[c].map(|(_, s)| s), c));
    }
    let mut out = Vec::new();
    let mut listed = vec![false; parent.len()];
    let mut stack: Vec<(usize, usize)> = (0..parent.len())
        .filter(|&i| parent[i].is_none())
        .rev()
        .map(|i| (i, 0))
        .collect();
    while let Some((i, depth)) = stack.pop() {
        listed[i] = true;
        out.push((i, depth));
        stack.extend(children[i].iter().rev().map(|&c| (c, depth + 1)));
    }
    // Maps no top map leads to (a loop, which validation refuses) are listed all the same.
    out.extend((0..parent.len()).filter(|&i| !listed[i]).map(|i| (i, 0)));
    out
}

/// Link the maps rendered together: each parent stage gets its detailed journeys, and the
/// index says what the maps say together.
pub fn link(members: &mut [Member], ages: Ages) -> Index {
    let parent = parents(members);
    let details: Vec<(usize, usize, Detail)> = parent
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|(p, s)| (i, p, s)))
        .map(|(i, p, s)| {
            let m = &members[i];
            let detail = Detail {
                path: m.path.clone(),
                page: crate::enrich::page_link(&members[p].loaded.path, &m.loaded.path),
                title: m.ctx.title.to_owned(),
                owner: m.ctx.owner.map(str::to_owned),
                hurts_most: HurtsMost::of(&m.ctx),
                headline: Glance::of(&m.ctx),
                open_opportunities: m.ctx.backlog.len(),
            };
            (p, s, detail)
        })
        .collect();
    for (p, s, detail) in details {
        members[p].ctx.stages[s].details.push(detail);
    }
    let order = tree_order(&parent);
    let maps = order
        .iter()
        .map(|&(i, depth)| entry(members, &parent, i, depth, ages))
        .collect();
    Index {
        maps,
        coverage: coverage(members, &order),
        personas: people::personas(members, &order),
        backlog: backlog(members, &order),
    }
}

fn entry(
    members: &[Member],
    parent: &[Option<(usize, usize)>],
    i: usize,
    depth: usize,
    ages: Ages,
) -> IndexEntry {
    let m = &members[i];
    let mut e = IndexEntry::new(&m.ctx, &m.path, &m.page);
    e.depth = depth;
    e.age_days = m
        .ctx
        .reviewed
        .and_then(|r| r.parse::<jiff::civil::Date>().ok())
        .map(|d| i64::from((ages.today - d).get_days()));
    e.stale = e
        .age_days
        .is_none_or(|age| age > i64::from(ages.max_age_days));
    e.parent = match (parent[i], m.loaded.ancestors.first()) {
        (Some((p, s)), _) => Some(ParentRef {
            path: members[p].path.clone(),
            stage: members[p].ctx.stages[s].id.to_owned(),
            stage_name: members[p].ctx.stages[s].name.to_owned(),
        }),
        // A parent that was not rendered with it: its path from the folder rendered.
        (None, Some(a)) => Some(ParentRef {
            path: crate::load::display(&crate::load::relative_to(
                Path::new(&m.path),
                &crate::enrich::relative_file(&m.loaded.path, Path::new(&a.path)),
            )),
            stage: a.stage.clone(),
            stage_name: a.stage_name.clone(),
        }),
        (None, None) => None,
    };
    e.children = m
        .ctx
        .stages
        .iter()
        .flat_map(|s| s.details.iter().map(|d| d.path.clone()))
        .collect();
    e
}

/// Every stage of every map that has detailed journeys, with the journeys of each.
fn coverage(members: &[Member], order: &[(usize, usize)]) -> Vec<Coverage> {
    order
        .iter()
        .map(|&(i, _)| &members[i])
        .filter(|m| m.ctx.stages.iter().any(|s| !s.details.is_empty()))
        .flat_map(|m| {
            m.ctx.stages.iter().map(|s| Coverage {
                map: m.path.clone(),
                stage: s.id.to_owned(),
                stage_name: s.name.to_owned(),
                details: s.details.iter().map(|d| d.path.clone()).collect(),
            })
        })
        .collect()
}

/// Every open solution of every map, ranked by priority (severity × impact ÷ effort, without
/// evidence weighting, so that every map's items are on one scale); ties by the map's place
/// in the tree, then its own rank.
fn backlog(members: &[Member], order: &[(usize, usize)]) -> Vec<CrossItem> {
    let mut items: Vec<(usize, CrossItem)> = order
        .iter()
        .enumerate()
        .flat_map(|(place, &(i, _))| {
            let m = &members[i];
            m.ctx.backlog.iter().map(move |b| {
                let priority = f64::from(b.severity_sum) * f64::from(b.impact_weight)
                    / f64::from(b.effort_weight);
                (
                    place,
                    CrossItem {
                        map: m.path.clone(),
                        map_title: m.ctx.title.to_owned(),
                        href: crate::load::display(&m.page),
                        stage: b.stage.to_owned(),
                        stage_name: b.stage_name.to_owned(),
                        id: b.id.to_owned(),
                        text: b.text.to_owned(),
                        owner: b.owner.map(str::to_owned),
                        status: b.status,
                        priority,
                        rank: 0,
                        map_rank: b.rank,
                    },
                )
            })
        })
        .collect();
    items.sort_by(|(pa, a), (pb, b)| {
        b.priority
            .total_cmp(&a.priority)
            .then(pa.cmp(pb))
            .then(a.map_rank.cmp(&b.map_rank))
    });
    items
        .into_iter()
        .enumerate()
        .map(|(k, (_, mut item))| {
            item.rank = k + 1;
            item
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::tree_order;

    #[test]
    fn the_tree_is_depth_first_with_children_by_their_stage() {
        // 0 top; 1 details stage 2 of 0; 2 details stage 0 of 0; 3 details stage 0 of 2;
        // 4 another top.
        let parent = vec![None, Some((0, 2)), Some((0, 0)), Some((2, 0)), None];
        assert_eq!(
            tree_order(&parent),
            vec![(0, 0), (2, 1), (3, 2), (1, 1), (4, 0)]
        );
        // Two maps that detail each other are listed, not lost.
        assert_eq!(
            tree_order(&[Some((1, 0)), Some((0, 0))]),
            vec![(0, 0), (1, 0)]
        );
    }
}
