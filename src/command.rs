//! The command table: every command the bot knows, parsed once into a [`Command`], with what
//! the rest of the crate needs to know about it — its help line, its entry in Telegram's menu,
//! who may use it (everyone, tiers, admins), whether it needs a fresh two-factor code, and
//! whether it may only be used in a private chat. The router, authorisation, the default tiers,
//! the config template's check, the menu and `/help` all read this table: adding a command
//! means one row here and one handler.

/// A command the bot knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// Welcome, or the privacy notice for a new user.
    Start,
    /// The command list.
    Help,
    /// The privacy notice.
    Privacy,
    /// A reading.
    Draw,
    /// One card's full entry, by name in any language.
    Card,
    /// The card of the day: subscribe, change the time, stop.
    Daily,
    /// The language and the reading settings.
    Language,
    /// Past readings.
    History,
    /// Allowance, credits and plan.
    Credits,
    /// Credits or premium for Telegram Stars.
    Buy,
    /// The user's sessions.
    Sessions,
    /// End all sessions.
    LogoutAll,
    /// Two-factor authentication on (enrolment) or off.
    TwoFactor,
    /// A fresh two-factor code for a sensitive action.
    Verify,
    /// Everything stored about the user.
    Export,
    /// Delete the user.
    DeleteMe,
    /// Block a user (admins).
    Block,
    /// Unblock a user (admins).
    Unblock,
    /// Refund a payment (admins).
    Refund,
    /// Lockdown on or off (admins).
    Lockdown,
    /// Lift a user's mute (admins).
    Unmute,
    /// Reset a user's (or everyone's) rate limits (admins).
    ResetLimits,
    /// A message to every registered user (admins).
    Broadcast,
}

/// Who may use a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everyone, registered or not.
    Always,
    /// Registered users whose tier lists it (the default tiers list every such command).
    Tier,
    /// Every registered user, whatever the tier configuration says: the user's rights over their
    /// own data (export, deletion) and the fresh two-factor code they may need for them. A tier
    /// cannot remove or limit it.
    Right,
    /// Admins only.
    Admin,
}

/// When a command needs a fresh two-factor code (for users with two-factor on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepUp {
    /// Never.
    Never,
    /// Always.
    Always,
    /// When its arguments are this word (`/2fa off`).
    WithArgument(&'static str),
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The command.
    pub command: Command,
    /// Its name, as typed after the slash.
    pub name: &'static str,
    /// Its arguments, as `/help` shows them (empty for none).
    pub usage: &'static str,
    /// Its line in `/help`.
    pub help: &'static str,
    /// Its description in Telegram's command menu, if it is listed there.
    pub menu: Option<&'static str>,
    /// Who may use it.
    pub access: Access,
    /// When it needs a fresh two-factor code.
    pub step_up: StepUp,
    /// Whether it is refused outside a private chat (it shows or changes account secrets).
    pub private_only: bool,
    /// Whether a user blocked by an admin may still use it (rate-limited like anyone): deleting
    /// their data, and the fresh code that step-up asks for first.
    pub open_to_blocked: bool,
}

const fn row(command: Command, name: &'static str, help: &'static str, access: Access) -> Spec {
    Spec {
        command,
        name,
        usage: "",
        help,
        menu: None,
        access,
        step_up: StepUp::Never,
        private_only: false,
        open_to_blocked: false,
    }
}

/// Every command, in the order of `/help` and of Telegram's menu.
pub const TABLE: [Spec; 23] = [
    Spec {
        menu: Some("a reading: /draw [one|three|celtic|love|career|decision|yes_no] [your question]"),
        usage: "[one|three|celtic|love|career|decision|yes_no] [question]",
        ..row(Command::Draw, "draw", "a reading", Access::Tier)
    },
    Spec {
        menu: Some("a card's meanings, by its name"),
        usage: "NAME",
        ..row(
            Command::Card,
            "card",
            "a card's full entry: keywords, meanings, element (any language, typos forgiven)",
            Access::Tier,
        )
    },
    Spec {
        menu: Some("a card every morning, at your hour"),
        usage: "[off | CITY | ±HH:MM [HOUR]]",
        private_only: true,
        ..row(
            Command::Daily,
            "daily",
            "a card every morning at the hour you choose, in your time zone (or off)",
            Access::Tier,
        )
    },
    Spec {
        menu: Some("your past readings"),
        private_only: true,
        ..row(Command::History, "history", "your past readings", Access::Tier)
    },
    Spec {
        menu: Some("readings left today, credits and plan"),
        ..row(Command::Credits, "credits", "readings left today, credits and plan", Access::Tier)
    },
    Spec {
        menu: Some("more readings or premium, with Telegram Stars"),
        usage: "[credits|premium]",
        ..row(Command::Buy, "buy", "more readings or premium, with Telegram Stars", Access::Tier)
    },
    Spec {
        menu: Some("welcome and what this bot does"),
        ..row(Command::Start, "start", "welcome and what this bot does", Access::Always)
    },
    Spec { menu: Some("list the commands"), ..row(Command::Help, "help", "this list", Access::Always) },
    Spec {
        menu: Some("what arcana stores about you"),
        ..row(Command::Privacy, "privacy", "what arcana stores about you, and why", Access::Always)
    },
    Spec {
        menu: Some("language and reversed cards"),
        ..row(
            Command::Language,
            "language",
            "the bot's language, and readings with or without reversed cards",
            Access::Right,
        )
    },
    Spec { private_only: true, ..row(Command::Sessions, "sessions", "your active sessions", Access::Tier) },
    Spec { private_only: true, ..row(Command::LogoutAll, "logout_all", "end all your sessions", Access::Tier) },
    Spec {
        step_up: StepUp::WithArgument("off"),
        private_only: true,
        usage: "[off]",
        ..row(Command::TwoFactor, "2fa", "set up (or turn off) two-factor authentication", Access::Tier)
    },
    Spec {
        private_only: true,
        open_to_blocked: true,
        usage: "CODE",
        ..row(Command::Verify, "verify", "confirm a sensitive action with a fresh code", Access::Right)
    },
    Spec {
        step_up: StepUp::Always,
        private_only: true,
        ..row(Command::Export, "export", "everything arcana stores about you", Access::Right)
    },
    Spec {
        step_up: StepUp::Always,
        private_only: true,
        open_to_blocked: true,
        ..row(Command::DeleteMe, "delete_me", "delete everything arcana stores about you", Access::Right)
    },
    Spec {
        usage: "USER [DURATION] [REASON]",
        step_up: StepUp::Always,
        ..row(Command::Block, "block", "block a user (by id or @username)", Access::Admin)
    },
    Spec { usage: "USER", step_up: StepUp::Always, ..row(Command::Unblock, "unblock", "lift a block", Access::Admin) },
    Spec {
        usage: "[USER] CHARGE_ID",
        step_up: StepUp::Always,
        ..row(Command::Refund, "refund", "refund a Telegram Stars payment", Access::Admin)
    },
    Spec {
        usage: "on [REASON] | off",
        step_up: StepUp::Always,
        ..row(
            Command::Lockdown,
            "lockdown",
            "serve only admins and registered users; pause registrations and purchases",
            Access::Admin,
        )
    },
    Spec {
        usage: "USER",
        step_up: StepUp::Always,
        ..row(Command::Unmute, "unmute", "lift a user's mute at once", Access::Admin)
    },
    Spec {
        usage: "USER|all",
        step_up: StepUp::Always,
        ..row(Command::ResetLimits, "reset_limits", "lift penalties and empty rate windows", Access::Admin)
    },
    Spec {
        usage: "TEXT",
        step_up: StepUp::Always,
        ..row(Command::Broadcast, "broadcast", "send a message to every registered user", Access::Admin)
    },
];

impl Command {
    /// The command called `name` (as typed after the slash, already lower-cased by the
    /// sanitiser), if the bot knows one.
    #[must_use]
    pub fn parse(name: &str) -> Option<Command> {
        TABLE.iter().find(|spec| spec.name == name).map(|spec| spec.command)
    }

    /// Its row in the table.
    #[must_use]
    pub fn spec(self) -> &'static Spec {
        // Every variant has a row (a test checks it); the first row stands in if one were missing.
        TABLE.iter().find(|spec| spec.command == self).unwrap_or(&TABLE[0])
    }

    /// Its name.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Whether it needs a fresh two-factor code with these arguments.
    #[must_use]
    pub fn needs_step_up(self, args: &str) -> bool {
        match self.spec().step_up {
            StepUp::Never => false,
            StepUp::Always => true,
            StepUp::WithArgument(word) => args.trim().eq_ignore_ascii_case(word),
        }
    }
}

/// The `/help` line of a command: `/name usage — help`.
#[must_use]
pub fn help_line(spec: &Spec) -> String {
    if spec.usage.is_empty() {
        format!("/{} — {}", spec.name, spec.help)
    } else {
        format!("/{} {} — {}", spec.name, spec.usage, spec.help)
    }
}

/// The names of the commands a tier may list (the default tiers list all of them).
pub fn tier_commands() -> impl Iterator<Item = &'static str> {
    TABLE.iter().filter(|spec| spec.access == Access::Tier).map(|spec| spec.name)
}

/// The names of the commands every user keeps whatever the tiers say (the privacy notice, export,
/// deletion, and `/verify` for the fresh code they may need): a tier may still name them in its
/// list (older configs do), but not limit them.
pub fn rights() -> impl Iterator<Item = &'static str> {
    TABLE.iter().filter(|spec| matches!(spec.access, Access::Right) || spec.command == Command::Privacy).map(|s| s.name)
}

/// Whether a user blocked by an admin may still send `name` (see [`Spec::open_to_blocked`]).
#[must_use]
pub fn open_to_blocked(name: &str) -> bool {
    Command::parse(name).is_some_and(|c| c.spec().open_to_blocked)
}

/// The button actions of `/delete_me`'s confirmation (delete, keep): a blocked user keeps them
/// with the command, or a blocked user could ask to delete and never confirm.
pub const DELETE_BUTTONS: [&str; 2] = ["delete_yes", "delete_no"];

/// Whether a user blocked by an admin may still press a button of `action` (the signed data's
/// action; its signature is checked by the handler, as for every press).
#[must_use]
pub fn button_open_to_blocked(action: &str) -> bool {
    DELETE_BUTTONS.contains(&action)
}

/// The names of the commands everyone may use, registered or not.
pub fn always_allowed() -> impl Iterator<Item = &'static str> {
    TABLE.iter().filter(|spec| spec.access == Access::Always).map(|spec| spec.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_names_a_distinct_command_that_parses_back() {
        for (i, spec) in TABLE.iter().enumerate() {
            assert_eq!(Command::parse(spec.name), Some(spec.command), "{}", spec.name);
            assert_eq!(spec.command.spec(), spec);
            assert!(TABLE[..i].iter().all(|other| other.command != spec.command && other.name != spec.name));
            assert!(spec.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
        }
        assert_eq!(Command::parse("nope"), None);
    }

    #[test]
    fn step_up_follows_the_table() {
        assert!(Command::Export.needs_step_up(""));
        assert!(Command::TwoFactor.needs_step_up(" OFF "));
        assert!(!Command::TwoFactor.needs_step_up("123456"));
        assert!(!Command::Draw.needs_step_up("celtic"));
    }

    #[test]
    fn admin_commands_are_never_tier_commands() {
        assert!(tier_commands().all(|name| Command::parse(name).is_some_and(|c| c.spec().access != Access::Admin)));
        assert_eq!(always_allowed().collect::<Vec<_>>(), ["start", "help", "privacy"]);
        // Every variant has its row.
        for command in [
            Command::Start,
            Command::Help,
            Command::Privacy,
            Command::Draw,
            Command::Card,
            Command::Daily,
            Command::Language,
            Command::History,
            Command::Credits,
            Command::Buy,
            Command::Sessions,
            Command::LogoutAll,
            Command::TwoFactor,
            Command::Verify,
            Command::Export,
            Command::DeleteMe,
            Command::Block,
            Command::Unblock,
            Command::Refund,
            Command::Lockdown,
            Command::Unmute,
            Command::ResetLimits,
            Command::Broadcast,
        ] {
            assert_eq!(command.spec().command, command);
        }
    }
}
