//! The one door through which indicator values leave the server: the engine's
//! [`publish`](vardhub_engine::indicator::publish::publish) with the caller's [`View`]. Handlers get
//! [`PublicValue`]s only from here (through the run cache), never result rows.

pub use vardhub_engine::indicator::publish::{PublicValue, PublishError, View, publish};
