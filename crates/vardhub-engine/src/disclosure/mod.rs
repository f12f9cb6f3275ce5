//! Disclosure control (placeholder while stats is built).
