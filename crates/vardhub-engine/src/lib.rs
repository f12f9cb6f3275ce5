//! # vardhub-engine
//!
//! The computational core behind Vårddatahubben's indicators.
//!
//! * [`stats`]: the statistical methods of `methods.md` — confidence intervals for proportions,
//!   counts, rates, directly and indirectly standardised rates and means; funnel-plot limits with
//!   overdispersion; "significantly better/worse than Sweden"; comparison with a target level.
//!   Pure functions on numbers, with their own special functions.
//! * [`disclosure`]: the one disclosure policy ([`disclosure::DisclosurePolicy`], loaded from
//!   `policies/disclosure.toml`) and the one place where it is applied to a table of cells,
//!   with primary and secondary suppression and an exact audit that no hidden value can be
//!   recovered from the table's margins.
//!
//! * [`analysis`]: patient-level analyses (care chains) as recipes, with their own disclosure
//!   rules ([`disclosure::AnalysisRules`]).
//!
//! **Architecture invariants:** both modules are pure (no I/O except
//! [`disclosure::DisclosurePolicy::load`], which reads one file); every published value passes
//! through [`disclosure::DisclosurePolicy::apply`]; a [`disclosure::PublishedTable`] never
//! contains a hidden value, by construction.

pub mod analysis;
pub mod definitions;
pub mod disclosure;
pub mod indicator;
pub mod output_check;
pub mod scenario;
pub mod stats;
pub mod whatif;
