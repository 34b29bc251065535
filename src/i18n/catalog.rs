//! The locale files, embedded and parsed once: each a TOML file of texts by key, flattened to
//! dotted keys (`[command.draw] help = …` is `command.draw.help`). A string is a text; a table
//! whose keys are all plural categories (`one`, `few`, `many`, `other`) is a plural text. A file
//! that does not parse, or a value of another kind, is logged once and left out (the tests keep
//! the files clean); lookups then fall back to English.

use std::{collections::HashMap, sync::LazyLock};

use crate::embedded;
use crate::locale::{Locale, Plural};

/// One text of a locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Entry {
    /// A text.
    Text(String),
    /// A text in the plural forms its language needs.
    Plural(Forms),
}

/// The forms of a plural text, by [`Plural`] category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Forms([Option<String>; 4]);

/// The category names, in the order of [`Forms`].
pub(super) const CATEGORIES: [(&str, Plural); 4] =
    [("one", Plural::One), ("few", Plural::Few), ("many", Plural::Many), ("other", Plural::Other)];

impl Forms {
    const fn slot(category: Plural) -> usize {
        match category {
            Plural::One => 0,
            Plural::Few => 1,
            Plural::Many => 2,
            Plural::Other => 3,
        }
    }

    /// The form for `category`, if the file gives it.
    pub(super) fn get(&self, category: Plural) -> Option<&str> {
        self.0[Self::slot(category)].as_deref()
    }

    /// The categories the file gives, with their forms.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Plural, &str)> {
        CATEGORIES.iter().filter_map(|&(_, category)| self.get(category).map(|form| (category, form)))
    }

    /// The form for `category`, else `other`, else any form: a text is always found.
    pub(super) fn pick(&self, category: Plural) -> &str {
        self.get(category)
            .or_else(|| self.get(Plural::Other))
            .or_else(|| self.iter().next().map(|(_, f)| f))
            .unwrap_or("")
    }
}

/// A locale's texts by key.
#[derive(Debug, Default)]
pub(super) struct Catalog {
    entries: HashMap<String, Entry>,
    /// What was left out of the file, and why (empty for a good file).
    problems: Vec<String>,
}

impl Catalog {
    /// Parses a locale file; what cannot be read is recorded in [`Catalog::problems`].
    pub(super) fn parse(source: &str) -> Catalog {
        let mut catalog = Catalog::default();
        match toml::from_str::<toml::Table>(source) {
            Ok(table) => catalog.flatten("", &table),
            Err(e) => catalog.problems.push(format!("does not parse: {e}")),
        }
        catalog
    }

    fn flatten(&mut self, prefix: &str, table: &toml::Table) {
        for (name, value) in table {
            let key = format!("{prefix}{name}");
            match value {
                toml::Value::String(text) => {
                    if CATEGORIES.iter().any(|(category, _)| category == name) {
                        self.problems.push(format!("{key}: a plural form beside texts that are not"));
                    }
                    self.entries.insert(key, Entry::Text(text.clone()));
                }
                toml::Value::Table(inner) => match plural_forms(inner) {
                    Some(forms) => {
                        self.entries.insert(key, Entry::Plural(forms));
                    }
                    None => self.flatten(&format!("{key}."), inner),
                },
                other => self.problems.push(format!("{key}: a {}, not a text", other.type_str())),
            }
        }
    }

    /// The entry for `key`.
    pub(super) fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Every key, with its entry (for the tests).
    #[cfg(test)]
    pub(super) fn entries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(key, entry)| (key.as_str(), entry))
    }

    /// What was left out of the file, and why.
    pub(super) fn problems(&self) -> &[String] {
        &self.problems
    }
}

/// `table` as plural forms, if every key is a category and every value a string.
fn plural_forms(table: &toml::Table) -> Option<Forms> {
    if table.is_empty() {
        return None;
    }
    let mut forms = Forms::default();
    for (name, value) in table {
        let &(_, category) = CATEGORIES.iter().find(|(category, _)| category == name)?;
        forms.0[Forms::slot(category)] = Some(value.as_str()?.to_owned());
    }
    Some(forms)
}

/// The embedded file of `locale` (empty, with the fault logged, if it does not read back).
pub(super) fn source(locale: Locale) -> String {
    match locale {
        Locale::En => embedded::text!("i18n/locales/en.toml"),
        Locale::Ru => embedded::text!("i18n/locales/ru.toml"),
        Locale::Es => embedded::text!("i18n/locales/es.toml"),
    }
}

static CATALOGS: LazyLock<[Catalog; 3]> = LazyLock::new(|| {
    Locale::ALL.map(|locale| {
        let catalog = Catalog::parse(&source(locale));
        for problem in catalog.problems() {
            tracing::error!(locale = locale.code(), problem = %problem, "a locale file has a fault");
        }
        catalog
    })
});

/// The texts of `locale`, parsed on first use.
pub(super) fn catalog(locale: Locale) -> &'static Catalog {
    let index = match locale {
        Locale::En => 0,
        Locale::Ru => 1,
        Locale::Es => 2,
    };
    &CATALOGS[index]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_flatten_to_dotted_keys_and_category_tables_are_plurals() {
        let catalog = Catalog::parse(
            "a = \"A\"\nn = { one = \"1 x\", other = \"{n} x\" }\n[s.t]\nb = \"B\"\nm = { one = \"o\", few = \"f\", many = \"m\" }\n",
        );
        assert!(catalog.problems().is_empty(), "{:?}", catalog.problems());
        assert_eq!(catalog.get("a"), Some(&Entry::Text("A".into())));
        assert_eq!(catalog.get("s.t.b"), Some(&Entry::Text("B".into())));
        let Some(Entry::Plural(forms)) = catalog.get("s.t.m") else { panic!("a plural") };
        assert_eq!(forms.get(Plural::Few), Some("f"));
        assert_eq!(forms.get(Plural::Other), None);
        assert_eq!(forms.pick(Plural::Other), "o", "no other: the first form");
        let Some(Entry::Plural(forms)) = catalog.get("n") else { panic!("a plural") };
        assert_eq!(forms.pick(Plural::Few), "{n} x", "a missing form: other");
        assert_eq!(catalog.entries().count(), 4);
    }

    #[test]
    fn faults_are_recorded_not_fatal() {
        assert_eq!(Catalog::parse("a = \"").problems().len(), 1);
        let catalog = Catalog::parse("a = 1\nb = \"B\"\n[c]\none = \"x\"\nd = \"D\"\n");
        assert_eq!(catalog.problems().len(), 2, "{:?}", catalog.problems());
        assert_eq!(catalog.get("b"), Some(&Entry::Text("B".into())));
        assert_eq!(catalog.get("a"), None);
    }

    #[test]
    fn the_embedded_files_parse_cleanly() {
        for locale in Locale::ALL {
            let problems = catalog(locale).problems();
            assert!(problems.is_empty(), "{}.toml: {problems:#?}", locale.code());
        }
    }
}
