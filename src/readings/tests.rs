//! Readings with a fake clock and a real (temporary) store: the daily allowance and its reset,
//! credits and premium bought through billing, and the sealed history with its retention.

use std::{sync::Arc, time::Duration};

use crate::{
    accounts::Accounts,
    billing::{Billing, Purchase, Received, Recorded},
    clock::{Clock, FakeClock},
    config::{AccountsConfig, PaymentsConfig, default_tiers},
    store::Store,
    tarot::{DrawRequest, Spread},
    vault::Vault,
};

use super::{Coverage, DrawOutcome, History, Readings, Refusal, ResetZone};

/// The fake clock starts at 2023-11-14T22:13:20Z; UTC midnight is this much later.
const TO_MIDNIGHT: Duration = Duration::from_secs(6_400);
const RETENTION: Duration = Duration::from_hours(24 * 90);

struct Fixture {
    _tmp: tempfile::TempDir,
    clock: FakeClock,
    data: Store,
    accounts: Accounts,
    billing: Billing,
    readings: Readings,
    vault: Arc<Vault>,
}

fn fixture() -> Fixture {
    let crate::vault::testing::TempVault { tmp, data, vault } = crate::vault::testing::temp_vault();
    let clock = FakeClock::new();
    let config = AccountsConfig { require_registration: false, ..AccountsConfig::default() };
    let accounts =
        Accounts::new(&data, Arc::clone(&vault), config, default_tiers(), Arc::new(clock.clone())).expect("accounts");
    let billing = Billing::new(&data, Arc::clone(&vault), PaymentsConfig::default()).expect("billing");
    let history = History::new(&data, Arc::clone(&vault), RETENTION).expect("history");
    let readings = Readings::new(history, ResetZone::utc(), default_tiers());
    Fixture { _tmp: tmp, clock, data, accounts, billing, readings, vault }
}

impl Fixture {
    fn draw(&self, user: i64, args: &str) -> DrawOutcome {
        self.readings.draw(&self.accounts, user, false, &DrawRequest::parse(args)).expect("draw")
    }

    /// Pays for `kind` with charge `charge`, through a real invoice payload.
    fn pay(&self, user: i64, kind: crate::billing::ProductKind, charge: &str) -> Recorded {
        let invoice = self.billing.invoice(kind, user, self.clock.unix_ms()).expect("invoice");
        let received = Received {
            charge_id: charge.to_owned(),
            payload: invoice.payload,
            currency: String::from("XTR"),
            amount: invoice.offer.stars,
        };
        self.billing.record(&self.accounts, user, &received, self.clock.unix_ms()).expect("record")
    }
}

#[test]
fn a_free_users_fourth_reading_is_refused_until_midnight() {
    let f = fixture();
    for left in [2, 1, 0] {
        let outcome = f.draw(1, "three What now?");
        assert!(matches!(outcome, DrawOutcome::Drawn { coverage: Coverage::Allowance { left: l }, .. } if l == left));
    }
    let midnight = f.clock.unix_ms() + 6_400_000;
    assert_eq!(
        f.draw(1, "one"),
        DrawOutcome::Refused { refusal: Refusal::DailyLimitReached { allowance: 3 }, resets_at_ms: midnight }
    );
    assert!(matches!(f.draw(1, "celtic"), DrawOutcome::Refused { refusal: Refusal::SpreadNotIncluded, .. }));
    // Another user is not affected; the first gets three more after midnight.
    assert!(matches!(f.draw(2, ""), DrawOutcome::Drawn { .. }));
    f.clock.advance(TO_MIDNIGHT.saturating_sub(Duration::from_millis(1)));
    assert!(matches!(f.draw(1, ""), DrawOutcome::Refused { .. }));
    f.clock.advance(Duration::from_millis(1));
    assert!(matches!(f.draw(1, ""), DrawOutcome::Drawn { coverage: Coverage::Allowance { left: 2 }, .. }));
}

#[test]
fn premium_is_not_refused_and_ends_after_its_period() {
    let f = fixture();
    assert_eq!(
        f.pay(1, crate::billing::ProductKind::Premium, "p1"),
        Recorded::Credited(Purchase::PremiumMs(2_592_000_000))
    );
    for _ in 0..4 {
        let DrawOutcome::Drawn { reading, coverage } = f.draw(1, "celtic") else { panic!("premium draws") };
        assert_eq!(reading.spread, Spread::CelticCross);
        assert!(matches!(coverage, Coverage::Allowance { .. }));
    }
    assert_eq!(f.readings.standing(&f.accounts, 1, false).expect("standing").tier, "premium");
    f.clock.advance(Duration::from_hours(24 * 30));
    assert_eq!(f.readings.standing(&f.accounts, 1, false).expect("standing").tier, "free");
    assert!(matches!(f.draw(1, "celtic"), DrawOutcome::Refused { .. }));
}

#[test]
fn a_duplicated_payment_credits_once_and_a_refund_reverses_it() {
    let f = fixture();
    let credits = crate::billing::ProductKind::Credits;
    assert_eq!(f.pay(1, credits, "c1"), Recorded::Credited(Purchase::Credits(10)));
    assert_eq!(f.pay(1, credits, "c1"), Recorded::Duplicate);
    assert_eq!(f.accounts.get(1).expect("account").wallet.credits, 10);
    assert_eq!(f.billing.owner("c1").expect("owner"), Some(1));
    assert_eq!(f.billing.owner("c2").expect("owner"), None);
    f.billing.reverse(&f.accounts, 1, "c1", f.clock.unix_ms()).expect("refund");
    assert_eq!(f.accounts.get(1).expect("account").wallet.credits, 0);
    assert!(f.billing.reverse(&f.accounts, 1, "c1", f.clock.unix_ms()).is_err());
    // A payload that does not verify is recorded (for a refund) but credits nothing.
    let forged = Received {
        charge_id: String::from("c3"),
        payload: String::from("credits:1000:1:0.AAAAAAAAAAAAAAAA"),
        currency: String::from("XTR"),
        amount: 1,
    };
    assert_eq!(
        f.billing.record(&f.accounts, 1, &forged, f.clock.unix_ms()).expect("record"),
        Recorded::Credited(Purchase::Unrecognised)
    );
    assert_eq!(f.accounts.get(1).expect("account").wallet.credits, 0);
}

#[test]
fn history_is_sealed_paged_newest_first_and_gone_after_the_retention() {
    let f = fixture();
    for i in 0..7 {
        f.clock.advance(Duration::from_secs(1));
        f.readings.history.append(1, &stored(f.clock.unix_ms(), &format!("question {i}"))).expect("append");
    }
    f.readings.history.append(2, &stored(f.clock.unix_ms(), "other user")).expect("append");
    let now = f.clock.unix_ms();
    let first = f.readings.history.page(1, 0, 5, now).expect("page");
    assert_eq!((first.index, first.pages, first.total, first.entries.len()), (0, 2, 7, 5));
    assert_eq!(first.entries[0].1.question.as_deref(), Some("question 6"));
    let second = f.readings.history.page(1, 9, 5, now).expect("page");
    assert_eq!((second.index, second.entries.len()), (1, 2));
    assert_eq!(second.entries[1].1.question.as_deref(), Some("question 0"));

    // Nothing of a question is stored in the clear.
    let tree = f.data.tree::<crate::vault::Envelope<crate::tarot::StoredReading>>().expect("tree");
    assert!(tree.iter_at(std::time::UNIX_EPOCH).all(|e| {
        let (_, envelope) = e.expect("entry");
        !rmp_serde::to_vec(&envelope).expect("bytes").windows(8).any(|w| w == b"question")
    }));

    // Past the retention: hidden at once, removed by the sweep, unreadable by id.
    let id = first.entries[0].0;
    let later = now + u64::try_from(RETENTION.as_millis()).expect("ms");
    assert_eq!(f.readings.history.page(1, 0, 5, later).expect("page").total, 0);
    assert_eq!(f.readings.history.get(1, &id, later).expect("get"), None);
    let removed = f.data.sweep_expired(std::time::UNIX_EPOCH + Duration::from_millis(later)).expect("sweep");
    assert_eq!(removed, 8);
    assert_eq!(tree.raw_len(), 0, "nothing of the history remains in the store");
    assert_eq!(f.readings.history.get(1, &id, now).expect("get"), None);
}

#[test]
fn deleting_a_users_history_leaves_others() {
    let f = fixture();
    let now = f.clock.unix_ms();
    f.readings.history.append(1, &stored(now, "mine")).expect("append");
    f.readings.history.append(2, &stored(now, "theirs")).expect("append");
    assert_eq!(f.readings.history.remove_all(1).expect("remove"), 1);
    assert_eq!(f.readings.history.all(1, now).expect("all"), Vec::new());
    assert_eq!(f.readings.history.all(2, now).expect("all").len(), 1);
}

#[test]
fn verifying_after_a_restore_drops_readings_of_shredded_users() {
    let f = fixture();
    let now = f.clock.unix_ms();
    f.readings.history.append(1, &stored(now, "kept")).expect("append");
    f.readings.history.append(2, &stored(now, "shredded")).expect("append");
    f.vault.forget_subject(2).expect("shred");
    assert_eq!(f.readings.history.verify_all().expect("verify"), (1, 1));
    assert_eq!(f.readings.history.verify_all().expect("verify"), (1, 0));
}

fn stored(at_ms: u64, q: &str) -> crate::tarot::StoredReading {
    crate::tarot::StoredReading {
        spread: String::from("one"),
        question: Some(q.to_owned()),
        cards: vec![(0, false)],
        at_ms,
    }
}
