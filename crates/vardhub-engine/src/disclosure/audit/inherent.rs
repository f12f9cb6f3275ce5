//! What primary suppression itself leaves of each hidden quantity, and what earlier releases
//! already left: the widest interval the audit can ask of a quantity.

use super::{Attacker, INF, Mode, Model};
use crate::disclosure::Status;
use crate::disclosure::knowledge::Problem;
use crate::disclosure::policy::DisclosurePolicy;
use crate::disclosure::table::CellId;
/// The span each quantity keeps for one attacker when nothing but the primary statuses, the
/// margins and the attacker's own cells is known, capped at the policy's protection width;
/// computed only for quantities that fall short of the full width (few), and remembered.
pub(crate) struct Inherent {
    model: Model,
    pool: Vec<Vec<i64>>,
    spans: std::collections::HashMap<(CellId, u8), i64>,
}

impl Inherent {
    /// The structure-only system of `attacker`.
    pub(crate) fn new(
        policy: &DisclosurePolicy,
        problem: &Problem,
        statuses: &[Status],
        attacker: Attacker,
    ) -> Inherent {
        let model = Model::new(policy, problem, statuses, Mode::Inherent(attacker));
        Inherent {
            model,
            pool: Vec::new(),
            spans: std::collections::HashMap::new(),
        }
    }

    /// The span of (cell, quantity); a search out of budget counts as the full width (so more is
    /// asked, never less), an unknown quantity too.
    pub(super) fn span(&mut self, cell: CellId, quantity: u8, budget: u64) -> i64 {
        if let Some(&s) = self.spans.get(&(cell, quantity)) {
            return s;
        }
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
        let span = match self
            .model
            .widen(&t, &init, &mut self.pool, &|_| true, budget)
        {
            Ok((false, lo, hi)) => hi - lo,
            Ok((true, _, _)) | Err(()) => t.required,
        };
        self.spans.insert((cell, quantity), span);
        span
    }
}
