//! The trail's cases: append and verify, every kind of tampering, a deleted user's id, retention.

use crate::{
    audit_tap::AuditRecord,
    store::Record,
    vault::testing::{TempVault, temp_vault},
};

use super::{AuditTrail, Entry, Filter, Verdict};

const ONE: i64 = 1_000_001;
const TWO: i64 = 1_000_002;

fn record(at_ms: u64, event: &str, user: i64) -> AuditRecord {
    AuditRecord {
        at_ms,
        event: event.to_owned(),
        fields: vec![(String::from("user"), user.to_string()), (String::from("reason"), String::from("spam"))],
    }
}

/// A trail of ten entries about users 1,000,001 and 1,000,002, checkpointed.
fn trail() -> (TempVault, AuditTrail) {
    let t = temp_vault();
    let trail = AuditTrail::open(&t.data, &t.vault).expect("open");
    let records =
        (1..=10).map(|i| record(i * 1_000, "block", 1_000_000 + i64::try_from(i % 2 + 1).expect("small"))).collect();
    assert_eq!(trail.append(records).expect("append"), 10);
    trail.checkpoint().expect("checkpoint").expect("intact");
    (t, trail)
}

fn raw(t: &TempVault) -> sled::Tree {
    t.data.raw_tree(Entry::TREE)
}

fn broken_at(trail: &AuditTrail) -> u64 {
    match trail.verify().expect("verify") {
        Verdict::Broken { at_seq, .. } => at_seq,
        Verdict::Intact { .. } => panic!("tampering went unnoticed"),
    }
}

#[test]
fn an_untouched_trail_verifies_and_survives_a_reopen() {
    let (t, trail) = trail();
    assert_eq!(trail.verify().expect("verify"), Verdict::Intact { entries: 10, range: (1, 10) });
    drop(trail);
    let reopened = AuditTrail::open(&t.data, &t.vault).expect("reopen");
    assert_eq!(reopened.append(vec![record(11_000, "unblock", ONE)]).expect("append"), 11, "numbering continues");
    assert_eq!(reopened.verify().expect("verify"), Verdict::Intact { entries: 11, range: (1, 11) });
    let about_one = reopened.query(&Filter { user: Some(ONE), ..Filter::default() }).expect("query");
    assert_eq!(about_one.len(), 6);
    assert!(about_one.iter().all(|e| e.user == Some(ONE)));
}

#[test]
fn a_changed_byte_is_detected() {
    let (t, trail) = trail();
    let tree = raw(&t);
    let key = 4u64.to_be_bytes();
    let mut bytes = tree.get(key).expect("get").expect("entry").to_vec();
    let at = bytes.windows(4).position(|w| w == b"spam").expect("the reason is stored") + 1;
    bytes[at] ^= 0x01;
    tree.insert(key, bytes).expect("write");
    assert_eq!(broken_at(&trail), 4);
}

#[test]
fn a_removed_entry_is_detected() {
    let (t, trail) = trail();
    raw(&t).remove(6u64.to_be_bytes()).expect("remove");
    assert_eq!(broken_at(&trail), 6);
}

#[test]
fn swapped_entries_are_detected() {
    let (t, trail) = trail();
    let tree = raw(&t);
    let (a, b) = (tree.get(3u64.to_be_bytes()).expect("3"), tree.get(4u64.to_be_bytes()).expect("4"));
    tree.insert(3u64.to_be_bytes(), b.expect("4")).expect("write");
    tree.insert(4u64.to_be_bytes(), a.expect("3")).expect("write");
    assert_eq!(broken_at(&trail), 3);
}

#[test]
fn an_inserted_entry_is_detected() {
    let (t, trail) = trail();
    // A copy of entry 5 renumbered as 6, and everything after moved up by one.
    let tree = raw(&t);
    for seq in (6..=10u64).rev() {
        let value = tree.get(seq.to_be_bytes()).expect("get").expect("entry");
        tree.insert((seq + 1).to_be_bytes(), value).expect("move");
    }
    let mut forged: Entry = t.data.tree::<Entry>().expect("tree").get(&5u64.to_be_bytes()).expect("get").expect("5");
    forged.seq = 6;
    t.data.tree::<Entry>().expect("tree").insert(&6u64.to_be_bytes(), &forged).expect("insert");
    assert_eq!(broken_at(&trail), 6);
}

#[test]
fn a_trail_cut_short_is_detected_and_stays_detected_after_a_restart() {
    let (t, trail) = trail();
    let tree = raw(&t);
    for seq in 8..=10u64 {
        tree.remove(seq.to_be_bytes()).expect("remove");
    }
    assert_eq!(broken_at(&trail), 8, "the head in the key store says #10");
    drop(trail);
    // The next start appends and checkpoints: the head must not move back to hide the cut.
    let reopened = AuditTrail::open(&t.data, &t.vault).expect("reopen");
    reopened.append(vec![record(20_000, "block", ONE)]).expect("append");
    assert!(reopened.checkpoint().expect("checkpoint").is_err(), "the head refuses to move");
    assert!(matches!(reopened.verify().expect("verify"), Verdict::Broken { .. }));
}

#[test]
fn a_forged_chain_state_is_detected() {
    let (t, trail) = trail();
    let state_tree = t.vault_keys_raw_tree("audit_chain");
    let original = state_tree.get(b"chain").expect("get").expect("state").to_vec();
    // Every byte after the record header, one at a time: garbled or only altered, it is caught.
    for at in 9..original.len() {
        let mut bytes = original.clone();
        bytes[at] ^= 0x01;
        state_tree.insert(b"chain", bytes).expect("write");
        assert_eq!(broken_at(&trail), 0, "byte {at}");
    }
    state_tree.insert(b"chain", original).expect("restore");
    assert!(matches!(trail.verify().expect("verify"), Verdict::Intact { .. }));
}

#[test]
fn a_trail_removed_with_its_chain_state_is_detected_even_after_a_restart() {
    let (t, trail) = trail();
    assert!(t.vault.trail_started(), "the first checkpoint marks the key store");
    drop(trail);
    raw(&t).clear().expect("the entries removed");
    t.vault_keys_raw_tree("audit_chain").clear().expect("the chain state removed");
    // The restarted process reads the mark from the key store's sealed root secret.
    let vault =
        std::sync::Arc::new(crate::vault::Vault::load(&t.data, t.keys_store(), &t.kek_input(), 0).expect("reload"));
    let reopened = AuditTrail::open(&t.data, &vault).expect("reopen");
    match reopened.verify().expect("verify") {
        Verdict::Broken { problem, .. } => assert!(problem.contains("trail was removed"), "{problem}"),
        Verdict::Intact { .. } => panic!("a removed trail reads as a fresh start"),
    }
    assert!(reopened.checkpoint().expect("checkpoint").is_err(), "and no new head is recorded over it");
}

#[test]
fn a_new_trail_is_intact_before_its_first_checkpoint() {
    let t = temp_vault();
    let trail = AuditTrail::open(&t.data, &t.vault).expect("open");
    assert!(!t.vault.trail_started());
    assert_eq!(trail.verify().expect("verify"), Verdict::Intact { entries: 0, range: (0, 0) });
}

#[test]
fn retention_never_drops_entries_that_do_not_verify() {
    let (t, trail) = trail();
    // Backdate entries 1..=9 so that retention would take them: their MACs no longer match.
    let entries = t.data.tree::<Entry>().expect("tree");
    for seq in 1..=9u64 {
        let mut entry = entries.get(&seq.to_be_bytes()).expect("get").expect("entry");
        entry.at_ms = 0;
        entries.insert(&seq.to_be_bytes(), &entry).expect("write");
    }
    assert!(trail.drop_before(500).expect("drop").is_ok_and(|n| n == 0), "nothing unverified is dropped");
    assert_eq!(broken_at(&trail), 1);
}

#[test]
fn entries_below_the_anchor_are_neither_shown_nor_kept() {
    let (t, trail) = trail();
    assert_eq!(trail.drop_before(3_500).expect("drop").expect("verified"), 3);
    let mut forged = t.data.tree::<Entry>().expect("tree").get(&5u64.to_be_bytes()).expect("get").expect("5");
    forged.seq = 2;
    t.data.tree::<Entry>().expect("tree").insert(&2u64.to_be_bytes(), &forged).expect("insert below the anchor");
    assert!(trail.query(&Filter::default()).expect("query").iter().all(|e| e.seq >= 4), "not shown");
    assert!(matches!(trail.verify().expect("verify"), Verdict::Intact { .. }));
    trail.drop_before(3_500).expect("drop").expect("verified");
    assert!(t.data.tree::<Entry>().expect("tree").get(&2u64.to_be_bytes()).expect("get").is_none(), "swept");
}

#[test]
fn events_appended_after_a_users_deletion_carry_no_id() {
    let (_t, trail) = trail();
    trail.forget_user(ONE).expect("forget");
    trail.append(vec![record(30_000, "retention_delete", ONE)]).expect("append");
    let about_one = trail.query(&Filter { user: Some(ONE), ..Filter::default() }).expect("query");
    assert!(about_one.iter().all(|e| e.user.is_none()), "{about_one:?}");
    assert_eq!(about_one.last().map(|e| e.event.as_str()), Some("retention_delete"));
}

#[test]
fn a_changed_user_id_is_detected_and_a_deleted_users_id_is_blanked() {
    let (t, trail) = trail();
    let entries = t.data.tree::<Entry>().expect("tree");
    let mut entry = entries.get(&2u64.to_be_bytes()).expect("get").expect("2");
    let original = entry.clone();
    entry.user = Some(99);
    entries.insert(&2u64.to_be_bytes(), &entry).expect("write");
    assert_eq!(broken_at(&trail), 2);
    entries.insert(&2u64.to_be_bytes(), &original).expect("restore");

    assert_eq!(trail.forget_user(TWO).expect("forget"), 5);
    assert!(matches!(trail.verify().expect("verify"), Verdict::Intact { entries: 10, .. }), "still verifies");
    let about_two = trail.query(&Filter { user: Some(TWO), ..Filter::default() }).expect("query");
    assert_eq!(about_two.len(), 5, "still found by id");
    assert!(about_two.iter().all(|e| e.user.is_none()), "without the id");
    for (key, value) in t.data.raw_entries("audit").into_iter().chain(t.data.raw_entries("audit_by_user")) {
        let id = TWO.to_be_bytes();
        assert!(!key.windows(8).any(|w| w == id) && !value.windows(8).any(|w| w == id));
    }
}

#[test]
fn retention_drops_old_entries_and_what_is_kept_still_verifies() {
    let (_t, trail) = trail();
    assert_eq!(trail.drop_before(4_500).expect("drop").expect("verified"), 4);
    assert_eq!(trail.verify().expect("verify"), Verdict::Intact { entries: 6, range: (5, 10) });
    assert_eq!(trail.query(&Filter::default()).expect("query").first().map(|e| e.seq), Some(5));
    assert_eq!(trail.drop_before(u64::MAX).expect("drop").expect("verified"), 5, "the newest entry is always kept");
    assert_eq!(trail.append(vec![record(20_000, "block", ONE)]).expect("append"), 11);
    assert_eq!(trail.verify().expect("verify"), Verdict::Intact { entries: 2, range: (10, 11) });
}

#[test]
fn a_garbled_last_entry_does_not_stop_the_trail_from_opening() {
    let (t, trail) = trail();
    drop(trail);
    raw(&t).insert(10u64.to_be_bytes(), b"\x01garbage".to_vec()).expect("garble");
    let reopened = AuditTrail::open(&t.data, &t.vault).expect("it still opens");
    assert_eq!(reopened.append(vec![record(40_000, "block", ONE)]).expect("append"), 11);
    assert_eq!(broken_at(&reopened), 10);
}
