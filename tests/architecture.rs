//! Architecture invariants that can be checked mechanically (ARCHITECTURE.md).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Only the pseudonymisation module (and the domain type itself, with its tests) may read the
/// canonical form of an identity number.
#[test]
fn only_the_pseudonymisation_module_exposes_identity_numbers() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("crates"), &mut files);
    let allowed = [
        "crates/vardhub-domain/src/identity.rs",
        "crates/vardhub-domain/tests/identity_reference.rs",
        "crates/vardhub-ingest/src/pseudonym.rs",
    ];
    let mut offenders = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if allowed.contains(&rel.as_str()) || rel.contains("/target") {
            continue;
        }
        if std::fs::read_to_string(f)
            .unwrap()
            .contains(".expose_canonical(")
        {
            offenders.push(rel);
        }
    }
    assert!(
        offenders.is_empty(),
        "expose_canonical used outside the pseudonymisation module: {offenders:?}"
    );
    assert!(files.len() > 10, "the scan saw the source tree");
}

/// Dependencies point inwards: the domain model depends on no other crate of the workspace, and
/// only the binary depends on everything.
#[test]
fn the_domain_model_depends_on_no_workspace_crate() {
    let manifest =
        std::fs::read_to_string(root().join("crates/vardhub-domain/Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap_or("");
    assert!(
        !deps.contains("vardhub-"),
        "vardhub-domain must not depend on other workspace crates"
    );
    for lib in ["vardhub-store", "vardhub-ingest"] {
        let m = std::fs::read_to_string(root().join(format!("crates/{lib}/Cargo.toml"))).unwrap();
        assert!(
            !m.contains("vardhub = "),
            "{lib} must not depend on the binary"
        );
    }
    let store = std::fs::read_to_string(root().join("crates/vardhub-store/Cargo.toml")).unwrap();
    assert!(
        !store.contains("vardhub-ingest"),
        "storage knows nothing of ingest"
    );
}
