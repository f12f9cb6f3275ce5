#![allow(dead_code)]
//! An independent attack on published tables, shared by the disclosure and indicator tests.
//!
//! The attack uses only what an intruder knows — the published values, the statuses, the cells'
//! kinds, the margins, the policy's thresholds, the documented order in which secondary cells are
//! chosen, and, for an insider, the true values of the insider's own cells; for differencing also
//! every earlier publication of the table and which cells are unchanged since — and searches
//! exhaustively over non-negative integer completions of the hidden counts (and denominators) for
//! the values a hidden quantity can take. It re-implements the status semantics from the policy
//! numbers and shares no code with the engine's own audit. The true values are used only to
//! phrase the questions ("is there a completion where this quantity lies in [a, b]?"), to fix an
//! insider's own cells and to order the search; every completion found is checked against every
//! known fact from scratch, and the true values themselves must satisfy the attacker's model
//! (otherwise the model or the engine is wrong, and the attack panics).
//!
//! * [`recoverable`]: hidden quantities pinned to one value (the original question).
//! * [`feasible_ranges`]: the exact interval `[lo, hi]` of values of every hidden quantity.
//! * [`protection_shortfalls`]: quantities whose interval is narrower than the protection width
//!   (τ-ARGUS protection levels: `hi − lo ≥ min(protection_width, W)`, `W` the span the statuses
//!   alone allow — read as set out in [`Reading`]).
//! * [`pinned`]: the same for insiders and several releases, "pinned to one value".
//! * [`all_shortfalls`]: the public and every insider, over every release of a table.
//! * [`publish_and_attack`], [`publish_and_attack_with`]: apply the default policy and assert
//!   everything the issues demand of the result.

mod model;
mod questions;
mod scenario;
mod search;
mod view;

pub use model::*;
pub use questions::*;
pub use scenario::*;
pub use view::*;
