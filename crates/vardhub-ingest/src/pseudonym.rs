//! Pseudonymisation: the only module that ever holds a raw identity number or a key.
//!
//! Scheme: a 32-byte master key lives in a key file *outside the lake* (mode 0600; a file readable
//! by group or others is refused). The pseudonymisation key is derived with HKDF-SHA256
//! (`info = "vardhub/pseudonym/v<version>"`), and a pseudonym is HMAC-SHA256 over the identity
//! kind and its canonical form (12 digits for personnummer and samordningsnummer; issuing region
//! plus the normalised value for reservnummer), truncated to 128 bits and written as 32 hex digits.
//! The kind is kept beside the pseudonym; the key version is recorded per delivery. Age and sex are
//! derived from the number here, before it is hashed and dropped.
//!
//! Lake pseudonyms never leave the hub: with one key for all regions they would let two regions
//! link their downloads. Every release (hemhämtning, research projects) gets its own
//! pseudonyms instead: a release key is HMAC-SHA256 over the pseudonymisation key's scope label
//! (`vardhub/release/region=RR` or `vardhub/release/project=ID`, see [`ReleaseScope`]), and a
//! release pseudonym is HMAC-SHA256(release key, lake pseudonym) truncated to 128 bits (32
//! lowercase hex digits). The same patient therefore keeps one pseudonym across a region's own
//! downloads, while two scopes' pseudonyms cannot be linked without the key.
//!
//! The web server needs only the release keys of the regions, never the key that makes lake
//! pseudonyms: [`Pseudonymiser::release_keys`] derives them all, [`ReleaseKeys::write`] stores
//! them in a release-keys file (`vardhub keys export-release`) and [`ReleaseKeys::load`] reads it
//! back, refusing a master key file given by mistake. With release keys and a copy of the lake one
//! can map lake pseudonyms to a region's release pseudonyms, but not compute either from an
//! identity number.
//!
//! Nothing in this module logs, prints or returns the raw value; errors carry only the rule broken.

use chrono::NaiveDate;
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use vardhub_domain::{IdError, IdKind, PatientId, RegionCode, Sex};

const KEY_FILE_HEADER: &str = "vardhub-master-key";
const RELEASE_FILE_HEADER: &str = "vardhub-release-keys";

/// Why a key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file cannot be read or written.
    #[error("nyckelfilen {path}: {source} / key file {path}: {source}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Group or others may read the file.
    #[error(
        "nyckelfilen {path} är läsbar för andra (läge {mode:o}); kör `chmod 600` / key file {path} is readable by group or others (mode {mode:o}); run `chmod 600`"
    )]
    Permissions {
        /// The key file.
        path: PathBuf,
        /// Its mode bits.
        mode: u32,
    },
    /// The file is not a vardhub key file.
    #[error("nyckelfilen {path} har fel format / key file {path} is malformed: {reason}")]
    Format {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// The file exists already.
    #[error("nyckelfilen {0} finns redan / key file {0} already exists")]
    Exists(PathBuf),
    /// The master key file was given where a release-keys file belongs (the web server must never
    /// hold the key that makes lake pseudonyms).
    #[error(
        "{0} är huvudnyckeln; webbservern får bara utlämningsnycklar (`vardhub keys export-release --out FIL`) / {0} is the master key; the web server takes only release keys (`vardhub keys export-release --out FILE`)"
    )]
    MasterKeyGiven(PathBuf),
}

/// Read a key file that only its owner may read.
fn read_private(path: &Path) -> Result<SecretBox<String>, KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    let mode = std::fs::metadata(path).map_err(io)?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions {
            path: path.to_owned(),
            mode: mode & 0o777,
        });
    }
    Ok(SecretBox::new(Box::new(
        std::fs::read_to_string(path).map_err(io)?,
    )))
}

/// Write `text` to a new file with mode 0600 (its folder created 0700 when missing).
fn write_private(path: &Path, text: &SecretBox<String>) -> Result<(), KeyError> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    if path.exists() {
        return Err(KeyError::Exists(path.to_owned()));
    }
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    file.write_all(text.expose_secret().as_bytes())
        .map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(())
}

/// Write a new random master key (version 1) to `path`, creating it with mode 0600 (the folder 0700).
pub fn create_key_file(path: &Path) -> Result<(), KeyError> {
    let mut key = SecretBox::new(Box::new([0u8; 32]));
    rand::fill(key.expose_secret_mut());
    let text = SecretBox::new(Box::new(format!(
        "{KEY_FILE_HEADER}\nversion=1\nkey={}\n",
        hex::encode(key.expose_secret())
    )));
    write_private(path, &text)
}

/// An identity after pseudonymisation: what may leave this module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PseudonymisedId {
    /// 32 hex digits.
    pub pseudonym: String,
    /// Personnummer, samordningsnummer or reservnummer.
    pub kind: IdKind,
    /// Birth date from the number, when it has one.
    pub birth_date: Option<NaiveDate>,
    /// Sex from the number's 9th digit, when it has one.
    pub sex: Option<Sex>,
    /// Completed years at the date asked for, when the birth date is known.
    pub age: Option<u32>,
}

/// Turns identity numbers into keyed pseudonyms.
pub struct Pseudonymiser {
    version: u32,
    /// HMAC keyed with the derived key (the key schedule is done once, then cloned per value).
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pseudonymiser")
            .field("version", &self.version)
            .field("mac", &"[hemlig]")
            .finish()
    }
}

impl Pseudonymiser {
    /// Load the master key file and derive the pseudonymisation key.
    pub fn load(path: &Path) -> Result<Pseudonymiser, KeyError> {
        let text = read_private(path)?;
        let bad = |reason| KeyError::Format {
            path: path.to_owned(),
            reason,
        };
        let mut lines = text.expose_secret().lines();
        if lines.next() != Some(KEY_FILE_HEADER) {
            return Err(bad("first line must be `vardhub-master-key`"));
        }
        let mut version = None;
        let mut master = None;
        for line in lines {
            if let Some(v) = line.strip_prefix("version=") {
                version = v.trim().parse::<u32>().ok();
            } else if let Some(k) = line.strip_prefix("key=") {
                let mut bytes = [0u8; 32];
                hex::decode_to_slice(k.trim(), &mut bytes)
                    .map_err(|_| bad("key must be 64 hex digits"))?;
                master = Some(SecretBox::new(Box::new(bytes)));
                bytes.fill(0);
            }
        }
        let version = version.ok_or_else(|| bad("missing `version=`"))?;
        let master = master.ok_or_else(|| bad("missing `key=`"))?;
        Ok(Self::from_master(master.expose_secret(), version))
    }

    /// Derive from a master key held in memory (tests and tools).
    pub fn from_master(master: &[u8; 32], version: u32) -> Pseudonymiser {
        let hk = Hkdf::<Sha256>::new(Some(b"vardhub"), master);
        let mut key = Box::new([0u8; 32]);
        let info = format!("vardhub/pseudonym/v{version}");
        hk.expand(info.as_bytes(), key.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        let key = SecretBox::new(key);
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.expose_secret())
            .expect("HMAC accepts any key length");
        Pseudonymiser { version, mac }
    }

    /// The key version (recorded with every delivery).
    pub fn key_version(&self) -> u32 {
        self.version
    }

    /// A fingerprint of the derived key that reveals nothing about it: lets the catalogue notice a
    /// key file that changed under the same version.
    pub fn fingerprint(&self) -> String {
        let mut mac = self.mac();
        mac.update(b"vardhub/fingerprint");
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    fn mac(&self) -> Hmac<Sha256> {
        self.mac.clone()
    }

    /// Parse one delivered identity number and pseudonymise it. `reference` is the date the number
    /// is read at (century of short forms); `age_on` the date age is computed at; `issuer` the region
    /// that issued a reservnummer.
    pub fn pseudonymise(
        &self,
        raw: &str,
        hint: Option<IdKind>,
        reference: NaiveDate,
        issuer: Option<RegionCode>,
        age_on: Option<NaiveDate>,
    ) -> Result<PseudonymisedId, IdError> {
        let id = PatientId::parse(raw, hint, reference, issuer)?;
        let mut mac = self.mac();
        mac.update(id.kind().code().as_bytes());
        mac.update(b":");
        mac.update(id.expose_canonical().as_bytes());
        let digest = mac.finalize().into_bytes();
        Ok(PseudonymisedId {
            pseudonym: hex::encode(&digest[..16]),
            kind: id.kind(),
            birth_date: id.birth_date(),
            sex: id.sex(),
            age: age_on.and_then(|d| id.age_on(d)),
        })
    }
}

/// Who a release of microdata is for: each scope gets its own pseudonyms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseScope {
    /// A region's own data (hemhämtning).
    Region(RegionCode),
    /// A research project, by its id.
    Project(String),
    /// The tokens that replace a research project's record identifiers (`kontakt_id`): keyed
    /// apart from its pseudonyms, so a token can never equal a pseudonym of any scope.
    ProjectTokens(String),
}

impl ReleaseScope {
    /// The label the release key is derived with: `vardhub/release/region=RR`,
    /// `vardhub/release/project=ID` or `vardhub/release/project-tokens=ID`.
    fn label(&self) -> String {
        match self {
            ReleaseScope::Region(r) => format!("vardhub/release/region={}", r.as_str()),
            ReleaseScope::Project(id) => format!("vardhub/release/project={id}"),
            ReleaseScope::ProjectTokens(id) => format!("vardhub/release/project-tokens={id}"),
        }
    }
}

/// Turns lake pseudonyms into the pseudonyms of one release scope (see the module documentation).
/// Built with [`Pseudonymiser::for_release`].
pub struct ReleasePseudonymiser {
    version: u32,
    /// The 32-byte release key (zeroed on drop).
    key: SecretBox<[u8; 32]>,
}

impl std::fmt::Debug for ReleasePseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReleasePseudonymiser")
            .field("version", &self.version)
            .field("key", &"[hemlig]")
            .finish()
    }
}

impl ReleasePseudonymiser {
    /// The release pseudonym of a lake pseudonym: the first 16 bytes of
    /// HMAC-SHA256(release key, lake pseudonym) as 32 lowercase hex digits.
    pub fn pseudonym(&self, lake_pseudonym: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.key.expose_secret())
            .expect("HMAC accepts any key length");
        mac.update(lake_pseudonym.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// The version of the pseudonymisation key the release key was derived from.
    pub fn key_version(&self) -> u32 {
        self.version
    }
}

impl Pseudonymiser {
    /// The pseudonymiser of one release scope: its key is HMAC-SHA256(pseudonymisation key, the
    /// scope's label).
    pub fn for_release(&self, scope: &ReleaseScope) -> ReleasePseudonymiser {
        let mut mac = self.mac();
        mac.update(scope.label().as_bytes());
        let mut key = Box::new([0u8; 32]);
        key.copy_from_slice(&mac.finalize().into_bytes());
        ReleasePseudonymiser {
            version: self.version,
            key: SecretBox::new(key),
        }
    }

    /// The release keys of every region (what the web server needs for hemhämtning), with this
    /// key's version and fingerprint.
    pub fn release_keys(&self) -> ReleaseKeys {
        ReleaseKeys {
            version: self.version,
            fingerprint: self.fingerprint(),
            regions: RegionCode::all()
                .map(|r| (r, self.for_release(&ReleaseScope::Region(r)).key))
                .collect(),
        }
    }
}

/// The release keys of every region, without the key they derive from: all hemhämtning needs.
/// Built by [`Pseudonymiser::release_keys`] or read from a release-keys file.
pub struct ReleaseKeys {
    version: u32,
    fingerprint: String,
    regions: BTreeMap<RegionCode, SecretBox<[u8; 32]>>,
}

impl std::fmt::Debug for ReleaseKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReleaseKeys")
            .field("version", &self.version)
            .field("regions", &self.regions.len())
            .field("keys", &"[hemlig]")
            .finish()
    }
}

impl ReleaseKeys {
    /// The release pseudonymiser of `region` (hemhämtning), if the file holds its key.
    pub fn for_region(&self, region: RegionCode) -> Option<ReleasePseudonymiser> {
        self.regions.get(&region).map(|k| ReleasePseudonymiser {
            version: self.version,
            key: SecretBox::new(Box::new(*k.expose_secret())),
        })
    }

    /// The version of the pseudonymisation key the release keys derive from.
    pub fn key_version(&self) -> u32 {
        self.version
    }

    /// The fingerprint of that key ([`Pseudonymiser::fingerprint`]), to check against the catalogue.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Write a new release-keys file (mode 0600; an existing file is refused):
    /// `vardhub-release-keys`, `version=`, `fingerprint=`, then `region.RR=<64 hex>` per region.
    pub fn write(&self, path: &Path) -> Result<(), KeyError> {
        let mut text = format!(
            "{RELEASE_FILE_HEADER}\nversion={}\nfingerprint={}\n",
            self.version, self.fingerprint
        );
        for (region, key) in &self.regions {
            text.push_str(&format!(
                "region.{}={}\n",
                region.as_str(),
                hex::encode(key.expose_secret())
            ));
        }
        write_private(path, &SecretBox::new(Box::new(text)))
    }

    /// Read a release-keys file; group- or world-readable files and master key files are refused.
    pub fn load(path: &Path) -> Result<ReleaseKeys, KeyError> {
        let text = read_private(path)?;
        let bad = |reason| KeyError::Format {
            path: path.to_owned(),
            reason,
        };
        let mut lines = text.expose_secret().lines();
        match lines.next() {
            Some(RELEASE_FILE_HEADER) => {}
            Some(KEY_FILE_HEADER) => return Err(KeyError::MasterKeyGiven(path.to_owned())),
            _ => return Err(bad("first line must be `vardhub-release-keys`")),
        }
        let mut version = None;
        let mut fingerprint = None;
        let mut regions = BTreeMap::new();
        for line in lines {
            if let Some(v) = line.strip_prefix("version=") {
                version = v.trim().parse::<u32>().ok();
            } else if let Some(f) = line.strip_prefix("fingerprint=") {
                fingerprint = Some(f.trim().to_owned());
            } else if let Some((name, value)) = line
                .strip_prefix("region.")
                .and_then(|rest| rest.split_once('='))
            {
                let region = RegionCode::parse(name).map_err(|_| bad("unknown region code"))?;
                let mut key = SecretBox::new(Box::new([0u8; 32]));
                hex::decode_to_slice(value.trim(), key.expose_secret_mut())
                    .map_err(|_| bad("a release key must be 64 hex digits"))?;
                regions.insert(region, key);
            }
        }
        Ok(ReleaseKeys {
            version: version.ok_or_else(|| bad("missing `version=`"))?,
            fingerprint: fingerprint.ok_or_else(|| bad("missing `fingerprint=`"))?,
            regions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn same_person_in_any_written_form_gets_one_pseudonym() {
        let p = Pseudonymiser::from_master(&[7; 32], 1);
        let r = date(2024, 3, 31);
        let a = p
            .pseudonymise("194501103297", None, r, None, Some(r))
            .unwrap();
        let b = p
            .pseudonymise("19450110-3297", None, r, None, None)
            .unwrap();
        let c = p.pseudonymise("450110-3297", None, r, None, None).unwrap();
        assert_eq!(a.pseudonym, b.pseudonym);
        assert_eq!(a.pseudonym, c.pseudonym);
        assert_eq!(a.pseudonym.len(), 32);
        assert_eq!(a.kind, IdKind::Personnummer);
        assert_eq!(a.age, Some(79));
        assert_eq!(a.sex, Some(Sex::Male));
        assert!(!a.pseudonym.contains("3297"));
    }

    #[test]
    fn key_and_version_change_the_pseudonym() {
        let r = date(2024, 3, 31);
        let one = Pseudonymiser::from_master(&[1; 32], 1);
        let two = Pseudonymiser::from_master(&[2; 32], 1);
        let one_v2 = Pseudonymiser::from_master(&[1; 32], 2);
        let p = |ps: &Pseudonymiser| {
            ps.pseudonymise("201701012393", None, r, None, None)
                .unwrap()
                .pseudonym
        };
        assert_ne!(p(&one), p(&two));
        assert_ne!(p(&one), p(&one_v2));
        assert_ne!(one.fingerprint(), two.fingerprint());
    }

    #[test]
    fn reservnummer_depend_on_the_issuing_region() {
        let p = Pseudonymiser::from_master(&[3; 32], 1);
        let r = date(2024, 3, 31);
        let sthlm = RegionCode::parse("01").unwrap();
        let skane = RegionCode::parse("12").unwrap();
        let a = p
            .pseudonymise(
                "19800101ABC1",
                Some(IdKind::Reservnummer),
                r,
                Some(sthlm),
                None,
            )
            .unwrap();
        let b = p
            .pseudonymise(
                "19800101ABC1",
                Some(IdKind::Reservnummer),
                r,
                Some(skane),
                None,
            )
            .unwrap();
        assert_ne!(a.pseudonym, b.pseudonym);
        assert_eq!(a.kind, IdKind::Reservnummer);
        assert_eq!(a.birth_date, None);
    }

    #[test]
    fn release_pseudonyms_are_per_scope_and_deterministic() {
        let p = Pseudonymiser::from_master(&[7; 32], 1);
        let lake = p
            .pseudonymise("194501103297", None, date(2024, 3, 31), None, None)
            .unwrap()
            .pseudonym;
        let region = |code: &str| ReleaseScope::Region(RegionCode::parse(code).unwrap());
        let r01 = p.for_release(&region("01"));
        let r13 = p.for_release(&region("13"));
        let a = r01.pseudonym(&lake);
        // Deterministic: the same release, or the same scope derived again, gives the same value.
        assert_eq!(a, r01.pseudonym(&lake));
        assert_eq!(a, p.for_release(&region("01")).pseudonym(&lake));
        // Two regions cannot link their releases; neither release shows the lake pseudonym.
        assert_ne!(a, r13.pseudonym(&lake));
        assert_ne!(a, lake);
        assert_ne!(r13.pseudonym(&lake), lake);
        // A project's release differs from every region's, and projects from each other.
        let project = p.for_release(&ReleaseScope::Project("01".into()));
        assert_ne!(project.pseudonym(&lake), a);
        assert_ne!(project.pseudonym(&lake), r13.pseudonym(&lake));
        assert_ne!(
            project.pseudonym(&lake),
            p.for_release(&ReleaseScope::Project("02".into()))
                .pseudonym(&lake)
        );
        // Different lake pseudonyms stay different.
        let other = p
            .pseudonymise("201701012393", None, date(2024, 3, 31), None, None)
            .unwrap()
            .pseudonym;
        assert_ne!(r01.pseudonym(&other), a);
        // 32 lowercase hex digits, like a lake pseudonym.
        for v in [&a, &r13.pseudonym(&lake), &project.pseudonym(&lake)] {
            assert_eq!(v.len(), 32);
            assert!(
                v.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                "{v}"
            );
        }
        // The key version is carried; another key gives other release pseudonyms.
        assert_eq!(r01.key_version(), 1);
        let other_key = Pseudonymiser::from_master(&[8; 32], 1);
        assert_ne!(other_key.for_release(&region("01")).pseudonym(&lake), a);
    }

    /// The scheme pinned by values computed independently (Python's `hmac`/`hashlib`): HKDF, then
    /// HMAC over the scope label, then HMAC over the lake pseudonym, truncated to 16 bytes.
    #[test]
    fn release_pseudonyms_match_reference_values() {
        let p = Pseudonymiser::from_master(&[7; 32], 1);
        let lake = "0123456789abcdef0123456789abcdef";
        let region = ReleaseScope::Region(RegionCode::parse("01").unwrap());
        assert_eq!(
            p.for_release(&region).pseudonym(lake),
            "fb2c139d38cf9266e53007aa0fad1b1e"
        );
        assert_eq!(
            p.for_release(&ReleaseScope::Project("p1".into()))
                .pseudonym(lake),
            "4c19d6d005570901d23172ea993b0135"
        );
    }

    #[test]
    fn release_debug_output_redacts_the_key() {
        let p = Pseudonymiser::from_master(&[7; 32], 3);
        let r = p.for_release(&ReleaseScope::Region(RegionCode::parse("01").unwrap()));
        let shown = format!("{r:?}");
        assert!(shown.contains("[hemlig]"), "{shown}");
        assert!(shown.contains("version: 3"), "{shown}");
        let key = hex::encode(r.key.expose_secret());
        assert!(!shown.contains(&key[..8]), "{shown}");
    }

    /// The server's release-keys file gives exactly the release pseudonyms the master key gives
    /// (hemhämtning output unchanged), holds nothing that makes lake pseudonyms, and a master key
    /// file offered in its place is refused.
    #[test]
    fn release_keys_file_reproduces_release_pseudonyms_and_refuses_the_master_key() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("keys/master.key");
        create_key_file(&master).unwrap();
        let p = Pseudonymiser::load(&master).unwrap();
        let out = dir.path().join("release/release.keys");
        p.release_keys().write(&out).unwrap();
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(matches!(
            p.release_keys().write(&out),
            Err(KeyError::Exists(_))
        ));
        let keys = ReleaseKeys::load(&out).unwrap();
        assert_eq!(keys.key_version(), 1);
        assert_eq!(keys.fingerprint(), p.fingerprint());
        let lake = p
            .pseudonymise("194501103297", None, date(2024, 3, 31), None, None)
            .unwrap()
            .pseudonym;
        for r in RegionCode::all() {
            let direct = p.for_release(&ReleaseScope::Region(r)).pseudonym(&lake);
            assert_eq!(keys.for_region(r).unwrap().pseudonym(&lake), direct);
        }
        // Neither the master key nor the derived pseudonymisation key is in the file.
        let text = std::fs::read_to_string(&out).unwrap();
        let master_hex = std::fs::read_to_string(&master).unwrap();
        let master_hex = master_hex
            .lines()
            .find_map(|l| l.strip_prefix("key="))
            .unwrap();
        assert!(!text.contains(master_hex));
        assert!(!format!("{keys:?}").contains(&text[60..80]));
        // The master key is refused where release keys belong.
        assert!(matches!(
            ReleaseKeys::load(&master),
            Err(KeyError::MasterKeyGiven(_))
        ));
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            ReleaseKeys::load(&out),
            Err(KeyError::Permissions { .. })
        ));
    }

    #[test]
    fn key_file_roundtrip_and_permission_check() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/master.key");
        create_key_file(&path).unwrap();
        let a = Pseudonymiser::load(&path).unwrap();
        assert_eq!(a.key_version(), 1);
        assert!(matches!(create_key_file(&path), Err(KeyError::Exists(_))));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let err = Pseudonymiser::load(&path).unwrap_err();
        assert!(matches!(err, KeyError::Permissions { .. }), "{err}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!format!("{a:?}").contains(&text[30..40]));
    }
}
