//! The vault's required cases: tampering, swapping, wrong keys, crypto-shredding, rotation under
//! concurrent writes, and interrupted KEK rotations.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{layout::DataDir, store::Store};

use super::{GenerationState, KekInput, Sealed, SealedTree, Vault, VaultError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Note {
    text: String,
}

impl Sealed for Note {
    const TREE: &'static str = "notes";
    const VERSION: u8 = 1;
}

struct Fixture {
    tmp: tempfile::TempDir,
    dir: DataDir,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = crate::layout::private_tempdir();
        let dir = DataDir::new(tmp.path());
        dir.ensure().expect("layout");
        Fixture { tmp, dir }
    }

    fn stores(&self) -> (Store, Store) {
        (
            Store::open_temporary(&self.dir.db_path()).expect("db"),
            Store::open_temporary(&self.dir.keys_path()).expect("keys"),
        )
    }

    fn file_key(&self) -> KekInput {
        KekInput::File(self.dir.read_master_key().expect("key"))
    }
}

/// Opens a vault on another handle of `keys` (the test keeps one, so the key store is never
/// rewritten under it).
fn open(data: &Store, keys: &Store, input: &KekInput) -> Result<Vault, VaultError> {
    Vault::load(data, keys.clone(), input, 1_000)
}

#[test]
fn records_round_trip_and_are_bound_to_their_place() {
    let f = Fixture::new();
    let (data, keys) = f.stores();
    let vault = Arc::new(open(&data, &keys, &f.file_key()).expect("vault"));
    let notes = SealedTree::<Note>::new(&data, Arc::clone(&vault)).expect("tree");
    notes.put(1, b"a", &Note { text: "alice".into() }).expect("put");
    notes.put(2, b"b", &Note { text: "bob".into() }).expect("put");
    assert_eq!(notes.get(1, b"a").expect("get"), Some(Note { text: "alice".into() }));

    // Swapping two users' sealed records is detected.
    let raw = data.tree::<super::Envelope<Note>>().expect("raw");
    let (a, b) = (raw.get(b"a").expect("a").expect("a"), raw.get(b"b").expect("b").expect("b"));
    raw.insert(b"a", &b).expect("swap");
    raw.insert(b"b", &a).expect("swap");
    assert!(notes.get(1, b"a").is_err());
    assert!(notes.get(2, b"b").is_err());
    // Reading with the wrong subject fails too.
    raw.insert(b"a", &a).expect("restore");
    assert!(notes.get(2, b"a").is_err());
}

#[test]
fn a_flipped_byte_breaks_only_that_record() {
    let f = Fixture::new();
    let (data, keys) = f.stores();
    let vault = Arc::new(open(&data, &keys, &f.file_key()).expect("vault"));
    let notes = SealedTree::<Note>::new(&data, Arc::clone(&vault)).expect("tree");
    notes.put(1, b"x", &Note { text: "x".repeat(100) }).expect("put");
    notes.put(1, b"y", &Note { text: "y".into() }).expect("put");
    let sealed = vault.seal(1, "notes", b"x", b"payload").expect("seal");
    for i in 0..sealed.len() {
        let mut bad = sealed.clone();
        bad[i] ^= 0x80;
        assert!(vault.open(1, "notes", b"x", &bad).is_err(), "byte {i}");
    }
    assert_eq!(notes.get(1, b"y").expect("other record").map(|n| n.text), Some("y".into()));
}

#[test]
fn a_wrong_master_key_or_a_missing_key_store_is_refused() {
    let f = Fixture::new();
    {
        let (data, keys) = f.stores();
        open(&data, &keys, &f.file_key()).expect("create");
    }
    let other = Fixture::new();
    let (data, keys) = f.stores();
    assert!(matches!(open(&data, &keys, &other.file_key()), Err(VaultError::WrongKey)));
    let pass = KekInput::Passphrase(Zeroizing::new("hunter2".into()));
    assert!(matches!(open(&data, &keys, &pass), Err(VaultError::KekSource(_))));
    drop(keys);
    std::fs::remove_dir_all(f.dir.keys_path()).expect("remove keys");
    let keys = Store::open_temporary(&f.dir.keys_path()).expect("empty keys");
    assert!(matches!(open(&data, &keys, &f.file_key()), Err(VaultError::Mismatch)));
}

#[test]
fn a_passphrase_protects_the_store() {
    let f = Fixture::new();
    let pass = || KekInput::Passphrase(Zeroizing::new("correct horse battery staple".into()));
    {
        let (data, keys) = f.stores();
        let vault = Arc::new(open(&data, &keys, &pass()).expect("create"));
        SealedTree::<Note>::new(&data, vault).expect("tree").put(1, b"k", &Note { text: "t".into() }).expect("put");
    }
    let (data, keys) = f.stores();
    assert!(matches!(
        open(&data, &keys, &KekInput::Passphrase(Zeroizing::new("wrong".into()))),
        Err(VaultError::WrongKey)
    ));
    let vault = Arc::new(open(&data, &keys, &pass()).expect("reopen"));
    assert!(SealedTree::<Note>::new(&data, vault).expect("tree").get(1, b"k").expect("get").is_some());
}

#[test]
fn forgetting_a_subject_shreds_only_their_data() {
    let f = Fixture::new();
    let (data, keys) = f.stores();
    let vault = Arc::new(open(&data, &keys, &f.file_key()).expect("vault"));
    let notes = SealedTree::<Note>::new(&data, Arc::clone(&vault)).expect("tree");
    notes.put(1, b"1", &Note { text: "gone".into() }).expect("put");
    notes.put(2, b"2", &Note { text: "kept".into() }).expect("put");
    let raw = vault.seal(1, "notes", b"z", b"v").expect("seal");
    assert!(vault.forget_subject(1).expect("forget"));
    // Still on disk, but unreadable; readers see a deleted user's leftovers as absent.
    assert!(data.tree::<super::Envelope<Note>>().expect("raw").get(b"1").expect("raw").is_some());
    assert_eq!(notes.get(1, b"1").expect("absent"), None);
    assert!(matches!(vault.open(1, "notes", b"z", &raw), Err(VaultError::Shredded)));
    assert!(notes.get(2, b"2").expect("kept").is_some());
}

#[test]
fn rotation_under_concurrent_writes_loses_nothing() {
    let f = Fixture::new();
    let (data, keys) = f.stores();
    let vault = Arc::new(open(&data, &keys, &f.file_key()).expect("vault"));
    let notes = SealedTree::<Note>::new(&data, Arc::clone(&vault)).expect("tree");
    for user in 0..300 {
        notes.put(user, &user.to_be_bytes(), &Note { text: format!("note {user}") }).expect("put");
    }
    let writer = {
        let notes = notes.clone();
        std::thread::spawn(move || {
            for user in 300..600 {
                notes.put(user, &user.to_be_bytes(), &Note { text: format!("note {user}") }).expect("put");
            }
        })
    };
    let new = vault.rotate(2_000).expect("rotate");
    assert_eq!(new, 2);
    vault.finish_rotation(50, 3_000).expect("rewrap");
    writer.join().expect("writer");
    vault.finish_rotation(50, 4_000).expect("rewrap stragglers");
    for user in 0..600 {
        assert_eq!(notes.get(user, &user.to_be_bytes()).expect("get").map(|n| n.text), Some(format!("note {user}")));
    }
    let status = vault.status().expect("status");
    assert_eq!(status.iter().find(|g| g.id == 1).map(|g| (g.state, g.data_keys)), Some((GenerationState::Retired, 0)));
    assert_eq!(status.iter().find(|g| g.id == 2).map(|g| (g.state, g.data_keys)), Some((GenerationState::Active, 600)));
    drop((notes, vault));
    let vault = Arc::new(open(&data, &keys, &f.file_key()).expect("reopen"));
    let notes = SealedTree::<Note>::new(&data, vault).expect("tree");
    assert!(notes.get(599, &599i64.to_be_bytes()).expect("get after reopen").is_some());
}

#[test]
fn kek_rotation_is_crash_safe() {
    let f = Fixture::new();
    let new_dir = Fixture::new();
    let (data, keys) = f.stores();
    let vault = open(&data, &keys, &f.file_key()).expect("vault");
    vault.seal(1, "notes", b"k", b"x").expect("seal");
    let subkey = vault.subkey("test");
    let new_key = || match new_dir.file_key() {
        KekInput::File(k) => super::envelope::aead_key(k.bytes()).expect("key"),
        KekInput::Passphrase(_) => unreachable!(),
    };
    // Interrupted after step 1: the old key still opens and the rotation is discarded.
    vault.prepare_rekey(&new_key()).expect("prepare");
    drop(vault);
    let vault = open(&data, &keys, &f.file_key()).expect("old key after an interrupted rotation");
    // Interrupted after the commit point: the new key opens and finishes the rotation.
    vault.prepare_rekey(&new_key()).expect("prepare");
    drop(vault);
    let vault = open(&data, &keys, &new_dir.file_key()).expect("new key finishes the rotation");
    assert_eq!(vault.kek_epoch().expect("epoch"), 1);
    assert_eq!(vault.subkey("test"), subkey, "derived keys survive a KEK rotation");
    let sealed = vault.seal(1, "notes", b"k", b"y").expect("seal");
    assert_eq!(&*vault.open(1, "notes", b"k", &sealed).expect("open"), b"y");
    drop(vault);
    assert!(matches!(open(&data, &keys, &f.file_key()), Err(VaultError::WrongKey)));
    let _keep = &f.tmp;
}

#[test]
fn a_committed_passphrase_rotation_killed_half_way_opens_with_the_new_passphrase_only() {
    let f = Fixture::new();
    let (data, keys) = f.stores();
    let old = || KekInput::Passphrase(Zeroizing::new("old passphrase".into()));
    let new = || KekInput::Passphrase(Zeroizing::new("new passphrase".into()));
    let vault = open(&data, &keys, &old()).expect("vault");
    vault.rotate(2_000).expect("a second generation, so promotion has two records to do");
    vault.seal(1, "notes", b"k", b"x").expect("seal");
    let new_kek = vault.derive_new_kek(&new()).expect("derive");
    vault.prepare_rekey(&new_kek).expect("prepare");
    // Killed inside step 4: committed, one generation promoted, the other and the meta not.
    let handles = vault.keys().expect("keys");
    let mut meta = handles.meta.get(super::records::META_KEY).expect("meta").expect("meta");
    meta.rekey_committed = true;
    handles.meta.insert(super::records::META_KEY, &meta).expect("commit");
    let (key, mut first) =
        handles.generation_records.iter_at(std::time::SystemTime::now()).next().expect("one").expect("ok");
    first.wrapped = first.next_wrapped.take();
    handles.generation_records.insert(&key, &first).expect("half promoted");
    drop(handles);
    drop(vault);

    let refused = open(&data, &keys, &old()).expect_err("the old passphrase cannot finish it");
    assert!(refused.to_string().contains("new master key or passphrase"), "{refused}");
    let vault = open(&data, &keys, &new()).expect("the new passphrase finishes the rotation");
    assert_eq!(vault.kek_epoch().expect("epoch"), 1);
    let sealed = vault.seal(1, "notes", b"k", b"y").expect("seal");
    assert_eq!(&*vault.open(1, "notes", b"k", &sealed).expect("open"), b"y");
    drop(vault);
    assert!(open(&data, &keys, &new()).is_ok(), "and keeps opening it");
    assert!(matches!(open(&data, &keys, &old()), Err(VaultError::WrongKey)));
}

/// Every file under `from`, copied to `to` as it is on disk now: what a kill leaves behind.
fn disk_image(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        if entry.path().is_dir() {
            disk_image(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

#[test]
fn a_new_data_key_is_on_disk_before_anything_it_seals() {
    let f = Fixture::new();
    let (data, keys) = f.stores();
    let vault = open(&data, &keys, &f.file_key()).expect("vault");
    for subject in 1..=20 {
        vault.seal(subject, "notes", b"k", b"sealed under a brand-new key").expect("seal");
    }
    // Killed now: the key store as it is on disk must hold all twenty keys.
    let image = f.tmp.path().join("killed");
    disk_image(&f.dir.keys_path(), &image);
    let on_disk = Store::open_temporary(&image).expect("the image opens");
    let keys_on_disk = on_disk.tree::<super::records::DataKeyRecord>().expect("tree");
    assert_eq!(keys_on_disk.iter_at(std::time::SystemTime::now()).count(), 20);
}
