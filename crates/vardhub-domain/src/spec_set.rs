//! Several versions of several collection specifications, live at once (region A delivers
//! `vardkontakter` 1.0.0, region B 1.1.0 with one more optional variable).

use crate::spec::CollectionSpec;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Collection specifications by id and version.
#[derive(Debug, Clone, Default)]
pub struct SpecSet {
    by_id: BTreeMap<String, Vec<CollectionSpec>>,
}

/// Compare dotted versions numerically (`1.10.0` after `1.9.0`); non-numeric parts as text.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parts = |s: &str| -> Vec<(u64, String)> {
        s.split('.')
            .map(|p| (p.parse().unwrap_or(u64::MAX), p.to_owned()))
            .collect()
    };
    parts(a).cmp(&parts(b))
}

impl SpecSet {
    /// The built-in specifications (one version each).
    pub fn builtin() -> SpecSet {
        let mut set = SpecSet::default();
        for spec in crate::spec::builtin().values() {
            set.insert(spec.clone())
                .expect("built-in specifications are unique");
        }
        set
    }

    /// Add a specification; `Err` with the spec back if this id and version exist already.
    pub fn insert(&mut self, spec: CollectionSpec) -> Result<(), Box<CollectionSpec>> {
        let versions = self.by_id.entry(spec.id.clone()).or_default();
        if versions.iter().any(|s| s.version == spec.version) {
            return Err(Box::new(spec));
        }
        versions.push(spec);
        versions.sort_by(|a, b| compare_versions(&a.version, &b.version));
        Ok(())
    }

    /// One version of a collection.
    pub fn get(&self, id: &str, version: &str) -> Option<&CollectionSpec> {
        self.by_id.get(id)?.iter().find(|s| s.version == version)
    }

    /// The newest version of a collection.
    pub fn newest(&self, id: &str) -> Option<&CollectionSpec> {
        self.by_id.get(id)?.last()
    }

    /// Every version of a collection, oldest first (empty if unknown).
    pub fn versions(&self, id: &str) -> &[CollectionSpec] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }

    /// The collection ids.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().map(String::as_str)
    }

    /// The newest version of every collection, by id.
    pub fn newest_by_id(&self) -> BTreeMap<String, CollectionSpec> {
        self.by_id
            .iter()
            .filter_map(|(id, v)| Some((id.clone(), v.last()?.clone())))
            .collect()
    }

    /// Whether there is no specification.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_numerically_and_the_newest_wins() {
        assert_eq!(compare_versions("1.10.0", "1.9.0"), Ordering::Greater);
        let mut set = SpecSet::builtin();
        let mut newer = set.newest("vardkontakter").unwrap().clone();
        newer.version = "1.1.0".into();
        set.insert(newer.clone()).unwrap();
        assert_eq!(set.newest("vardkontakter").unwrap().version, "1.1.0");
        assert_eq!(set.versions("vardkontakter").len(), 2);
        assert!(set.get("vardkontakter", "1.0.0").is_some());
        assert!(set.insert(newer).is_err());
    }
}
