//! Where a hub's secrets live, and the audit key.
//!
//! A copy of the data directory must not be enough to recompute a pseudonym or to rewrite the
//! audit log. Every secret (the master pseudonymisation key, the audit key, the audit checkpoints,
//! exported release keys) therefore lives *outside* the data directory: [`refuse_inside_data`]
//! compares canonical paths, so `data/../data/keys` or a symlink into the data directory is caught.
//! By default the secrets of a hub are in a key folder named after its [`HubId`].
//!
//! The audit key keys the audit log's MAC chain ([`crate::Hub::verify_audit`]). It cannot make
//! pseudonyms, so the web server, which appends audit entries, may hold it.

use crate::error::StoreError;
use crate::private;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox};
use sha2::Sha256;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

const AUDIT_KEY_HEADER: &str = "vardhub-audit-key";

/// A hub's identity: 32 lowercase hex digits drawn at `init`. Names the hub's default key folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubId(String);

impl HubId {
    /// A new random id.
    pub fn random() -> HubId {
        let mut bytes = [0u8; 16];
        rand::fill(&mut bytes);
        HubId(hex::encode(bytes))
    }

    /// Parse a stored id (32 lowercase hex digits).
    pub fn parse(s: &str) -> Result<HubId, StoreError> {
        if s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(HubId(s.to_owned()))
        } else {
            Err(StoreError::Internal(format!("malformed hub id {s:?}")))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Refuse `path` (a key file or key folder, existing or not) when it lies inside the data
/// directory `data`. Both are compared in canonical form: symlinks resolved for the parts that
/// exist, `.` and `..` resolved for the rest.
pub fn refuse_inside_data(data: &Path, path: &Path) -> Result<(), StoreError> {
    let io = |p: &Path| StoreError::io(p.to_owned());
    let data_c = canonical(data).map_err(io(data))?;
    let path_c = canonical(path).map_err(io(path))?;
    if path_c.starts_with(&data_c) {
        return Err(StoreError::KeyInsideData {
            path: path.to_owned(),
            data: data.to_owned(),
        });
    }
    Ok(())
}

/// The canonical form of a path that may not exist yet: the longest existing ancestor is
/// canonicalised, the rest is appended with `.` and `..` resolved lexically (a component that does
/// not exist cannot be a symlink).
fn canonical(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()?.join(path)
    };
    let components: Vec<Component<'_>> = absolute.components().collect();
    for split in (0..=components.len()).rev() {
        let head: PathBuf = components[..split].iter().collect();
        if head.as_os_str().is_empty() {
            continue;
        }
        let Ok(mut base) = head.canonicalize() else {
            continue;
        };
        for c in &components[split..] {
            match c {
                Component::ParentDir => {
                    base.pop();
                }
                Component::Normal(n) => base.push(n),
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
        return Ok(base);
    }
    Ok(absolute)
}

/// The key of the audit log's MAC chain and where its checkpoints go: `audit.key` and
/// `audit-anchors.log` in the hub's key folder. Never printed (`Debug` shows the folder only).
pub struct AuditKey {
    dir: PathBuf,
    /// HMAC-SHA256 keyed with the audit key (the key schedule is done once, then cloned).
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("dir", &self.dir)
            .field("key", &"[hemlig]")
            .finish()
    }
}

impl AuditKey {
    /// File name of the audit key in the key folder.
    pub const FILE: &'static str = "audit.key";
    /// File name of the audit checkpoints in the key folder.
    pub const ANCHORS: &'static str = "audit-anchors.log";

    /// Create a new random audit key in `dir` (created 0700 if missing); the file is 0600 and
    /// must not exist yet.
    pub fn create(dir: &Path) -> Result<AuditKey, StoreError> {
        private::create_dir_all(dir).map_err(StoreError::io(dir))?;
        let path = dir.join(Self::FILE);
        let mut key = SecretBox::new(Box::new([0u8; 32]));
        rand::fill(key.expose_secret_mut());
        let text = SecretBox::new(Box::new(format!(
            "{AUDIT_KEY_HEADER}\nkey={}\n",
            hex::encode(key.expose_secret())
        )));
        let mut file = private::create_new_file(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => StoreError::KeyFile {
                path: path.clone(),
                reason: "finns redan / exists already".into(),
            },
            _ => StoreError::io(&path)(e),
        })?;
        file.write_all(text.expose_secret().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(StoreError::io(&path))?;
        Ok(Self::from_key(dir, key.expose_secret()))
    }

    /// Load the audit key of `dir`. A file readable by group or others is refused.
    pub fn load(dir: &Path) -> Result<AuditKey, StoreError> {
        let path = dir.join(Self::FILE);
        let bad = |reason: &str| StoreError::KeyFile {
            path: path.clone(),
            reason: reason.to_owned(),
        };
        if let Some(mode) = private::is_shared(&path).map_err(StoreError::io(&path))? {
            return Err(bad(&format!(
                "läsbar för andra (läge {mode:o}); kör `chmod 600` / readable by group or others (mode {mode:o}); run `chmod 600`"
            )));
        }
        let text = SecretBox::new(Box::new(
            std::fs::read_to_string(&path).map_err(StoreError::io(&path))?,
        ));
        let mut lines = text.expose_secret().lines();
        if lines.next() != Some(AUDIT_KEY_HEADER) {
            return Err(bad(
                "första raden ska vara / the first line must be `vardhub-audit-key`",
            ));
        }
        let mut key = SecretBox::new(Box::new([0u8; 32]));
        let hex_key = lines
            .find_map(|l| l.strip_prefix("key="))
            .ok_or_else(|| bad("`key=` saknas / missing `key=`"))?;
        hex::decode_to_slice(hex_key.trim(), key.expose_secret_mut())
            .map_err(|_| bad("nyckeln ska vara 64 hexsiffror / the key must be 64 hex digits"))?;
        Ok(Self::from_key(dir, key.expose_secret()))
    }

    /// An audit key from bytes held in memory (tests and tools); checkpoints go to `dir`.
    pub fn from_key(dir: &Path, key: &[u8; 32]) -> AuditKey {
        AuditKey {
            dir: dir.to_owned(),
            mac: <Hmac<Sha256> as KeyInit>::new_from_slice(key)
                .expect("HMAC accepts any key length"),
        }
    }

    /// The key folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The checkpoint file.
    pub fn anchors(&self) -> PathBuf {
        self.dir.join(Self::ANCHORS)
    }

    /// HMAC-SHA256 over the length-prefixed parts, as 64 hex digits.
    pub(crate) fn mac(&self, parts: &[&str]) -> String {
        let mut mac = self.mac.clone();
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// A value that identifies the key without revealing it (stored in the catalogue so that
    /// another hub's key is refused instead of silently forking the chain).
    pub(crate) fn fingerprint(&self) -> String {
        self.mac(&["vardhub/audit/fingerprint"])[..32].to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_inside_the_data_directory_are_refused_in_any_spelling() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        std::fs::create_dir_all(data.join("keys")).unwrap();
        let inside = [
            data.join("keys/master.key"),
            data.join("../data/keys"),
            data.join("./x/../keys/new/master.key"),
            data.clone(),
        ];
        for p in &inside {
            assert!(
                matches!(
                    refuse_inside_data(&data, p),
                    Err(StoreError::KeyInsideData { .. })
                ),
                "{} accepted",
                p.display()
            );
        }
        // A symlink outside that points into the data directory is inside.
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(data.join("keys"), &link).unwrap();
        assert!(refuse_inside_data(&data, &link.join("master.key")).is_err());
        // Siblings, including one whose name starts like the data directory, are outside.
        for p in [tmp.path().join("keys"), tmp.path().join("data-keys/a.key")] {
            refuse_inside_data(&data, &p).unwrap();
        }
        // A data directory that does not exist yet is compared the same way.
        let fresh = tmp.path().join("fresh");
        assert!(refuse_inside_data(&fresh, &tmp.path().join("fresh/../fresh/k")).is_err());
        refuse_inside_data(&fresh, &tmp.path().join("k")).unwrap();
    }

    #[test]
    fn audit_key_file_roundtrip_permissions_and_redaction() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("keys");
        let a = AuditKey::create(&dir).unwrap();
        let path = dir.join(AuditKey::FILE);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let b = AuditKey::load(&dir).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.mac(&["x"]), b.mac(&["x"]));
        assert!(AuditKey::create(&dir).is_err(), "an existing key is kept");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!format!("{a:?}").contains(&text[25..40]));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(matches!(
            AuditKey::load(&dir),
            Err(StoreError::KeyFile { .. })
        ));
        let other = AuditKey::create(&tmp.path().join("other")).unwrap();
        assert_ne!(other.fingerprint(), a.fingerprint());
    }

    #[test]
    fn hub_ids_are_random_hex_and_parse_back() {
        let a = HubId::random();
        assert_ne!(a, HubId::random());
        assert_eq!(HubId::parse(a.as_str()).unwrap(), a);
        assert!(HubId::parse("../etc").is_err());
    }
}
