//! What primary suppression itself leaves of each hidden quantity, and what earlier releases
//! already left: the widest interval the audit can ask of a quantity.

use super::{Attacker, INF, Mode, Model};
use crate::disclosure::Status;
use crate::disclosure::knowledge::Problem;
use crate::disclosure::policy::DisclosurePolicy;
use crate::disclosure::table::CellId;
/// The widest interval the audit can ask of each hidden quantity for one attacker, beyond the
/// policy's protection width:
/// * what the *structure* leaves: the primary statuses and the margins, nothing shown and no
///   insider ([`Mode::Structure`]; e.g. a row whose parts and total are all small
///   tells each part is at most the total minus one) — no secondary cell can undo it;
/// * what *earlier releases* left ([`Mode::Before`]): a quantity an earlier release already
///   narrowed cannot be protected better now; the new release must only narrow it no further.
///
/// Spans are computed only for quantities that fall short of the full width (few), and
/// remembered.
pub(crate) struct Inherent {
    systems: Vec<System>,
    spans: std::collections::HashMap<(CellId, u8), i64>,
}

/// One system and the completions found in it.
struct System {
    model: Model,
    pool: Vec<Vec<i64>>,
}

impl System {
    /// The span of (cell, quantity) here; a search out of budget counts as the full width (so
    /// more is asked, never less), a quantity the system does not know too.
    fn span(&mut self, cell: CellId, quantity: u8, budget: u64) -> i64 {
        let Some(t) = self
            .model
            .targets
            .iter()
            .find(|t| t.cell == cell && t.quantity == quantity)
            .copied()
        else {
            return INF;
        };
        let init = self.model.init.clone();
        match self
            .model
            .widen(&t, &init, &mut self.pool, &|_| true, budget)
        {
            Ok((false, lo, hi)) => hi - lo,
            Ok((true, _, _)) | Err(()) => t.required,
        }
    }
}

impl Inherent {
    /// The systems of `attacker`: the structure, and the earlier releases (as `attacker` saw
    /// them) if there are any.
    pub(crate) fn new(
        policy: &DisclosurePolicy,
        problem: &Problem,
        statuses: &[Status],
        attacker: Attacker,
    ) -> Inherent {
        let mut modes = vec![Mode::Structure];
        if problem.segments.len() > 1 {
            modes.push(Mode::Before(attacker));
        }
        let systems = modes
            .into_iter()
            .map(|mode| System {
                model: Model::new(policy, problem, statuses, mode),
                pool: Vec::new(),
            })
            .collect();
        Inherent {
            systems,
            spans: std::collections::HashMap::new(),
        }
    }

    /// The narrowest span of (cell, quantity) over the systems.
    pub(super) fn span(&mut self, cell: CellId, quantity: u8, budget: u64) -> i64 {
        if let Some(&s) = self.spans.get(&(cell, quantity)) {
            return s;
        }
        let span = self
            .systems
            .iter_mut()
            .map(|s| s.span(cell, quantity, budget))
            .min()
            .unwrap_or(INF);
        self.spans.insert((cell, quantity), span);
        span
    }
}
