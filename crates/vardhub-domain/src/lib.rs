//! # vardhub-domain
//!
//! The domain model of Vårddatahubben. Everything here is *parsed once at the edge and trusted
//! inside*: a [`PatientId`] is proof that an identity number had a valid shape, date and check digit;
//! a [`RegionCode`] is one of the 21 regions; a [`Period`] is a calendar month; an [`IcdCode`] is a
//! normalised ICD-10-SE code, and so on.
//!
//! The crate has no I/O and depends on no other crate of the workspace: all other crates depend on it.
//!
//! Architecture invariant: a [`PatientId`] never prints its value (`Debug` is masked, there is no
//! `Display`); only the pseudonymisation module of `vardhub-ingest` calls
//! [`PatientId::expose_canonical`].

pub mod area;
pub mod case;
pub mod codes;
pub mod external;
pub mod identity;
pub mod identity_scan;
pub mod manifest;
pub mod period;
pub mod region;
pub mod report_period;
pub mod research;
pub mod spec;
pub mod spec_set;

pub use area::{Area, AreaError, Level};
pub use codes::{AtcCode, CodeError, DrgCode, IcdCode, KvaCode, MvoCode, Sex};
pub use identity::{IdError, IdKind, PatientId};
pub use identity_scan::{contains_identity_number, find_identity_numbers, mask_identity_numbers};
pub use manifest::{Encoding, Manifest, ManifestError, ManifestFile};
pub use period::Period;
pub use region::{KommunCode, Region, RegionCode, Sjukvardsregion};
pub use report_period::{PeriodKind, ReportPeriod};
pub use spec_set::SpecSet;
